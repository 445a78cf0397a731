import { formatIssuePath, InputError } from "../lib/errors";
import { OrganizationModel } from "../org/model";
import { resolveDeclared } from "./declared";
import { encodeWindows, windowsOf } from "../notifier/breakGlass";
import { knownRegion, nearestRegion } from "./regions";
import {
  DELEGATED_TRAIL_SUFFIX,
  GuardrailConfig,
  guardrailConfigSchema,
  PROJECT_NAMESPACE,
  ROOT_TARGET,
} from "./schema";

export interface ValidationContext {
  readonly organization: OrganizationModel;
  /** The time break-glass windows are judged against. */
  readonly now: Date;
  /** Where the config came from, for the error summary (e.g. `stacks/Pulumi.dev.yaml`). */
  readonly source?: string;
  /**
   * The stack's `aws:region`, if it sets one. The program's providers are explicit and take
   * `homeRegion`; `aws:region` only configures Pulumi's default provider, which this program
   * never uses. Two different regions in one stack file would mislead whoever reads it.
   */
  readonly awsRegion?: string;
}

const HOUR_MS = 3_600_000;

/**
 * Turns Pulumi's runtime config (`{"aws-org-guardrails:rootAccess": "<json>", ...}`, every value a
 * string as the CLI passes it) into this project's raw object. Structured values arrive as JSON
 * text; scalars stay strings. Returns undefined when the stack has no key in the namespace at all.
 */
export function projectConfigFromPulumi(
  values: Readonly<Record<string, string>>,
): Record<string, unknown> | undefined {
  const prefix = `${PROJECT_NAMESPACE}:`;
  const raw: Record<string, unknown> = {};
  let found = false;
  for (const [key, value] of Object.entries(values)) {
    if (!key.startsWith(prefix)) {
      continue;
    }
    found = true;
    raw[key.slice(prefix.length)] = parseConfigValue(value);
  }
  return found ? raw : undefined;
}

function parseConfigValue(value: string): unknown {
  const trimmed = value.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  // The CLI passes a top-level YAML boolean as its text. Numbers stay text: a 12-digit account id
  // must keep its leading zeros, and no top-level key is a number.
  if (value === "true" || value === "false") {
    return value === "true";
  }
  return value;
}

type Loose = Record<string, unknown>;

function asObject(value: unknown): Loose | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Loose)
    : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function key(path: string): string {
  return `${PROJECT_NAMESPACE}:${path}`;
}

/**
 * Checks that need the organization and the clock. It reads the raw input defensively, so that it
 * runs (and reports) even when the schema found problems elsewhere: the user sees every error at once.
 */
