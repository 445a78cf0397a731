import { z } from "zod";
import { InputError } from "../lib/errors";
import { OrganizationModel } from "../org/model";
import { resolveDeclared } from "./declared";
import { encodeWindows, windowsOf } from "../notifier/breakGlass";
import { formatKey } from "./keys";
import { fastPathRegions } from "./names";
import { humanIssueMessage, keysAt, misspeltNamespaceProblem, unknownKeyMessage } from "./messages";
import { allKnownRegions, knownRegion, nearestRegion } from "./regions";
import { isAccountId, PROJECT_NAMESPACE, ROOT_TARGET } from "./rules";
import { DELEGATED_TRAIL_SUFFIX, GuardrailConfig, guardrailConfigSchema } from "./schema";
import { centralLogsFields } from "./sections/centralLogs";
import { rootAccessFields } from "./sections/rootAccess";
import { trailFields } from "./sections/trail";

export interface ValidationContext {
  readonly organization: OrganizationModel;
  /** The time break-glass windows are judged against. */
  readonly now: Date;
  /** Where the config came from, for the error summary (e.g. `stacks/Pulumi.dev.yaml`). */
  readonly source?: string;
  /**
   * The stack's whole config as the Pulumi CLI passes it, every namespace. Its `aws:region`, if
   * set, must be `homeRegion`: the program's providers are explicit and take `homeRegion`;
   * `aws:region` only configures Pulumi's default provider, which this program never uses, and
   * two different regions in one stack file would mislead whoever reads it. Its keys of a
   * namespace that is a near miss of this project's (`aws-org-guardrail:alerts`) are named.
   */
  readonly stackConfig?: Readonly<Record<string, string>>;
}

/**
 * Top-level keys (`aws-org-guardrails:managementAccountId`) that the stack file writes as plain
 * YAML numbers, with the number YAML reads. The CLI hands every top-level value to the program
 * as text, so without this an unquoted account id would pass here and fail wherever the same id
 * sits in a map, where YAML's number (without its leading zeros) is what arrives.
 */
export type YamlNumbers = ReadonlyMap<string, number>;

const HOUR_MS = 3_600_000;

/**
 * Turns Pulumi's runtime config (`{"aws-org-guardrails:rootAccess": "<json>", ...}`, every value a
 * string as the CLI passes it) into this project's raw object. Structured values arrive as JSON
 * text; scalars stay strings. Returns undefined when the stack has no key in the namespace at all.
 */
