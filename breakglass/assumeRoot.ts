/**
 * The tasks centralized root access covers without any break-glass window: the management
 * account (or a delegated administrator) calls sts:AssumeRoot with one of AWS's task policies
 * for at most 15 minutes, and the root-access SCP lets that session through.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html
 */

export interface AssumeRootTask {
  readonly name: string;
  readonly policy: string;
  readonly what: string;
  /** Words in a break-glass reason that suggest this task. */
  readonly hint: RegExp;
}

export const ASSUME_ROOT_TASKS: readonly AssumeRootTask[] = [
  {
    name: "unlock-s3-bucket-policy",
    policy: "S3UnlockBucketPolicy",
    what: "delete a bucket policy that denies everyone",
    hint: /bucket[- ]polic/i,
  },
  {
    name: "unlock-sqs-queue-policy",
    policy: "SQSUnlockQueuePolicy",
    what: "delete a queue policy that denies everyone",
    hint: /queue[- ]polic/i,
  },
  {
    name: "audit-root-credentials",
    policy: "IAMAuditRootUserCredentials",
    what: "review the root user's credentials",
    hint: /\baudit\b/i,
  },
  {
    name: "create-root-password",
    policy: "IAMCreateRootUserPassword",
    what: "let the root user sign in again (create a password for account recovery)",
    hint: /\b(create|reset|recover)\b.*\bpassword\b|\bpassword\b.*\b(create|reset|recover)/i,
  },
  {
    name: "delete-root-credentials",
    policy: "IAMDeleteRootUserCredentials",
    what: "delete the root user's password, access keys, signing certificates and MFA devices",
    hint: /\b(delete|remove)\b.*\b(credential|access key|mfa|password|certificate)/i,
  },
];

/** `--task other`: a task AssumeRoot does not cover, so a break-glass window is needed. */
export const OTHER_TASK = "other";

export function findTask(name: string): AssumeRootTask | undefined {
  return ASSUME_ROOT_TASKS.find((task) => task.name === name);
}

/** The AssumeRoot task a free-text reason most likely describes, if any. */
export function guessTask(reason: string): AssumeRootTask | undefined {
  return ASSUME_ROOT_TASKS.find((task) => task.hint.test(reason));
}

/** The exact AWS CLI command, run with management-account credentials. */
export function assumeRootCommand(
  partition: string,
  accountId: string,
  task: AssumeRootTask,
): string {
  return (
    `aws sts assume-root --target-principal ${accountId} ` +
    `--task-policy-arn arn=arn:${partition}:iam::aws:policy/root-task/${task.policy} --duration-seconds 900`
  );
}