function organizationProblems(raw: Loose, context: ValidationContext): string[] {
  const { organization, now } = context;
  const problems: string[] = [];
  const managementId = organization.managementAccountId;

  if (typeof raw.managementAccountId === "string" && /^\d{12}$/.test(raw.managementAccountId)) {
    if (raw.managementAccountId !== managementId) {
      problems.push(
        `${key("managementAccountId")}: ${raw.managementAccountId} is not the management account of ` +
          `${organization.organization.id} (that is ${managementId})`,
      );
    }
  }

  const logArchive = asObject(raw.logArchive);
  if (typeof logArchive?.accountId === "string" && /^\d{12}$/.test(logArchive.accountId)) {
    const account = organization.account(logArchive.accountId);
    if (logArchive.accountId === managementId) {
      problems.push(
        `${key("logArchive.accountId")}: must not be the management account: the archive must sit ` +
          "where the people who run the organization cannot quietly change it",
      );
    } else if (account === undefined) {
      problems.push(
        `${key("logArchive.accountId")}: ${logArchive.accountId} is not an account of ${organization.organization.id}`,
      );
    } else if (account.state !== "ACTIVE") {
      problems.push(
        `${key("logArchive.accountId")}: ${logArchive.accountId} (${account.name}) is ${account.state}, not ACTIVE`,
      );
    }
  }

  if (typeof raw.homeRegion === "string") {
    const home = knownRegion(raw.homeRegion);
    if (home !== undefined && home.partition !== organization.partition) {
      const nearest = nearestRegion(raw.homeRegion, organization.partition);
      problems.push(
        `${key("homeRegion")}: ${raw.homeRegion} is in the ${home.partition} partition, but ` +
          `${organization.organization.id} is in ${organization.partition}` +
          (nearest === undefined
            ? ""
            : `; use a region of ${organization.partition} such as ${nearest}`),
      );
    }
    if (
      home !== undefined &&
      context.awsRegion !== undefined &&
      context.awsRegion !== raw.homeRegion
    ) {
      problems.push(
        `aws:region: ${context.awsRegion} differs from ${key("homeRegion")} (${raw.homeRegion}), ` +
          `which every provider of this program uses; set aws:region to ${raw.homeRegion} or remove it`,
      );
    }
  }

  // CloudTrail allows 128 characters; the delegated-administrator location appends its suffix.
  const centralLogs = asObject(raw.centralLogs);
  const trailName = asObject(raw.trail)?.name;
  if (
    centralLogs?.location === "delegatedAdministrator" &&
    typeof trailName === "string" &&
    trailName.length + DELEGATED_TRAIL_SUFFIX.length > 128
  ) {
    problems.push(
      `${key("trail.name")}: ${trailName.length} characters; in the delegatedAdministrator location the trail is named <name>${DELEGATED_TRAIL_SUFFIX}, which must stay within CloudTrail's 128: shorten it to ${128 - DELEGATED_TRAIL_SUFFIX.length}`,
    );
  }

  // A trail of this program's other location that still exists means the central log group is
  // moving: without movingFrom the archive's policies would stop accepting that trail's log files
  // the moment they are updated, before Pulumi (which refuses to replace the protected trail) has
  // created the new one. Judged from the trails the snapshot records (npm run discover).
  if (organization.trails !== undefined) {
    const base = typeof trailName === "string" ? trailName : "aws-org-guardrails";
    const location =
      centralLogs?.location === "delegatedAdministrator" ? "delegatedAdministrator" : "management";
    const nameFor = (where: string) =>
      where === "delegatedAdministrator" ? `${base}${DELEGATED_TRAIL_SUFFIX}` : base;
    const accepted = new Set([nameFor(location)]);
    if (typeof centralLogs?.movingFrom === "string") {
      accepted.add(nameFor(centralLogs.movingFrom));
    }
    for (const trail of organization.trails) {
      const ownLocation =
        trail.name === base
          ? "management"
          : trail.name === nameFor("delegatedAdministrator")
            ? "delegatedAdministrator"
            : undefined;
      if (ownLocation !== undefined && trail.organizationTrail && !accepted.has(trail.name)) {
        problems.push(
          `${key("centralLogs.location")}: the organization trail ${trail.name} still exists (this program's trail of the ${ownLocation} location); ` +
            `set centralLogs.movingFrom: ${ownLocation} so the archive keeps accepting it until it is deleted (README, "Moving the central log group")`,
        );
      }
    }
  }

  // Readers get the organization's audit log: only principals of its own accounts (the archive's
  // policies also require aws:PrincipalOrgID, so a reader whose account leaves loses access).
  asArray(logArchive?.readers).forEach((reader, index) => {
    const match = typeof reader === "string" ? /^arn:[^:]+:iam::(\d{12}):/.exec(reader) : null;
    if (match !== null && organization.account(match[1]) === undefined) {
      problems.push(
        `${key(`logArchive.readers[${index}]`)}: ${reader} is not in an account of ${organization.organization.id}; ` +
          "readers of the organization's audit log must be principals of its own accounts",
      );
    }
  });

  asArray(asObject(raw.centralizedRootAccess)?.delegatedAdministrators).forEach((id, index) => {
    if (typeof id !== "string" || !/^\d{12}$/.test(id)) {
      return;
    }
    const account = organization.account(id);
    const entryKey = key(`centralizedRootAccess.delegatedAdministrators[${index}]`);
    if (id === managementId) {
      problems.push(
        `${entryKey}: ${id} is the management account, whose AssumeRoot calls always count; remove it`,
      );
    } else if (account === undefined) {
      problems.push(`${entryKey}: ${id} is not an account of ${organization.organization.id}`);
    }
  });

  const rootAccess = asObject(raw.rootAccess) ?? {};
  const targets = Array.isArray(rootAccess.targets) ? rootAccess.targets : [ROOT_TARGET];
  const seenTargets = new Set<string>();
  targets.forEach((target, index) => {
    if (typeof target !== "string") {
      return;
    }
    const targetKey = key(`rootAccess.targets[${index}]`);
    const resolved = resolveTarget(target, organization);
    if (resolved === undefined) {
      problems.push(
        `${targetKey}: "${target}" is not in ${organization.organization.id}; use "${ROOT_TARGET}", ` +
          `the root id ${organization.root.id}, or the id of one of its OUs`,
      );
    } else if (seenTargets.has(resolved)) {
      problems.push(`${targetKey}: "${target}" repeats a target already listed (${resolved})`);
    }
    if (resolved !== undefined) {
      seenTargets.add(resolved);
    }
  });

  const archiveAccount =
    typeof logArchive?.accountId === "string"
      ? organization.account(logArchive.accountId)
      : undefined;
  if (
    archiveAccount !== undefined &&
    archiveAccount.id !== managementId &&
    seenTargets.size > 0 &&
    ![archiveAccount.id, ...organization.ancestors(archiveAccount.id)].some((id) =>
      seenTargets.has(id),
    )
  ) {
    problems.push(
      `${key("rootAccess.targets")}: no target covers the log-archive account ${archiveAccount.id} (${archiveAccount.name}), ` +
        "so the protection SCP could not guard the archive; add its OU or use Root",
    );
  }

  const maxHours =
    typeof rootAccess.maxBreakGlassHours === "number" ? rootAccess.maxBreakGlassHours : 72;
  const seenBreakGlass = new Set<string>();
  asArray(rootAccess.breakGlass).forEach((entryValue, index) => {
    const entry = asObject(entryValue);
    if (entry === undefined) {
      return;
    }
    const entryKey = key(`rootAccess.breakGlass[${index}]`);
    if (typeof entry.accountId === "string" && /^\d{12}$/.test(entry.accountId)) {
      const account = organization.account(entry.accountId);
      if (seenBreakGlass.has(entry.accountId)) {
        problems.push(
          `${entryKey}.accountId: ${entry.accountId} already has a break-glass entry; keep one per account`,
        );
      }
      seenBreakGlass.add(entry.accountId);
      if (entry.accountId === managementId) {
        problems.push(
          `${entryKey}.accountId: ${entry.accountId} is the management account; SCPs never apply to it, ` +
            "so there is nothing to break out of",
        );
      } else if (account === undefined) {
        problems.push(
          `${entryKey}.accountId: ${entry.accountId} is not an account of ${organization.organization.id}`,
        );
      } else if (account.state !== "ACTIVE") {
        problems.push(
          `${entryKey}.accountId: ${entry.accountId} (${account.name}) is ${account.state}, not ACTIVE`,
        );
      } else if (
        seenTargets.size > 0 &&
        ![account.id, ...organization.ancestors(account.id)].some((id) => seenTargets.has(id))
      ) {
        problems.push(
          `${entryKey}.accountId: ${entry.accountId} (${account.name}) is under no rootAccess target, ` +
            "so its root is not denied and a break-glass entry changes nothing; remove it",
        );
      }
    }
    if (typeof entry.expiresAt === "string") {
      const expiresAt = Date.parse(entry.expiresAt);
      if (!Number.isNaN(expiresAt) && /Z$/.test(entry.expiresAt)) {
        if (expiresAt <= now.getTime()) {
          problems.push(
            `${entryKey}.expiresAt: ${entry.expiresAt} has passed; the window is closed, remove this entry`,
          );
        } else if (expiresAt > now.getTime() + maxHours * HOUR_MS) {
          const hours = Math.ceil((expiresAt - now.getTime()) / HOUR_MS);
          problems.push(
            `${entryKey}.expiresAt: ${entry.expiresAt} is ${hours} h from now; a window may last at most ` +
              `${maxHours} h (rootAccess.maxBreakGlassHours)`,
          );
        }
      }
      const openedAt = typeof entry.openedAt === "string" ? Date.parse(entry.openedAt) : Number.NaN;
      if (
        !Number.isNaN(expiresAt) &&
        !Number.isNaN(openedAt) &&
        /Z$/.test(entry.openedAt as string)
      ) {
        if (openedAt >= expiresAt) {
          problems.push(
            `${entryKey}.openedAt: ${entry.openedAt} is not before expiresAt ${entry.expiresAt}; a window opens before it closes`,
          );
        } else if (openedAt > now.getTime()) {
          problems.push(
            `${entryKey}.openedAt: ${entry.openedAt} is in the future, but the SCP opens the window when it is deployed; use the current time or leave openedAt out`,
          );
        }
      }
    }
  });
  // The notifier learns the windows through its environment, which Lambda caps at 4 KB.
  const entries = asArray(rootAccess.breakGlass).flatMap((entryValue) => {
    const entry = asObject(entryValue);
    return entry !== undefined &&
      typeof entry.accountId === "string" &&
      typeof entry.reason === "string" &&
      typeof entry.expiresAt === "string" &&
      !Number.isNaN(Date.parse(entry.expiresAt))
      ? [
          {
            accountId: entry.accountId,
            reason: entry.reason,
            expiresAt: entry.expiresAt,
            ...(typeof entry.openedAt === "string" ? { openedAt: entry.openedAt } : {}),
          },
        ]
      : [];
  });
  try {
    encodeWindows(windowsOf(entries, maxHours));
  } catch (error) {
    problems.push(
      `${key("rootAccess.breakGlass")}: ${(error as Error).message}; close windows that are no longer needed`,
    );
  }
  return problems;
}

