/**
 * Service-to-service requests evaluated the way AWS evaluates them: an AWS service principal
 * (cloudtrail.amazonaws.com, logs.<region>.amazonaws.com, ...) acting on a resource whose policy
 * must let it in, or one of the program's roles acting with its identity policy (and, in a member
 * account, under the SCPs). Test support around @cloud-copilot/iam-simulate (AGPL: tests only).
 *
 * The simulator drops request-context keys of the form `kms:EncryptionContext:<key>` (a
 * condition on one never matches there). Those conditions are decided here instead: they are
 * taken out of the resource policy before it is simulated, and a request is allowed only when one
 * of the resource statements that allowed it also has all its encryption-context conditions met
 * by the request's encryption context (StringEquals, StringLike, ArnEquals, ArnLike, Null: the
 * operators the planned policies use; any other fails loudly).
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { Decision, ScpRequest, simulateScp, simulateWithStatements } from "./scpSimulator";

type Condition = Record<string, Record<string, string | string[]>>;
interface Statement {
  Sid?: string;
  Effect: string;
  Condition?: Condition;
  [key: string]: unknown;
}
interface Document {
  Version?: string;
  Statement: Statement[];
}

const EC_PREFIX = "kms:encryptioncontext:";

/** The policy without its encryption-context conditions, and those conditions by statement. */
export function stripEncryptionContext(policy: unknown): {
  readonly policy: Document;
  readonly conditions: ReadonlyMap<string, Condition>;
} {
  const document = structuredClone(policy) as Document;
  const conditions = new Map<string, Condition>();
  document.Statement.forEach((statement, index) => {
    const id = statement.Sid ?? String(index + 1);
    const removed: Condition = {};
    for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
      for (const [key, value] of Object.entries(keys)) {
        if (key.toLowerCase().startsWith(EC_PREFIX)) {
          if (statement.Effect !== "Allow") {
            throw new Error(
              `${id}: an encryption-context condition on a Deny is not modelled here`,
            );
          }
          removed[operator] = { ...(removed[operator] ?? {}), [key]: value };
          delete keys[key];
        }
      }
      if (Object.keys(keys).length === 0 && statement.Condition !== undefined) {
        delete statement.Condition[operator];
      }
    }
    if (statement.Condition !== undefined && Object.keys(statement.Condition).length === 0) {
      delete statement.Condition;
    }
    if (Object.keys(removed).length > 0) {
      conditions.set(id, removed);
    }
  });
  return { policy: document, conditions };
}

function glob(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

/** Whether the request's encryption context meets every condition (AWS semantics, case-sensitive values). */
export function meetsEncryptionContext(
  conditions: Condition,
  context: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(conditions).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const name = key.slice(EC_PREFIX.length);
      const actual = Object.entries(context).find(([k]) => k === name)?.[1];
      const values = [expected].flat();
      switch (operator) {
        case "StringEquals":
        case "ArnEquals":
          return actual !== undefined && values.includes(actual);
        case "StringLike":
        case "ArnLike":
          return actual !== undefined && values.some((value) => glob(value).test(actual));
        case "Null":
          return values.every((value) => (value === "true") === (actual === undefined));
        default:
          throw new Error(`encryption-context operator ${operator} is not modelled here`);
      }
    }),
  );
}

export interface ServicePrincipalRequest {
  /** The service principal, e.g. `cloudtrail.amazonaws.com`. */
  readonly service: string;
  readonly action: string;
  readonly resource: { readonly arn: string; readonly accountId: string };
  /** Keys AWS sets for the service's request: aws:SourceArn, aws:SourceAccount, s3:x-amz-acl... */
  readonly context: Readonly<Record<string, string>>;
  readonly resourcePolicy: unknown;
  /** For KMS requests: the encryption context the service sends. */
  readonly encryptionContext?: Readonly<Record<string, string>>;
}

/**
 * A service principal's request, judged by the resource's policy alone (services have no
 * identity policies, and SCPs never apply to them).
 */
export async function decideServiceRequest(request: ServicePrincipalRequest): Promise<Decision> {
  const { policy, conditions } = stripEncryptionContext(request.resourcePolicy);
  const response = await runSimulation(
    {
      request: {
        principal: request.service,
        action: request.action,
        resource: { resource: request.resource.arn, accountId: request.resource.accountId },
        contextVariables: { ...request.context },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policy,
    },
    { simulationMode: "Strict" },
  );
  const what = `${request.action} on ${request.resource.arn} by ${request.service}`;
  if (response.resultType !== "single") {
    throw new Error(
      `${what}: ${JSON.stringify(response.resultType === "error" ? response.errors : response.resultType)}`,
    );
  }
  const { analysis, ignoredContextKeys } = response.result;
  if (ignoredContextKeys && ignoredContextKeys.length > 0) {
    throw new Error(`${what}: the simulator dropped context keys ${ignoredContextKeys.join(", ")}`);
  }
  const allowedBy = (analysis.resourceAnalysis?.allowStatements ?? []).map(
    (statement) => statement.explain.identifier,
  );
  return withEncryptionContext(
    response.overallResult,
    allowedBy,
    conditions,
    request.encryptionContext,
  );
}

/**
 * One of the program's principals (a role in the management or a member account), judged by its
 * identity policies, the resource's policy and, in a member account, the SCPs; with the
 * encryption context of a KMS request decided as above.
 */
export async function decidePrincipalRequest(
  request: ScpRequest & { readonly encryptionContext?: Readonly<Record<string, string>> },
): Promise<Decision> {
  if (request.resourcePolicy === undefined) {
    return (await simulateScp(request)).decision;
  }
  const { policy, conditions } = stripEncryptionContext(request.resourcePolicy);
  const outcome = await simulateWithStatements({ ...request, resourcePolicy: policy });
  return withEncryptionContext(
    outcome.decision,
    outcome.resourceAllowedBy,
    conditions,
    request.encryptionContext,
  );
}

function withEncryptionContext(
  decision: Decision,
  allowedBy: readonly string[],
  conditions: ReadonlyMap<string, Condition>,
  encryptionContext: Readonly<Record<string, string>> | undefined,
): Decision {
  if (decision !== "Allowed" || conditions.size === 0) {
    return decision;
  }
  // Allowed only if some allowing statement needs no encryption context, or gets what it needs.
  const satisfied = allowedBy.some((id) => {
    const needed = conditions.get(id);
    return needed === undefined || meetsEncryptionContext(needed, encryptionContext ?? {});
  });
  // Same-account requests may also be allowed by an identity policy through a statement that
  // trusts the account; if no resource statement allowed, the simulator's answer stands.
  return allowedBy.length === 0 || satisfied ? decision : "ImplicitlyDenied";
}
