import { DeclaredTopology, declaredAncestors } from "../config/declared";
import { fastPathRegions } from "../config/names";
import { RootCredentialsAudit, rootCredentialsLine } from "../rootCredentials/auditFile";
import { GuardrailConfig } from "../config/schema";
import { AccountState, OrganizationModel } from "../org/model";
import { SCP_DEFINITIONS, ScpKind } from "../policies/scpDefinitions";
import { ScpPlan } from "../policies/scpPlan";

/**
 * Which guardrails reach each member account once this stack is applied: pure, from validated
 * config, the organization and the SCP plan, so the report and the program cannot disagree.
 */

export interface ScpInForce {
  readonly name: string;
  /** Where it is attached: a root, OU or account id (or `declared:<name>` for a new OU). */
  readonly attachedAt: string;
  readonly managedByThisStack: boolean;
}

/** Per SCP definition, whether all of its SCPs reach the account: `rootAccessScp`, ... */
export type ScpCoverage = { readonly [K in ScpKind as `${K}Scp`]: boolean };

/** The report's field for an SCP definition. */
export function coverageField(kind: ScpKind): keyof ScpCoverage {
  return `${kind}Scp`;
}

/**
 * Whether root events of an account reach EventBridge's rule, per region of `fastPath.regions`:
 * `deployed` (its stack instance is CURRENT), `missing` (no instance), or the instance's status
 * (OUTDATED/RUNNING, INOPERABLE, OUTDATED/FAILED...); for the account as a whole also `on apply`
 * (the stack set does not exist yet, or the account is to be created: automatic deployment gives
 * it the stacks), `unknown` (the organization source recorded no stack instances) and `off`.
 */
export interface FastPathCoverage {
  readonly state: "deployed" | "incomplete" | "on apply" | "unknown" | "off";
  readonly regions: readonly { readonly region: string; readonly state: string }[];
}

export interface AccountCoverage extends ScpCoverage {
  readonly accountId: string;
  readonly name: string;
  /** `Root/Workloads/Prod`. */
  readonly path: string;
  readonly state: AccountState | "TO BE CREATED";
  readonly scps: readonly ScpInForce[];
  readonly organizationTrail: boolean;
  readonly fastPath: FastPathCoverage;
  /** With a root-credentials audit: "none", "password, 2 access keys", "not audited", ... */
  readonly rootCredentials?: string;
  readonly breakGlass?: { readonly expiresAt: string; readonly state: "open" | "expired" };
  readonly covered: boolean;
  /** Why not, for uncovered accounts. */
  readonly gaps: readonly string[];
}

export interface CoverageReport {
  readonly organizationId: string;
  readonly trailName: string;
  readonly generatedAt: string;
  /** Whether the organization source recorded existing SCP attachments. */
  readonly existingScpsKnown: boolean;
  /** Whether it recorded the fast path's stack set in homeRegion (npm run discover reads it). */
  readonly fastPathKnown: boolean;
  /** The region the stack set was read in, when it was. */
  readonly fastPathReadIn: string | undefined;
  /** The root-credentials audit the report used, when one was given. */
  readonly rootCredentialsAudit?: {
    readonly file: string;
    readonly auditedAt: string;
    readonly ageHours: number;
  };
  readonly accounts: readonly AccountCoverage[];
  /** Suspended or closing accounts: listed apart, never counted as uncovered. */
  readonly inactive: readonly {
    readonly accountId: string;
    readonly name: string;
    readonly state: AccountState;
  }[];
  readonly managementAccount: { readonly accountId: string; readonly name: string };
  readonly uncovered: readonly string[];
}