/** Resolves a configured SCP target (`Root`, a root id or an OU id) to the id AWS attaches to. */
export function resolveTarget(target: string, organization: OrganizationModel): string | undefined {
  if (target === ROOT_TARGET || target === organization.root.id) {
    return organization.root.id;
  }
  return organization.organizationalUnit(target) === undefined ? undefined : target;
}

/** The error for a stack with no key at all under the project namespace. */
export function missingConfigError(source?: string): InputError {
  const where = source ? ` (${source})` : "";
  return new InputError(
    `No ${PROJECT_NAMESPACE}: config found${where}; no resource was registered. Set at least ` +
      `${PROJECT_NAMESPACE}:managementAccountId, homeRegion, logArchive and alerts (see docs/config.md).`,
  );
}

/**
 * Validates the raw project config once, up front. Returns the typed config with defaults
 * applied, or throws an `InputError` that lists every problem, each naming its config key.
 */
export function validateGuardrailConfig(
  raw: Record<string, unknown>,
  context: ValidationContext,
): GuardrailConfig {
  const where = context.source ? ` (${context.source})` : "";
  const parsed = guardrailConfigSchema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues
        .map((issue) => {
          if (issue.code === "unrecognized_keys") {
            const parent = formatIssuePath(issue.path);
            return issue.keys
              .map(
                (name) =>
                  `${key(parent ? `${parent}.${name}` : name)}: unknown key; check its spelling in docs/config.md`,
              )
              .join("\n");
          }
          return `${key(formatIssuePath(issue.path))}: ${issue.message}`;
        })
        .flatMap((line) => line.split("\n"));
  problems.push(...organizationProblems(raw, context));
  if (parsed.success) {
    // Declared OUs and accounts are checked once they are well-formed.
    const topology = resolveDeclared(
      parsed.data.organizationalUnits,
      parsed.data.accounts,
      context.organization,
    );
    problems.push(...topology.problems.map((problem) => `${key(problem.key)}: ${problem.message}`));
  }
  if (!parsed.success || problems.length > 0) {
    const count = problems.length === 1 ? "1 error" : `${problems.length} errors`;
    throw new InputError(
      `Stack config has ${count}${where}; no resource was registered:`,
      problems,
    );
  }
  return parsed.data;
}