export function projectConfigFromPulumi(
  values: Readonly<Record<string, string>>,
  /** Top-level keys the stack file leaves unquoted as numbers: they reach the schema as numbers. */
  yamlNumbers?: YamlNumbers,
): Record<string, unknown> | undefined {
  const prefix = `${PROJECT_NAMESPACE}:`;
  const raw: Record<string, unknown> = {};
  let found = false;
  for (const [key, value] of Object.entries(values)) {
    if (!key.startsWith(prefix)) {
      continue;
    }
    found = true;
    const number = yamlNumbers?.get(key);
    // The CLI passes the text as written (012345678901), a YAML reader the number (12345678901).
    raw[key.slice(prefix.length)] =
      number !== undefined && Number(value) === number ? number : parseConfigValue(value);
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
  // must keep its leading zeros, and no top-level key is a number (one the stack file writes
  // unquoted arrives through yamlNumbers instead, for the schema to refuse).
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

/** A key as the user writes it, with list entries named (config/keys.ts), under the namespace. */
type KeyOf = (path: readonly PropertyKey[]) => string;

function keyFormatter(raw: Loose): KeyOf {
  return (path) => `${PROJECT_NAMESPACE}:${formatKey(path, raw)}`;
}

/** A field's default: what its schema makes of a key left out. */
function fieldDefault<Output>(field: z.ZodType<Output>): Output {
  return field.parse(undefined);
}

/** A field's parsed value, or its default when it is invalid (the schema reports that). */
function parsedField<Output>(field: z.ZodType<Output>, input: unknown): Output {
  const parsed = field.safeParse(input);
  return parsed.success ? parsed.data : fieldDefault(field);
}

/**
 * Checks that need the organization and the clock. It reads the raw input defensively, so that it
 * runs (and reports) even when the schema found problems elsewhere: the user sees every error at once.
 */
function organizationProblems(raw: Loose, context: ValidationContext, key: KeyOf): string[] {
  const { organization, now } = context;
  const problems: string[] = [];
  const managementId = organization.managementAccountId;

  if (isAccountId(raw.managementAccountId)) {
    if (raw.managementAccountId !== managementId) {
      problems.push(
        `${key(["managementAccountId"])}: ${raw.managementAccountId} is not the management account of ` +
          `${organization.organization.id} (that is ${managementId})`,
      );
    }
  }

  const logArchive = asObject(raw.logArchive);
  if (isAccountId(logArchive?.accountId)) {
    const account = organization.account(logArchive.accountId);
    if (logArchive.accountId === managementId) {
      problems.push(
        `${key(["logArchive", "accountId"])}: must not be the management account: the archive must sit ` +
          "where the people who run the organization cannot quietly change it",
      );
    } else if (account === undefined) {
      problems.push(
        `${key(["logArchive", "accountId"])}: ${logArchive.accountId} is not an account of ${organization.organization.id}`,
      );
    } else if (account.state !== "ACTIVE") {
      problems.push(
        `${key(["logArchive", "accountId"])}: ${logArchive.accountId} (${account.name}) is ${account.state}, not ACTIVE`,
      );
    }
  }

  const awsRegion = context.stackConfig?.["aws:region"];
  if (typeof raw.homeRegion === "string") {
    const home = knownRegion(raw.homeRegion);
    if (home !== undefined && home.partition !== organization.partition) {
      // Any region of the right partition answers "such as"; the nearest name reads best.
      const nearest =
        nearestRegion(raw.homeRegion, organization.partition) ??
        allKnownRegions().find((info) => info.partition === organization.partition)?.region;
      problems.push(
        `${key(["homeRegion"])}: ${raw.homeRegion} is in the ${home.partition} partition, but ` +
          `${organization.organization.id} is in ${organization.partition}` +
          (nearest === undefined
            ? ""
            : `; use a region of ${organization.partition} such as ${nearest}`),
      );
    }
    if (home !== undefined && awsRegion !== undefined && awsRegion !== raw.homeRegion) {
      problems.push(
        `aws:region: ${awsRegion} differs from ${key(["homeRegion"])} (${raw.homeRegion}), ` +
          `which every provider of this program uses; set aws:region to ${raw.homeRegion} or remove it`,
      );
    }
  }

  // CloudTrail allows 128 characters; the delegated-administrator location appends its suffix.
  const centralLogs = asObject(raw.centralLogs);
  const location = parsedField(centralLogsFields.shape.location, centralLogs?.location);
  const movingFrom = parsedField(centralLogsFields.shape.movingFrom, centralLogs?.movingFrom);
  const trailName = asObject(raw.trail)?.name;
  if (
    location === "delegatedAdministrator" &&
    typeof trailName === "string" &&
    trailName.length + DELEGATED_TRAIL_SUFFIX.length > 128
  ) {
    problems.push(
      `${key(["trail", "name"])}: ${trailName.length} characters; in the delegatedAdministrator location the trail is named <name>${DELEGATED_TRAIL_SUFFIX}, which must stay within CloudTrail's 128: shorten it to ${128 - DELEGATED_TRAIL_SUFFIX.length}`,
    );
  }

  // A trail of this program's other location that still exists means the central log group is
  // moving: without movingFrom the archive's policies would stop accepting that trail's log files
  // the moment they are updated, before Pulumi (which refuses to replace the protected trail) has
  // created the new one. Judged from the trails the snapshot records (npm run discover).
  if (organization.trails !== undefined) {
    const base = parsedField(trailFields.shape.name, trailName);
    const nameFor = (where: string) =>
      where === "delegatedAdministrator" ? `${base}${DELEGATED_TRAIL_SUFFIX}` : base;
    const accepted = new Set([nameFor(location)]);
    if (movingFrom !== undefined) {
      accepted.add(nameFor(movingFrom));
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
          `${key(["centralLogs", "location"])}: the organization trail ${trail.name} still exists (this program's trail of the ${ownLocation} location); ` +
            `set centralLogs.movingFrom: ${ownLocation} so the archive keeps accepting it until it is deleted (README, "Moving the central log group")`,
        );
      }
    }
  }

  // Readers get the organization's audit log: only principals of its own accounts (the archive's
  // policies also require aws:PrincipalOrgID, so a reader whose account leaves loses access). The
  // back-test's readers read all of it through Athena.
  const backtest = asObject(raw.backtest);
  for (const [section, readers] of [
    ["logArchive", logArchive?.readers],
    ["backtest", backtest?.readers],
  ] as const) {
    asArray(readers).forEach((reader, index) => {
      const match = typeof reader === "string" ? /^arn:[^:]+:iam::([^:]*):/.exec(reader) : null;
      if (match !== null && isAccountId(match[1]) && organization.account(match[1]) === undefined) {
        problems.push(
          `${key([section, "readers", index])}: ${reader} is not in an account of ${organization.organization.id}; ` +
            "readers of the organization's audit log must be principals of its own accounts",
        );
      }
    });
  }
  if (
    typeof backtest?.resultsBucketName === "string" &&
    backtest.resultsBucketName === logArchive?.bucketName
  ) {
    problems.push(
      `${key(["backtest", "resultsBucketName"])}: ${backtest.resultsBucketName} is the archive bucket; query results need a bucket of their own (or remove the key for the default name)`,
    );
  }

  asArray(asObject(raw.centralizedRootAccess)?.delegatedAdministrators).forEach((id, index) => {
    if (!isAccountId(id)) {
      return;
    }
    const account = organization.account(id);
    const entryKey = key(["centralizedRootAccess", "delegatedAdministrators", index]);
    if (id === managementId) {
      problems.push(
        `${entryKey}: ${id} is the management account, whose AssumeRoot calls always count; remove it`,
      );
    } else if (account === undefined) {
      problems.push(`${entryKey}: ${id} is not an account of ${organization.organization.id}`);
    }
  });

  const rootAccess = asObject(raw.rootAccess) ?? {};
  const targets = Array.isArray(rootAccess.targets)
    ? rootAccess.targets
    : fieldDefault(rootAccessFields.shape.targets);
  const seenTargets = new Set<string>();
  targets.forEach((target, index) => {
    if (typeof target !== "string") {
      return;
    }
    const targetKey = key(["rootAccess", "targets", index]);
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

  const archiveAccount = isAccountId(logArchive?.accountId)
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
      `${key(["rootAccess", "targets"])}: no target covers the log-archive account ${archiveAccount.id} (${archiveAccount.name}), ` +
        "so the protection SCP could not guard the archive; add its OU or use Root",
    );
  }

  const maxHours = parsedField(
    rootAccessFields.shape.maxBreakGlassHours,
    rootAccess.maxBreakGlassHours,
  );
  const seenBreakGlass = new Set<string>();
  asArray(rootAccess.breakGlass).forEach((entryValue, index) => {
    const entry = asObject(entryValue);
    if (entry === undefined) {
      return;
    }
    const fieldKey = (field: string) => key(["rootAccess", "breakGlass", index, field]);
    if (isAccountId(entry.accountId)) {
      const account = organization.account(entry.accountId);
      if (seenBreakGlass.has(entry.accountId)) {
        problems.push(
          `${fieldKey("accountId")}: ${entry.accountId} already has a break-glass entry; keep one per account`,
        );
      }
      seenBreakGlass.add(entry.accountId);
      if (entry.accountId === managementId) {
        problems.push(
          `${fieldKey("accountId")}: ${entry.accountId} is the management account; SCPs never apply to it, ` +
            "so there is nothing to break out of",
        );
      } else if (account === undefined) {
        problems.push(
          `${fieldKey("accountId")}: ${entry.accountId} is not an account of ${organization.organization.id}`,
        );
      } else if (account.state !== "ACTIVE") {
        problems.push(
          `${fieldKey("accountId")}: ${entry.accountId} (${account.name}) is ${account.state}, not ACTIVE`,
        );
      } else if (
        seenTargets.size > 0 &&
        ![account.id, ...organization.ancestors(account.id)].some((id) => seenTargets.has(id))
      ) {
        problems.push(
          `${fieldKey("accountId")}: ${entry.accountId} (${account.name}) is under no rootAccess target, ` +
            "so its root is not denied and a break-glass entry changes nothing; remove it",
        );
      }
    }
    if (typeof entry.expiresAt === "string") {
      const expiresAt = Date.parse(entry.expiresAt);
      if (!Number.isNaN(expiresAt) && /Z$/.test(entry.expiresAt)) {
        if (expiresAt <= now.getTime()) {
          problems.push(
            `${fieldKey("expiresAt")}: ${entry.expiresAt} has passed; the window is closed, remove this entry`,
          );
        } else if (expiresAt > now.getTime() + maxHours * HOUR_MS) {
          const hours = Math.ceil((expiresAt - now.getTime()) / HOUR_MS);
          problems.push(
            `${fieldKey("expiresAt")}: ${entry.expiresAt} is ${hours} h from now; a window may last at most ` +
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
            `${fieldKey("openedAt")}: ${entry.openedAt} is not before expiresAt ${entry.expiresAt}; a window opens before it closes`,
          );
        } else if (openedAt > now.getTime()) {
          problems.push(
            `${fieldKey("openedAt")}: ${entry.openedAt} is in the future, but the SCP opens the window when it is deployed; use the current time or leave openedAt out`,
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
      `${key(["rootAccess", "breakGlass"])}: ${(error as Error).message}; close windows that are no longer needed`,
    );
  }
  return problems;
}

/**
 * The fast path's regions must be regions of the organization's partition (a StackSet deploys
 * only within its own), and its stack instances, one per member account and region, must fit the
 * stack set quota: past it the StackSet's automatic deployment fails for the accounts that join
 * next, silently to everyone but the CloudFormation console.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 */
function fastPathProblems(
  config: GuardrailConfig,
  organization: OrganizationModel,
  key: KeyOf,
): string[] {
  if (!config.fastPath.enabled) {
    return [];
  }
  const problems: string[] = [];
  config.fastPath.regions.forEach((region, index) => {
    const info = knownRegion(region);
    if (info !== undefined && info.partition !== organization.partition) {
      problems.push(
        `${key(["fastPath", "regions", index])}: ${region} is in the ${info.partition} partition, but ${organization.organization.id} is in ${organization.partition}; a StackSet deploys only within its own partition: remove it`,
      );
    }
  });
  const regions = fastPathRegions(config, organization.partition);
  const accounts = fastPathAccountCount(config, organization);
  const instances = accounts * regions.length;
  const quota = config.fastPath.stackInstanceQuota;
  if (instances > quota) {
    const fits = Math.floor(quota / Math.max(1, accounts));
    // The regions always included: the global-events region and homeRegion (one when they agree).
    const always = fastPathRegions(
      { ...config, fastPath: { ...config.fastPath, regions: [] } },
      organization.partition,
    ).length;
    problems.push(
      `${key(["fastPath", "regions"])}: ${accounts} member accounts x ${regions.length} regions (${regions.join(", ")}) = ${instances} stack instances, over the stack set quota of ${quota} (fastPath.stackInstanceQuota): ` +
        (fits >= always
          ? `list at most ${fits - always} region(s) besides ${regions.slice(0, always).join(" and ")} (always included), or raise the quota with AWS and set fastPath.stackInstanceQuota`
          : "raise the quota with AWS and set fastPath.stackInstanceQuota, or set fastPath.enabled: false"),
    );
  }
  return problems;
}

/**
 * The accounts the StackSet deploys to: every member account (service-managed stack sets skip the
 * management account), those the stack declares and the organization does not have yet included.
 */
function fastPathAccountCount(config: GuardrailConfig, organization: OrganizationModel): number {
  const emails = new Set(organization.accounts.map((account) => account.email.toLowerCase()));
  const declaredNew = config.accounts.filter((account) => !emails.has(account.email.toLowerCase()));
  return organization.memberAccounts().length + declaredNew.length;
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

/** Keys of the stack whose namespace is a near miss of this project's, one problem each. */
function namespaceProblems(stackConfig: Readonly<Record<string, string>> | undefined): string[] {
  return Object.keys(stackConfig ?? {}).flatMap(
    (stackKey) => misspeltNamespaceProblem(stackKey, PROJECT_NAMESPACE) ?? [],
  );
}

/**
 * The raw project config against the schema: the typed config with defaults applied, or a
 * problem per issue, each as `<namespace>:<key>: <message>` with list entries named.
 */
export function parseProjectConfig(raw: Record<string, unknown>): {
  readonly config?: GuardrailConfig;
  readonly problems: readonly string[];
} {
  const parsed = guardrailConfigSchema.safeParse(raw, { error: humanIssueMessage });
  if (parsed.success) {
    return { config: parsed.data, problems: [] };
  }
  const key = keyFormatter(raw);
  const problems = parsed.error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map(
          (name) =>
            `${key([...issue.path, name])}: ${unknownKeyMessage(name, keysAt(guardrailConfigSchema, issue.path))}`,
        )
      : [`${key(issue.path)}: ${issue.message}`],
  );
  return { problems };
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
  const key = keyFormatter(raw);
  const parsed = parseProjectConfig(raw);
  const problems = [
    ...namespaceProblems(context.stackConfig),
    ...parsed.problems,
    ...organizationProblems(raw, context, key),
  ];
  if (parsed.config !== undefined) {
    // Declared OUs and accounts are checked once they are well-formed.
    const topology = resolveDeclared(
      parsed.config.organizationalUnits,
      parsed.config.accounts,
      context.organization,
    );
    problems.push(
      ...topology.problems.map((problem) => `${key(problem.path)}: ${problem.message}`),
      ...fastPathProblems(parsed.config, context.organization, key),
    );
  }
  if (parsed.config === undefined || problems.length > 0) {
    const count = problems.length === 1 ? "1 error" : `${problems.length} errors`;
    throw new InputError(
      `Stack config has ${count}${where}; no resource was registered:`,
      problems,
    );
  }
  return parsed.config;
}

/**
 * The project's raw config from a stack's config as the Pulumi CLI hands it to the program
 * (`pulumi.runtime.allConfig()`, or a stack file read offline): every namespace, every value a
 * string. Throws the missing-config error when the stack has no key of the project at all, not
 * even under a misspelt namespace (those are named by the validation).
 */
export function projectConfigOf(
  stackConfig: Readonly<Record<string, string>>,
  options: { readonly source?: string; readonly yamlNumbers?: YamlNumbers } = {},
): Record<string, unknown> {
  const raw = projectConfigFromPulumi(stackConfig, options.yamlNumbers);
  if (raw === undefined && namespaceProblems(stackConfig).length === 0) {
    throw missingConfigError(options.source);
  }
  return raw ?? {};
}

/**
 * Validates a stack's config as the Pulumi CLI hands it to the program: the project's keys
 * (projectConfigOf, validateGuardrailConfig), `aws:region` against homeRegion, and keys of a
 * misspelt namespace.
 */
export function validateStackConfig(
  stackConfig: Readonly<Record<string, string>>,
  context: Omit<ValidationContext, "stackConfig"> & { readonly yamlNumbers?: YamlNumbers },
): GuardrailConfig {
  return validateGuardrailConfig(projectConfigOf(stackConfig, context), {
    organization: context.organization,
    now: context.now,
    source: context.source,
    stackConfig,
  });
}
