/**
 * A small harness around `runSimulation` from @cloud-copilot/iam-simulate, to evaluate one request
 * against the SCPs of an organization the way AWS does.
 *
 * @cloud-copilot/iam-simulate is AGPL-licensed: import it (and this file) from test/ only.
 *
 * What the simulator does and does not model, as found by reading its dist/ code (v0.1.173) and
 * by trying it; the harness fills the gaps so that a test cannot pass for the wrong reason:
 *
 * - The simulator populates NO context keys by itself (its README lists "automatically populating
 *   context keys from the request" as a future feature). `aws:PrincipalArn`, `aws:PrincipalAccount`,
 *   `aws:CurrentTime`... exist only if the caller passes them. A missing key does not raise an
 *   error: a condition on it just evaluates as AWS evaluates a missing key. For the root-access SCP
 *   that fails open: without `aws:CurrentTime`, `DateGreaterThan aws:CurrentTime` never matches and
 *   a break-glass window never closes. AWS always sets these three keys, so the harness requires
 *   them (and checks that `aws:PrincipalAccount` agrees with `aws:PrincipalArn`).
 * - A context key that is not valid for the action/resource is silently dropped (it is only listed
 *   in `ignoredContextKeys`). All global keys, `aws:AssumedRoot` included, are valid for every
 *   action, but the harness still throws if any key was dropped.
 * - A multi-valued key (`aws:PrincipalOrgPaths`, `kms:ResourceAliases`...) is passed as an array. A
 *   single-valued key given an array is not rejected: the simulator quietly keeps its first
 *   element. The harness refuses it.
 * - An unparseable value in a condition (e.g. a date that `Date.parse` rejects) is no validation
 *   error either: the condition just does not match, with `errors` in the statement's explain. In a
 *   Deny statement that fails open, so the harness throws on `errors` in an explain, with one
 *   exception: a policy `Resource` that simply is not the request's resource. The simulator records
 *   that as a non-match with `errors` too ("Service does not match", "Account does not match",
 *   "Product does not match"...), so every statement naming another resource would look broken.
 *   Its `mismatchReason` tells the two apart: the reasons the simulator marks `invertible` prove
 *   the resources differ and are skipped; the others (an invalid policy ARN, a request without a
 *   resource, a policy variable the request cannot resolve, a short ARN it had to expand) still
 *   throw.
 * - Validation errors (bad policy grammar, unknown action, resource ARN not of a type the action
 *   takes, specific ARN for a wildcard-only action...) come back as `resultType: 'error'`; the
 *   harness throws them, so they can never be mistaken for a deny. A resource ARN containing `*`
 *   for an action that is not wildcard-only makes the simulator run one simulation per pattern
 *   (`resultType: 'wildcard'`); the harness refuses that too: give a concrete ARN.
 * - The root user is not special to the simulator: `arn:aws:iam::<account>:root` is accepted as a
 *   request principal and treated like any IAM principal, so it is allowed only by an identity
 *   policy. In AWS the root user has no identity policies and may do everything in its own account;
 *   the harness models that (and "an admin user/role") with an identity policy allowing `*`. AWS
 *   services whose resource policy is authoritative still need that policy: for a KMS key the
 *   simulator (like AWS) requires the key policy to trust the account, so pass the default key
 *   policy as `resourcePolicy`.
 * - SCPs never apply to principals of the management account, nor to service-linked roles. The
 *   simulator knows neither rule: it applies whatever SCPs it is given to every principal. The
 *   harness passes no SCPs at all for a management-account request (the caller says so) or for a
 *   service-linked role (`aws:PrincipalArn` under `role/aws-service-role/`).
 * - `sts:GetCallerIdentity` is always Allowed for an authenticated principal, before any policy,
 *   SCPs included (the simulator's StsServiceAuthorizer short-circuits it). That is AWS's
 *   documented behavior: no permission is needed for it and an explicit deny does not stop it.
 * - The simulator applies no implicit RCP unless given an org level for RCPs; the harness passes
 *   none (RCPs are not what these tests are about; AWS's default RCP allows everything anyway).
 */
import { OrganizationModel } from "../../org/model";
import {
  isConditionKeyArray,
  runSimulation,
  typeForContextKey,
  type ResourceExplain,
  type Simulation,
} from "@cloud-copilot/iam-simulate";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** AWS's `FullAWSAccess` SCP, attached by default to every root, OU and account of an organization. */
export const FULL_AWS_ACCESS = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
} as const;

/** The identity policy that stands for the root user's (or an administrator's) own permissions. */
export const ALLOW_EVERYTHING = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
} as const;