export function computeCoverage(
  config: GuardrailConfig,
  organization: OrganizationModel,
  scps: ScpPlan,
  topology: DeclaredTopology,
  now: Date,
  rootCredentials?: RootCredentialsAudit,
): CoverageReport {
  const ours = new Set(scps.all.map((scp) => scp.name));
  const attachedHere = (targetId: string): ScpInForce[] => [
    // Existing SCPs, except earlier versions of this stack's own (the stack replaces them).
    ...organization
      .policiesAttachedTo(targetId)
      .filter((policy) => !ours.has(policy.name))
      .map((policy) => ({ name: policy.name, attachedAt: targetId, managedByThisStack: false })),
    ...scps.all
      .filter((scp) => scp.targets.some((target) => target.id === targetId))
      .map((scp) => ({ name: scp.name, attachedAt: targetId, managedByThisStack: true })),
  ];
  const breakGlassOf = (accountId: string): AccountCoverage["breakGlass"] => {
    const entry = config.rootAccess.breakGlass.find(
      (candidate) => candidate.accountId === accountId,
    );
    return entry === undefined
      ? undefined
      : {
          expiresAt: entry.expiresAt,
          state: Date.parse(entry.expiresAt) >= now.getTime() ? "open" : "expired",
        };
  };
  const regions = fastPathRegions(config, organization.partition);
  // The stack set lives in homeRegion: one read elsewhere finds nothing and proves nothing.
  const stackSetReadHere = organization.stackSet?.region === config.homeRegion;
  const instances = new Map(
    (organization.stackSet?.instances ?? []).map((instance) => [
      `${instance.accountId}|${instance.region}`,
      instance,
    ]),
  );
  const fastPathOf = (accountId: string, state: AccountCoverage["state"]): FastPathCoverage => {
    if (!config.fastPath.enabled) {
      return { state: "off", regions: [] };
    }
    const all = (regionState: string) => regions.map((region) => ({ region, state: regionState }));
    if (
      state === "TO BE CREATED" ||
      (stackSetReadHere && organization.stackSet?.exists === false)
    ) {
      return { state: "on apply", regions: all("on apply") };
    }
    if (organization.stackSet === undefined || !stackSetReadHere) {
      return { state: "unknown", regions: all("unknown") };
    }
    const perRegion = regions.map((region) => {
      const instance = instances.get(`${accountId}|${region}`);
      if (instance === undefined) {
        return { region, state: "missing" };
      }
      // CURRENT is "the stack is up to date with the stack set"; the detailed status says how the
      // last operation on it went.
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackInstanceSummary.html
      const healthy =
        instance.status === "CURRENT" &&
        (instance.detailedStatus === undefined || instance.detailedStatus === "SUCCEEDED");
      return {
        region,
        state: healthy
          ? "deployed"
          : [instance.status, instance.detailedStatus]
              .filter((part) => part !== undefined)
              .join("/"),
      };
    });
    return {
      state: perRegion.every((entry) => entry.state === "deployed") ? "deployed" : "incomplete",
      regions: perRegion,
    };
  };
  const assess = (
    accountId: string,
    name: string,
    state: AccountCoverage["state"],
    chain: readonly string[],
  ): AccountCoverage => {
    const levels = [...chain].reverse();
    const scpsInForce = levels.flatMap(attachedHere);
    const reaches = (scpName: string): boolean => scpsInForce.some((scp) => scp.name === scpName);
    const coverage = {} as Record<keyof ScpCoverage, boolean>;
    const gaps: string[] = [];
    for (const definition of SCP_DEFINITIONS) {
      const planned = scps.ofKind(definition.kind);
      const reached = planned.length > 0 && planned.every((scp) => reaches(scp.name));
      coverage[coverageField(definition.kind)] = reached;
      if (!reached) {
        gaps.push(`the ${definition.label} SCP is attached to none of ${levels.join(", ")}`);
      }
    }
    const fastPath = fastPathOf(accountId, state);
    const notDeployed = fastPath.regions.filter(
      (entry) => !["deployed", "on apply", "unknown"].includes(entry.state),
    );
    if (notDeployed.length > 0) {
      gaps.push(
        `the fast path is not deployed in ${notDeployed.map((entry) => `${entry.region} (${entry.state})`).join(", ")}: root events there reach the notifier only minutes later, through the log group`,
      );
    }
    // Accounts still to be created have no root credentials to audit yet.
    const credentials =
      rootCredentials === undefined || state === "TO BE CREATED"
        ? undefined
        : rootCredentialsLine(rootCredentials, accountId);
    if (credentials !== undefined && credentials !== "none") {
      gaps.push(
        `root credentials: ${credentials} (npm run root-credentials -- remove --accounts ${accountId})`,
      );
    }
    const breakGlass = breakGlassOf(accountId);
    if (breakGlass?.state === "expired") {
      gaps.push(`its break-glass entry expired at ${breakGlass.expiresAt}: remove it`);
    }
    // The containers between the root and the account.
    const path = levels
      .slice(1, -1)
      .map((id) =>
        id.startsWith("declared:")
          ? id.slice("declared:".length)
          : (organization.organizationalUnit(id)?.name ?? id),
      );
    return {
      accountId,
      name,
      path: [organization.root.name, ...path].join("/"),
      state,
      scps: scpsInForce,
      ...coverage,
      // An organization trail logs every account of the organization, present and future.
      organizationTrail: true,
      fastPath,
      ...(credentials === undefined ? {} : { rootCredentials: credentials }),
      breakGlass,
      covered: gaps.length === 0,
      gaps,
    };
  };

  const active = organization.memberAccounts().filter((account) => account.state === "ACTIVE");
  const accounts = active.map((account) =>
    assess(account.id, account.name, account.state, [
      account.id,
      ...organization.ancestors(account.id),
    ]),
  );
  for (const declared of topology.accounts.filter((account) => account.existingId === undefined)) {
    const chain = declaredAncestors(declared.parentRef, topology, organization);
    accounts.push(
      assess(`(new) ${declared.name}`, declared.name, "TO BE CREATED", [
        `declared-account:${declared.name}`,
        ...chain,
      ]),
    );
  }
  const management = organization.account(organization.managementAccountId);
  return {
    organizationId: organization.organization.id,
    trailName: config.trail.name,
    generatedAt: now.toISOString(),
    existingScpsKnown: organization.policies !== undefined,
    fastPathKnown: organization.stackSet !== undefined && stackSetReadHere,
    fastPathReadIn: organization.stackSet?.region,
    ...(rootCredentials === undefined
      ? {}
      : {
          rootCredentialsAudit: {
            file: rootCredentials.file,
            auditedAt: rootCredentials.auditedAt.toISOString(),
            ageHours: Math.round(rootCredentials.ageHours * 10) / 10,
          },
        }),
    accounts,
    inactive: organization
      .memberAccounts()
      .filter((account) => account.state !== "ACTIVE")
      .map((account) => ({ accountId: account.id, name: account.name, state: account.state })),
    managementAccount: {
      accountId: organization.managementAccountId,
      name: management?.name ?? "",
    },
    uncovered: accounts.filter((account) => !account.covered).map((account) => account.accountId),
  };
}
