import {
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteSigningCertificateCommand,
  DeleteVirtualMFADeviceCommand,
  GetLoginProfileCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListSigningCertificatesCommand,
  NoSuchEntityException,
} from "@aws-sdk/client-iam";
import { AssumeRootCommand, STSClient } from "@aws-sdk/client-sts";

/**
 * Member accounts' root credentials through centralized root access: the management account calls
 * sts:AssumeRoot for a member account with one of AWS's root task policies and, with the
 * 15-minute session it gets, audits or deletes that account's root password, access keys, MFA
 * devices and signing certificates. Calls without a user name act on the session's user, the
 * member account's root user.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html
 */

export type RootTask = "IAMAuditRootUserCredentials" | "IAMDeleteRootUserCredentials";

/** AWS's task policy, in the organization's partition (`arn:<partition>:iam::aws:policy/root-task/<task>`). */
export function taskPolicyArn(partition: string, task: RootTask): string {
  return `arn:${partition}:iam::aws:policy/root-task/${task}`;
}

/** AssumeRoot's longest session (DurationSeconds "can have a value from 0 to 900"). */
export const ROOT_SESSION_SECONDS = 900;

export interface AccessKey {
  readonly id: string;
  readonly status: string;
}

export interface RootCredentials {
  readonly password: boolean;
  readonly accessKeys: readonly AccessKey[];
  /** Serial numbers (ARNs of virtual devices). */
  readonly mfaDevices: readonly string[];
  readonly signingCertificates: readonly AccessKey[];
}

export interface AccountAudit {
  readonly accountId: string;
  readonly name: string;
  /** What the root user has, or undefined when the audit failed (see `error`). */
  readonly credentials?: RootCredentials;
  /** Why the account could not be audited, in one line. */
  readonly error?: string;
}

/** What may act on AWS: clients for the management account's STS and for a root session's IAM. */
export interface RootCredentialClients {
  readonly sts: STSClient;
  iamFor(credentials: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
  }): IAMClient;
}

/** Whether the root user has anything at all. */
export function hasCredentials(credentials: RootCredentials): boolean {
  return (
    credentials.password ||
    credentials.accessKeys.length > 0 ||
    credentials.mfaDevices.length > 0 ||
    credentials.signingCertificates.length > 0
  );
}

/** "none", or "password, 2 access keys, 1 MFA device". */
export function describeCredentials(credentials: RootCredentials): string {
  const parts = [
    ...(credentials.password ? ["password"] : []),
    ...counted(credentials.accessKeys.length, "access key"),
    ...counted(credentials.mfaDevices.length, "MFA device"),
    ...counted(credentials.signingCertificates.length, "signing certificate"),
  ];
  return parts.length === 0 ? "none" : parts.join(", ");
}

function counted(count: number, noun: string): string[] {
  return count === 0 ? [] : [`${count} ${noun}${count === 1 ? "" : "s"}`];
}

/** A root session for one member account and task. */
async function rootSession(
  clients: RootCredentialClients,
  accountId: string,
  partition: string,
  task: RootTask,
): Promise<IAMClient> {
  const { Credentials } = await clients.sts.send(
    new AssumeRootCommand({
      TargetPrincipal: accountId,
      TaskPolicyArn: { arn: taskPolicyArn(partition, task) },
      DurationSeconds: ROOT_SESSION_SECONDS,
    }),
  );
  if (
    Credentials?.AccessKeyId === undefined ||
    Credentials.SecretAccessKey === undefined ||
    Credentials.SessionToken === undefined
  ) {
    throw new Error("AssumeRoot returned no credentials");
  }
  return clients.iamFor({
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    sessionToken: Credentials.SessionToken,
  });
}

/** The root user's credentials, read with a session of either task. */
async function readCredentials(iam: IAMClient): Promise<RootCredentials> {
  const [password, keys, devices, certificates] = await Promise.all([
    iam.send(new GetLoginProfileCommand({})).then(
      () => true,
      (error: unknown) => {
        // "NoSuchEntity: the root user has no password": the answer, not a failure.
        if (error instanceof NoSuchEntityException) {
          return false;
        }
        throw error;
      },
    ),
    iam.send(new ListAccessKeysCommand({})),
    iam.send(new ListMFADevicesCommand({})),
    iam.send(new ListSigningCertificatesCommand({})),
  ]);
  return {
    password,
    accessKeys: (keys.AccessKeyMetadata ?? []).map((key) => ({
      id: key.AccessKeyId ?? "",
      status: key.Status ?? "",
    })),
    mfaDevices: (devices.MFADevices ?? []).map((device) => device.SerialNumber ?? ""),
    signingCertificates: (certificates.Certificates ?? []).map((certificate) => ({
      id: certificate.CertificateId ?? "",
      status: certificate.Status ?? "",
    })),
  };
}