/** The default KMS key policy: lets the account's IAM policies (and its root user) use the key. */
export function defaultKeyPolicy(partition: string, accountId: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Enable IAM User Permissions",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    ],
  };
}

export interface NamedPolicy {
  readonly name: string;
  readonly policy: unknown;
}

/** One level of an account's chain in the organization: the root, an OU, or the account itself. */
export interface OrgLevel {
  /** `r-...`, `ou-...` or the 12-digit account id. */
  readonly id: string;
  /** The SCPs attached at this level, besides `FullAWSAccess` (which the harness always adds). */
  readonly scps?: readonly NamedPolicy[];
}

/** The principal making a request, with the context keys AWS would set for it. */
export interface RequestPrincipal {
  /** The caller's ARN: user, role, `sts` assumed-role session, or `arn:...:iam::<account>:root`. */
  readonly arn: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

export interface ScpRequest {
  /** The chain of the principal's account, root first, then its OUs, then the account. */
  readonly chain: readonly OrgLevel[];
  /** The principal's account is the organization's management account: SCPs do not apply. */
  readonly managementAccount: boolean;
  readonly principal: RequestPrincipal;
  readonly action: string;
  /** The resource ARN (`*` for a wildcard-only action) and the account that owns it. */
  readonly resource: { readonly arn: string; readonly accountId: string };
  /** Request-level context keys (`aws:CurrentTime`...), merged over the principal's. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** The resource's policy, e.g. a KMS key policy. */
  readonly resourcePolicy?: unknown;
  /**
   * The principal's identity policies; default one allowing everything (an administrator, or the
   * root user). A service principal has none: pass an empty list and its `resourcePolicy`.
   */
  readonly identityPolicies?: readonly NamedPolicy[];
}

export interface ScpOutcome {
  readonly decision: Decision;
  /** `policy/Sid` of every SCP statement that explicitly denied the request. */
  readonly deniedBy: readonly string[];
  /** Whether SCPs were passed to the simulator (false for the management account and SLRs). */
  readonly scpsApplied: boolean;
}

const REQUIRED_CONTEXT_KEYS = ["aws:PrincipalArn", "aws:PrincipalAccount", "aws:CurrentTime"];

/** Runs the request through the simulator; throws if the simulation itself is invalid. */
export async function simulateScp(request: ScpRequest): Promise<ScpOutcome> {
  const context: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries({ ...request.principal.context, ...request.context })) {
    context[key] = typeof value === "string" ? value : [...value];
  }
  for (const key of REQUIRED_CONTEXT_KEYS) {
    if (typeof context[key] !== "string" || context[key] === "") {
      throw new Error(`simulated request lacks ${key}, which AWS always sets`);
    }
  }
  for (const [key, value] of Object.entries(context)) {
    if (Array.isArray(value) && !isConditionKeyArray(await typeForContextKey(key))) {
      throw new Error(`${key} is single-valued, but the request gives it ${value.length} values`);
    }
  }
  const principalArn = context["aws:PrincipalArn"] as string;
  const principalAccount = context["aws:PrincipalAccount"] as string;
  if (principalArn.split(":")[4] !== principalAccount) {
    throw new Error(
      `aws:PrincipalAccount ${principalAccount} is not the account of ${principalArn}`,
    );
  }
  if (request.principal.arn.split(":")[4] !== principalAccount) {
    throw new Error(`principal ${request.principal.arn} is not in account ${principalAccount}`);
  }
  if (
    request.chain.length === 0 ||
    request.chain[request.chain.length - 1].id !== principalAccount
  ) {
    throw new Error(`the chain must end with the principal's account ${principalAccount}`);
  }

  const serviceLinkedRole = /^arn:[^:]+:iam::\d{12}:role\/aws-service-role\//.test(principalArn);
  const scpsApplied = !request.managementAccount && !serviceLinkedRole;
  const simulation: Simulation = {
    request: {
      principal: request.principal.arn,
      action: request.action,
      resource: { resource: request.resource.arn, accountId: request.resource.accountId },
      contextVariables: context,
    },
    identityPolicies: [
      ...(request.identityPolicies ?? [{ name: "AllowEverything", policy: ALLOW_EVERYTHING }]),
    ],
    serviceControlPolicies: scpsApplied
      ? request.chain.map((level) => ({
          orgIdentifier: level.id,
          policies: [
            { name: `${level.id}/FullAWSAccess`, policy: FULL_AWS_ACCESS },
            ...(level.scps ?? []).map((scp) => ({
              name: `${level.id}/${scp.name}`,
              policy: scp.policy,
            })),
          ],
        }))
      : [],
    resourceControlPolicies: [],
    ...(request.resourcePolicy !== undefined ? { resourcePolicy: request.resourcePolicy } : {}),
  };

