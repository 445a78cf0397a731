import { evaluateProgram, Evaluation, ProgramError, RecordedResource } from "../../offline/engine";
import { STACK_FILE_ENV } from "../../offline/stackFile";
import { SNAPSHOT_ENV } from "../../org/source";
import { DEV_SNAPSHOT, DEV_STACK_FILE, devStackConfig } from "./fixtures";

export interface RunProgramOptions {
  /** Replaces or adds config keys (full keys, values as the CLI passes them). */
  readonly config?: Record<string, string>;
  /** Removes config keys. */
  readonly without?: readonly string[];
  readonly preview?: boolean;
  readonly snapshot?: string;
  /** The stack file the program is told its config came from (as the offline plan does). */
  readonly stackFile?: string;
}

/**
 * Runs the real index.ts under Pulumi mocks (setMocks first, then a dynamic import, as the
 * Pulumi testing docs show) with the dev stack's config, and returns every registration.
 */
export async function runProgram(options: RunProgramOptions = {}): Promise<Evaluation> {
  const config = { ...devStackConfig(), ...(options.config ?? {}) };
  for (const key of options.without ?? []) {
    delete config[key];
  }
  return evaluateProgram({
    project: "aws-org-guardrails",
    stack: "dev",
    config,
    preview: options.preview ?? false,
    env: {
      [SNAPSHOT_ENV]: options.snapshot ?? DEV_SNAPSHOT,
      // The tests' own stack file, never the project's stacks/ (which a repository may drop).
      [STACK_FILE_ENV]: options.stackFile ?? DEV_STACK_FILE,
    },
  });
}

/** Runs the program expecting it to fail; returns the failure. */
export async function runProgramExpectingFailure(
  options: RunProgramOptions = {},
): Promise<ProgramError> {
  try {
    await runProgram(options);
  } catch (error) {
    if (error instanceof ProgramError) {
      return error;
    }
    throw error;
  }
  throw new Error("expected the program to fail");
}

export function byType(resources: readonly RecordedResource[], type: string): RecordedResource[] {
  return resources.filter((resource) => resource.type === type);
}

export function one(
  resources: readonly RecordedResource[],
  type: string,
  name?: string,
): RecordedResource {
  const matches = byType(resources, type).filter(
    (resource) => name === undefined || resource.name === name,
  );
  if (matches.length !== 1) {
    throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${matches.length}`);
  }
  return matches[0];
}

export const TYPES = {
  stack: "pulumi:pulumi:Stack",
  provider: "pulumi:providers:aws",
  policy: "aws:organizations/policy:Policy",
  attachment: "aws:organizations/policyAttachment:PolicyAttachment",
  rootAccessGuardrail: "aws-org-guardrails:scp:RootAccessGuardrail",
  logArchive: "aws-org-guardrails:logs:LogArchive",
  organizationTrail: "aws-org-guardrails:logs:OrganizationTrail",
  trail: "aws:cloudtrail/trail:Trail",
  bucket: "aws:s3/bucket:Bucket",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  key: "aws:kms/key:Key",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  serviceAccess: "aws:organizations/awsServiceAccess:AwsServiceAccess",
  delegatedAdmin:
    "aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount",
  rootActivityAlarms: "aws-org-guardrails:detection:RootActivityAlarms",
  rootActivityNotifier: "aws-org-guardrails:detection:RootActivityNotifier",
  metricFilter: "aws:cloudwatch/logMetricFilter:LogMetricFilter",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
  subscriptionFilter: "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
  lambda: "aws:lambda/function:Function",
  lambdaPermission: "aws:lambda/permission:Permission",
} as const;

/** The account a resource acts in: the one its provider's allowedAccountIds pins. */
export function accountOf(
  resources: readonly RecordedResource[],
  resource: RecordedResource,
): string {
  const providerUrn = resource.provider.split("::").slice(0, -1).join("::");
  const provider = resources.find((r) => r.urn === providerUrn);
  if (provider === undefined) {
    throw new Error(`${resource.urn} has no provider`);
  }
  const [account] = JSON.parse(String(provider.inputs.allowedAccountIds)) as string[];
  return account;
}
