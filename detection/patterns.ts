/**
 * The root-activity detections the program deploys on the central log group: one metric filter,
 * one metric and one alarm each. Pure data, so the exact strings are unit-tested against real
 * CloudTrail records and reused by replay.
 */

export interface RootDetection {
  /** Metric filter name and metric name: equal, because one CIS scanner binds alarms that way. */
  readonly name: string;
  /** Kebab-case id for Pulumi resource names. */
  readonly id: string;
  readonly description: string;
  readonly pattern: string;
}

/** The CloudWatch namespace of every metric the program emits. */
export const METRIC_NAMESPACE = "AwsOrgGuardrails";

/**
 * CIS AWS Foundations "ensure usage of the root account is monitored" (Security Hub CloudWatch.1),
 * spelled exactly: Security Hub fails the control if any term is added, and Prowler and Steampipe
 * match the three clauses in this order, with the quotes.
 * https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-1
 */
export const CIS_ROOT_USAGE_PATTERN =
  '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }';

const CREDENTIAL_EVENTS = [
  // Access keys.
  "CreateAccessKey",
  "UpdateAccessKey",
  "DeleteAccessKey",
  // Password: console changes are signin's PasswordUpdated; the IAM calls cover AssumeRoot tasks.
  "PasswordUpdated",
  "ChangePassword",
  "CreateLoginProfile",
  "UpdateLoginProfile",
  "DeleteLoginProfile",
  // MFA devices.
  "CreateVirtualMFADevice",
  "EnableMFADevice",
  "ResyncMFADevice",
  "DeactivateMFADevice",
  "DeleteVirtualMFADevice",
  // Signing certificates.
  "UploadSigningCertificate",
  "UpdateSigningCertificate",
  "DeleteSigningCertificate",
] as const;

export const ROOT_DETECTIONS: readonly RootDetection[] = [
  {
    name: "RootAccountUsage",
    id: "root-account-usage",
    description:
      "CIS: any action by a root user that was not taken by an AWS service on its behalf.",
    pattern: CIS_ROOT_USAGE_PATTERN,
  },
  {
    name: "RootConsoleSignInSuccess",
    id: "root-console-sign-in-success",
    description: "A root user signed in to the console.",
    pattern:
      '{ $.userIdentity.type = "Root" && $.eventName = "ConsoleLogin" && $.responseElements.ConsoleLogin = "Success" }',
  },
  {
    name: "RootConsoleSignInFailure",
    id: "root-console-sign-in-failure",
    description: "A console sign-in as a root user failed (wrong password or MFA).",
    pattern:
      '{ $.userIdentity.type = "Root" && $.eventName = "ConsoleLogin" && $.responseElements.ConsoleLogin = "Failure" }',
  },
  {
    name: "RootCredentialChange",
    id: "root-credential-change",
    description:
      "A root user's access keys, password, MFA devices or signing certificates were created, changed or removed, " +
      "including through the console (invokedBy signin) and AssumeRoot sessions.",
    pattern: `{ $.userIdentity.type = "Root" && (${CREDENTIAL_EVENTS.map((event) => `$.eventName = "${event}"`).join(" || ")}) }`,
  },
  {
    name: "AssumeRootCall",
    id: "assume-root-call",
    description:
      "The management account (or a delegated administrator) started a centralized root-access session with sts:AssumeRoot.",
    pattern: '{ $.eventSource = "sts.amazonaws.com" && $.eventName = "AssumeRoot" }',
  },
];

/** The per-event notifier receives exactly the events the CIS alarm counts. */
export const NOTIFIER_PATTERN = CIS_ROOT_USAGE_PATTERN;