  const response = await runSimulation(simulation, { simulationMode: "Strict" });
  const what = `${request.action} on ${request.resource.arn} by ${request.principal.arn}`;
  if (response.resultType === "error") {
    throw new Error(
      `iam-simulate rejected the simulation of ${what}: ${response.errors.message} ` +
        JSON.stringify(response.errors),
    );
  }
  if (response.resultType !== "single") {
    throw new Error(`${what}: a wildcard resource ran several simulations; give a concrete ARN`);
  }
  const { analysis, ignoredContextKeys } = response.result;
  if (ignoredContextKeys && ignoredContextKeys.length > 0) {
    throw new Error(`${what}: the simulator dropped context keys ${ignoredContextKeys.join(", ")}`);
  }
  const explainErrors = collectExplainErrors(analysis);
  if (explainErrors.length > 0) {
    throw new Error(`${what}: statements could not be evaluated: ${explainErrors.join("; ")}`);
  }
  const deniedBy = (analysis.scpAnalysis?.ouAnalysis ?? []).flatMap((ou) =>
    ou.denyStatements.map((s) => `${s.policyId}/${s.explain.identifier}`),
  );
  return { decision: response.overallResult, deniedBy, scpsApplied };
}

/** The decision only. */
export async function decide(request: ScpRequest): Promise<Decision> {
  return (await simulateScp(request)).decision;
}

type Analysis = Extract<
  Awaited<ReturnType<typeof runSimulation>>,
  { resultType: "single" }
>["result"]["analysis"];

type ResourceMismatchReason = NonNullable<ResourceExplain["mismatchReason"]>;

/**
 * Whether each reason the simulator gives for a policy resource not matching the request's is a
 * definitive "another resource" (its `invertible` flag, in the simulator's statementExplain), whose
 * `errors` are no evaluation problem. A `Record` over the simulator's own type: a reason added by a
 * new version fails type checking here until it is classified.
 */
const DEFINITIVE_RESOURCE_MISMATCH: Readonly<Record<ResourceMismatchReason, boolean>> = {
  invalidPolicyResourceArn: false,
  requestMissingResource: false,
  unresolvablePolicyVariable: false,
  shortArnExpandedMismatch: false,
  shortArnNoMatch: true,
  wildcardOnlyActionSpecificResource: true,
  requestAllResourcesSpecificNotResource: true,
  requestAllResourcesDenySpecificResource: true,
  resourcePatternMismatch: true,
  partitionMismatch: true,
  serviceMismatch: true,
  regionMismatch: true,
  accountMismatch: true,
  productMismatch: true,
  resourceIdMismatch: true,
};

/** A resource explain recording that a policy resource is, definitively, another resource. */
function isDefinitiveResourceMismatch(explain: Record<string, unknown>): boolean {
  const reason = explain.mismatchReason;
  return (
    explain.matches === false &&
    typeof reason === "string" &&
    Object.hasOwn(DEFINITIVE_RESOURCE_MISMATCH, reason) &&
    DEFINITIVE_RESOURCE_MISMATCH[reason as ResourceMismatchReason]
  );
}

/**
 * Every `errors` entry in the explains of every statement the simulator evaluated, except those of
 * a definitive resource mismatch.
 */
function collectExplainErrors(analysis: Analysis): string[] {
  const groups = [
    analysis.identityAnalysis,
    analysis.resourceAnalysis,
    ...(analysis.scpAnalysis?.ouAnalysis ?? []),
    ...(analysis.rcpAnalysis?.ouAnalysis ?? []),
  ];
  const found: string[] = [];
  for (const group of groups) {
    if (!group) {
      continue;
    }
    for (const statement of [
      ...group.allowStatements,
      ...group.denyStatements,
      ...group.unmatchedStatements,
    ]) {
      walk(statement.explain, (errors) =>
        found.push(`${statement.policyId}/${statement.explain.identifier}: ${errors.join(", ")}`),
      );
    }
  }
  return found;
}

function walk(value: unknown, onErrors: (errors: string[]) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item) => walk(item, onErrors));
  } else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const skipErrors = isDefinitiveResourceMismatch(record);
    for (const [key, item] of Object.entries(record)) {
      if (key !== "errors") {
        walk(item, onErrors);
      } else if (!skipErrors && Array.isArray(item) && item.length > 0) {
        onErrors(item.map(String));
      }
    }
  }
}

/**
 * Realistic principals and the context keys AWS sets for their requests. (Optional keys such as
 * `aws:MultiFactorAuthPresent` are left out: the policies under test do not look at them.)
 */
