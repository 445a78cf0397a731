/**
 * Service-to-service requests evaluated the way AWS evaluates them: an AWS service principal
 * (cloudtrail.amazonaws.com, logs.<region>.amazonaws.com, ...) acting on a resource whose policy
 * must let it in, or one of the program's roles acting with its identity policy (and, in a member
 * account, under the SCPs). Test support around @cloud-copilot/iam-simulate (AGPL: tests only).
 *
 * The simulator drops request-context keys of the form `kms:EncryptionContext:<key>` (a
 * condition on one never matches there). Those conditions are decided here instead: they are
 * decided here instead, in every policy of the request (StringEquals, StringLike, ArnEquals,
 * ArnLike, Null: the
 * operators the planned policies use; any other fails loudly): a statement whose conditions the
 * request's encryption context does not meet is dropped before the simulation, one whose it meets
 * loses them.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { Decision, ScpRequest, simulateScp } from "./scpSimulator";

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

/**
 * The policy as it stands for a request with this encryption context: an Allow statement whose
 * encryption-context conditions the context does not meet cannot apply and is dropped; in one
 * whose conditions it meets they are taken out (the simulator would drop the keys). Exact for
 * Allow statements, which is all the planned policies condition this way.
 */
export function applyEncryptionContext(
  policy: unknown,
  encryptionContext: Readonly<Record<string, string>> = {},
): Document {
  const { policy: stripped, conditions } = stripEncryptionContext(policy);
  return {
    ...stripped,
    Statement: stripped.Statement.filter((statement, index) => {
      const needed = conditions.get(statement.Sid ?? String(index + 1));
      return needed === undefined || meetsEncryptionContext(needed, encryptionContext);
    }),
  };
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
      resourcePolicy: applyEncryptionContext(request.resourcePolicy, request.encryptionContext),
    },
    { simulationMode: "Strict" },
  );
  const what = `${request.action} on ${request.resource.arn} by ${request.service}`;
  if (response.resultType !== "single") {
    throw new Error(
      `${what}: ${JSON.stringify(response.resultType === "error" ? response.errors : response.resultType)}`,
    );
  }
  const { ignoredContextKeys } = response.result;
  if (ignoredContextKeys && ignoredContextKeys.length > 0) {
    throw new Error(`${what}: the simulator dropped context keys ${ignoredContextKeys.join(", ")}`);
  }
  return response.overallResult;
}

/**
 * One of the program's principals (a role in the management or a member account), judged by its
 * identity policies, the resource's policy and, in a member account, the SCPs; with the
 * encryption context of a KMS request decided as above, in every policy.
 */
export async function decidePrincipalRequest(
  request: ScpRequest & { readonly encryptionContext?: Readonly<Record<string, string>> },
): Promise<Decision> {
  const { encryptionContext, ...rest } = request;
  return (
    await simulateScp({
      ...rest,
      ...(request.identityPolicies === undefined
        ? {}
        : {
            identityPolicies: request.identityPolicies.map((named) => ({
              name: named.name,
              policy: applyEncryptionContext(named.policy, encryptionContext),
            })),
          }),
      ...(request.resourcePolicy === undefined
        ? {}
        : { resourcePolicy: applyEncryptionContext(request.resourcePolicy, encryptionContext) }),
    })
  ).decision;
}