/** Audits one account: IAMAuditRootUserCredentials, then the four reads. Never throws. */
export async function auditAccount(
  clients: RootCredentialClients,
  account: { readonly id: string; readonly name: string },
  partition: string,
): Promise<AccountAudit> {
  let iam: IAMClient | undefined;
  try {
    iam = await rootSession(clients, account.id, partition, "IAMAuditRootUserCredentials");
    return { accountId: account.id, name: account.name, credentials: await readCredentials(iam) };
  } catch (error) {
    return { accountId: account.id, name: account.name, error: oneLine(error) };
  } finally {
    // One client per session: its connections go with it (thousands of accounts in a run).
    iam?.destroy();
  }
}

export interface AccountRemoval {
  readonly accountId: string;
  readonly name: string;
  /** What was there before, what was deleted, and what is left (read with the same session). */
  readonly before?: RootCredentials;
  readonly deleted: readonly string[];
  readonly after?: RootCredentials;
  /** Every delete or read that failed, in one line. */
  readonly error?: string;
}

/**
 * Deletes what the account's root user has, with IAMDeleteRootUserCredentials: the password, each
 * access key, each MFA device (deactivated, and deleted when virtual), each signing certificate.
 * Reads first, so a second run deletes nothing and says so. Never throws; a failed delete is
 * reported and the account's other deletes still run.
 */
export async function removeAccountCredentials(
  clients: RootCredentialClients,
  account: { readonly id: string; readonly name: string },
  partition: string,
): Promise<AccountRemoval> {
  let iam: IAMClient;
  let before: RootCredentials;
  try {
    iam = await rootSession(clients, account.id, partition, "IAMDeleteRootUserCredentials");
  } catch (error) {
    return { accountId: account.id, name: account.name, deleted: [], error: oneLine(error) };
  }
  try {
    before = await readCredentials(iam);
  } catch (error) {
    iam.destroy();
    return { accountId: account.id, name: account.name, deleted: [], error: oneLine(error) };
  }
  const deleted: string[] = [];
  const errors: string[] = [];
  const attempt = async (what: string, call: () => Promise<unknown>): Promise<boolean> => {
    try {
      await call();
      deleted.push(what);
      return true;
    } catch (error) {
      errors.push(`${what}: ${oneLine(error)}`);
      return false;
    }
  };
  if (before.password) {
    await attempt("password", () => iam.send(new DeleteLoginProfileCommand({})));
  }
  for (const key of before.accessKeys) {
    await attempt(`access key ${key.id}`, () =>
      iam.send(new DeleteAccessKeyCommand({ AccessKeyId: key.id })),
    );
  }
  for (const serial of before.mfaDevices) {
    // Deactivated first (it then no longer shows as the root user's); a virtual device is an
    // IAM resource of its own (its serial is its ARN, `:mfa/`) and is deleted too, separately, so
    // one deactivated but not deleted is reported, never lost from sight. A hardware or passkey
    // device is only deactivated.
    const deactivated = await attempt(`MFA device ${serial}`, () =>
      iam.send(new DeactivateMFADeviceCommand({ SerialNumber: serial })),
    );
    if (deactivated && serial.includes(":mfa/")) {
      await attempt(`virtual MFA device ${serial} (deactivated, then deleted)`, () =>
        iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })),
      );
    }
  }
  for (const certificate of before.signingCertificates) {
    await attempt(`signing certificate ${certificate.id}`, () =>
      iam.send(new DeleteSigningCertificateCommand({ CertificateId: certificate.id })),
    );
  }
  // What is left, read with the same session (the delete task allows the reads): one root
  // session per account, not two.
  let after: RootCredentials | undefined;
  try {
    after = await readCredentials(iam);
  } catch (error) {
    errors.push(`reading what is left: ${oneLine(error)}`);
  } finally {
    iam.destroy();
  }
  return {
    accountId: account.id,
    name: account.name,
    before,
    deleted,
    ...(after === undefined ? {} : { after }),
    ...(errors.length === 0 ? {} : { error: errors.join("; ") }),
  };
}

/**
 * An error in one line, with the hint a platform engineer needs for the usual ones: AssumeRoot
 * is refused while centralized root access (RootCredentialsManagement) is off.
 */
export function oneLine(error: unknown): string {
  const cause = error as { name?: string; message?: string } | null;
  const name = cause?.name ?? "Error";
  const message = (cause?.message ?? String(error)).replace(/\s+/g, " ").trim();
  const hint =
    name === "AccessDenied" || name === "AccessDeniedException"
      ? " (is centralized root access on? centralizedRootAccess.enabled turns on RootCredentialsManagement and RootSessions, and the caller needs sts:AssumeRoot)"
      : "";
  return `${name}: ${message}${hint}`;
}