export interface OrgInfo {
  readonly partition: string;
  readonly organizationId: string;
  /** `o-.../r-.../ou-.../` for `aws:PrincipalOrgPaths`. */
  readonly orgPath: string;
}

/** What the request context says of an account's organization (partition `aws`). */
export function orgInfoOf(organization: OrganizationModel, accountId: string): OrgInfo {
  return {
    partition: "aws",
    organizationId: organization.organization.id,
    orgPath:
      [organization.organization.id, ...organization.ancestors(accountId).reverse()].join("/") +
      "/",
  };
}

/** The chain of an account (the root, its OUs from the top, the account), `scps` at the root. */
export function chainOf(
  organization: OrganizationModel,
  accountId: string,
  scps: readonly NamedPolicy[],
): OrgLevel[] {
  return [
    ...organization
      .ancestors(accountId)
      .reverse()
      .map((id) => ({ id, scps: id === organization.root.id ? scps : [] })),
    { id: accountId },
  ];
}

function orgContext(org: OrgInfo, accountId: string, principalArn: string) {
  return {
    "aws:PrincipalArn": principalArn,
    "aws:PrincipalAccount": accountId,
    "aws:PrincipalOrgID": org.organizationId,
    "aws:PrincipalOrgPaths": [org.orgPath],
  };
}

export const principals = {
  /**
   * The root user, signed in with its password or using root access keys. Its ARN (as in
   * CloudTrail's userIdentity) is `arn:<partition>:iam::<account>:root`, which is also its
   * `aws:PrincipalArn`; `aws:PrincipalType` is `Account` and `aws:userid` is the account id.
   */
  rootUser(org: OrgInfo, accountId: string): RequestPrincipal {
    const arn = `arn:${org.partition}:iam::${accountId}:root`;
    return {
      arn,
      context: {
        ...orgContext(org, accountId, arn),
        "aws:PrincipalType": "Account",
        "aws:userid": accountId,
      },
    };
  },
  /**
   * A session from `sts:AssumeRoot` (centralized root access, called from the management account or
   * a delegated administrator): the credentials are the member's root user, so the principal looks
   * exactly like the root user, plus `aws:AssumedRoot` = `true`.
   */
  assumedRootSession(org: OrgInfo, accountId: string): RequestPrincipal {
    const root = principals.rootUser(org, accountId);
    return { arn: root.arn, context: { ...root.context, "aws:AssumedRoot": "true" } };
  },
  /** An IAM user. */
  iamUser(org: OrgInfo, accountId: string, userName: string): RequestPrincipal {
    const arn = `arn:${org.partition}:iam::${accountId}:user/${userName}`;
    return {
      arn,
      context: {
        ...orgContext(org, accountId, arn),
        "aws:PrincipalType": "User",
        "aws:username": userName,
        "aws:userid": "AIDAEXAMPLEUSERID0001",
      },
    };
  },
  /**
   * A role session. The caller's ARN is the `sts` assumed-role ARN, but `aws:PrincipalArn` is the
   * ARN of the role itself (with its path).
   */
  roleSession(
    org: OrgInfo,
    accountId: string,
    roleName: string,
    sessionName: string,
    rolePath = "/",
  ): RequestPrincipal {
    const roleArn = `arn:${org.partition}:iam::${accountId}:role${rolePath}${roleName}`;
    return {
      arn: `arn:${org.partition}:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      context: {
        ...orgContext(org, accountId, roleArn),
        "aws:PrincipalType": "AssumedRole",
        "aws:userid": `AROAEXAMPLEROLEID0001:${sessionName}`,
      },
    };
  },
  /**
   * The role ARN itself as the caller. AWS never authorizes a request as a bare role (callers are
   * sessions), but the simulator accepts it, and it is how policy tools usually name "the role".
   */
  role(org: OrgInfo, accountId: string, roleName: string, rolePath = "/"): RequestPrincipal {
    const arn = `arn:${org.partition}:iam::${accountId}:role${rolePath}${roleName}`;
    return {
      arn,
      context: { ...orgContext(org, accountId, arn), "aws:PrincipalType": "AssumedRole" },
    };
  },
  /** A session of a service-linked role (SCPs do not apply to it). */
  serviceLinkedRoleSession(
    org: OrgInfo,
    accountId: string,
    servicePrincipal: string,
    roleName: string,
  ): RequestPrincipal {
    return principals.roleSession(
      org,
      accountId,
      roleName,
      "service-session",
      `/aws-service-role/${servicePrincipal}/`,
    );
  },
};
