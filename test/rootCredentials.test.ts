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
import { AssumeRootCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { rootCredentialsCommand } from "../cli/root-credentials";
import { taskPolicyArn } from "../rootCredentials/credentials";
import { DEV, devOrganization, FIXTURE_STACKS } from "./support/fixtures";

/**
 * `npm run root-credentials`: AssumeRoot for each active member account with AWS's task policies,
 * then the root user's credentials read or deleted with that session; against an independent
 * fake of STS and IAM that keeps each account's root credentials and refuses deletes to an audit
 * session, as the task policies do.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html
 */

const organization = devOrganization();
const ACTIVE = organization
  .memberAccounts()
  .filter((account) => account.state === "ACTIVE")
  .map((account) => account.id);

interface RootUser {
  password: boolean;
  keys: { AccessKeyId: string; Status: "Active" | "Inactive" }[];
  mfa: string[];
  certificates: { CertificateId: string; Status: "Active" | "Inactive" }[];
}

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
let users: Map<string, RootUser>;
let denied: Set<string>;

/** The account and task of the session an IAM client was built with (the fake's session keys). */
async function sessionOf(getClient: () => { config: any }) {
  const credentials = await getClient().config.credentials();
  const [, account, task] = /^ASIA(\d{12})(AUDIT|DELETE)$/.exec(credentials.accessKeyId) ?? [];
  if (account === undefined) {
    throw new Error(`not a root session: ${credentials.accessKeyId}`);
  }
  const user = users.get(account);
  if (user === undefined) {
    throw new Error(`no root user for ${account}`);
  }
  return { account, task, user };
}

function denyUnlessDelete(task: string) {
  if (task !== "DELETE") {
    throw Object.assign(new Error("not allowed by the task policy"), { name: "AccessDenied" });
  }
}

beforeEach(() => {
  sts.reset();
  iam.reset();
  users = new Map(
    ACTIVE.map((id) => [id, { password: false, keys: [], mfa: [], certificates: [] }]),
  );
  denied = new Set();
  sts.on(GetCallerIdentityCommand).resolves({ Account: DEV.management });
  sts.on(AssumeRootCommand).callsFake((input) => {
    if (denied.has(input.TargetPrincipal)) {
      throw Object.assign(new Error("User is not authorized to perform: sts:AssumeRoot"), {
        name: "AccessDenied",
      });
    }
    const task = String(input.TaskPolicyArn.arn).endsWith("IAMDeleteRootUserCredentials")
      ? "DELETE"
      : "AUDIT";
    return {
      Credentials: {
        AccessKeyId: `ASIA${input.TargetPrincipal}${task}`,
        SecretAccessKey: "secret",
        SessionToken: "token",
        Expiration: new Date(Date.now() + 900_000),
      },
    };
  });
  iam.on(GetLoginProfileCommand).callsFake(async (_input, getClient) => {
    const { user } = await sessionOf(getClient);
    if (!user.password) {
      throw new NoSuchEntityException({
        message: "Login Profile for User root cannot be found.",
        $metadata: {},
      });
    }
    return { LoginProfile: { UserName: "root", CreateDate: new Date() } };
  });
  iam.on(ListAccessKeysCommand).callsFake(async (_input, getClient) => ({
    AccessKeyMetadata: (await sessionOf(getClient)).user.keys,
  }));
  iam.on(ListMFADevicesCommand).callsFake(async (_input, getClient) => ({
    MFADevices: (await sessionOf(getClient)).user.mfa.map((SerialNumber) => ({
      SerialNumber,
      UserName: "root",
      EnableDate: new Date(),
    })),
  }));
  iam.on(ListSigningCertificatesCommand).callsFake(async (_input, getClient) => ({
    Certificates: (await sessionOf(getClient)).user.certificates,
  }));
  iam.on(DeleteLoginProfileCommand).callsFake(async (_input, getClient) => {
    const { task, user } = await sessionOf(getClient);
    denyUnlessDelete(task);
    user.password = false;
    return {};
  });
  iam.on(DeleteAccessKeyCommand).callsFake(async (input, getClient) => {
    const { task, user } = await sessionOf(getClient);
    denyUnlessDelete(task);
    user.keys = user.keys.filter((key) => key.AccessKeyId !== input.AccessKeyId);
    return {};
  });
  iam.on(DeactivateMFADeviceCommand).callsFake(async (input, getClient) => {
    const { task } = await sessionOf(getClient);
    denyUnlessDelete(task);
    expect(input.UserName).toBeUndefined();
    return {};
  });
  iam.on(DeleteVirtualMFADeviceCommand).callsFake(async (input, getClient) => {
    const { task, user } = await sessionOf(getClient);
    denyUnlessDelete(task);
    user.mfa = user.mfa.filter((serial) => serial !== input.SerialNumber);
    return {};
  });
  iam.on(DeleteSigningCertificateCommand).callsFake(async (input, getClient) => {
    const { task, user } = await sessionOf(getClient);
    denyUnlessDelete(task);
    user.certificates = user.certificates.filter((c) => c.CertificateId !== input.CertificateId);
    return {};
  });
});

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const status = await rootCredentialsCommand.run(
    [...argv, "--stack", "dev", "--stacks", FIXTURE_STACKS],
    { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
  );
  return { status, stdout, stderr };
}

const withSome = () => {
  users.set(DEV.paymentsProd, {
    password: true,
    keys: [{ AccessKeyId: "AKIAROOTKEY000000001", Status: "Active" }],
    mfa: [`arn:aws:iam::${DEV.paymentsProd}:mfa/root-account-mfa-device`],
    certificates: [{ CertificateId: "CERT0001", Status: "Inactive" }],
  });
};

describe("npm run root-credentials -- audit", () => {
  it("assumes root in every active member account, never the management or a suspended one, with the audit task on the regional endpoint", async () => {
    const result = await run("audit");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const calls = sts.commandCalls(AssumeRootCommand);
    expect(calls.map((call) => call.args[0].input.TargetPrincipal).sort()).toEqual(
      [...ACTIVE].sort(),
    );
    expect(ACTIVE).not.toContain(DEV.management);
    expect(ACTIVE).not.toContain(DEV.suspended);
    for (const call of calls) {
      expect(call.args[0].input).toEqual({
        TargetPrincipal: call.args[0].input.TargetPrincipal,
        TaskPolicyArn: { arn: "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials" },
        DurationSeconds: 900,
      });
      // The stack's homeRegion: STS's regional endpoint there.
      expect(await (call.thisValue as STSClient).config.region()).toBe("eu-west-1");
    }
    // Four reads per account, each with that account's session.
    expect(iam.commandCalls(GetLoginProfileCommand)).toHaveLength(ACTIVE.length);
    expect(iam.commandCalls(ListAccessKeysCommand)).toHaveLength(ACTIVE.length);
    expect(iam.commandCalls(ListMFADevicesCommand)).toHaveLength(ACTIVE.length);
    expect(iam.commandCalls(ListSigningCertificatesCommand)).toHaveLength(ACTIVE.length);
    expect(result.stdout).toContain(
      `No root credentials in any of the ${ACTIVE.length} account(s).`,
    );
  });

  it("reports what each root user has, and exits 1 when any has some", async () => {
    withSome();
    const dir = mkdtempSync(path.join(tmpdir(), "root-credentials-"));
    const json = path.join(dir, "audit.json");
    const result = await run("audit", "--json", json);
    expect(result.status).toBe(1);
    expect(result.stdout.split("\n").find((line) => line.startsWith(DEV.paymentsProd))).toMatch(
      /password, 1 access key, 1 MFA device, 1 signing certificate$/,
    );
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.organizationId).toBe(DEV.organizationId);
    expect(Date.now() - Date.parse(report.auditedAt)).toBeLessThan(60_000);
    expect(report.accounts).toHaveLength(ACTIVE.length);
    expect(report.accounts.find((a: any) => a.accountId === DEV.paymentsProd)).toEqual({
      accountId: DEV.paymentsProd,
      name: organization.account(DEV.paymentsProd)?.name,
      password: true,
      accessKeys: [{ id: "AKIAROOTKEY000000001", status: "Active" }],
      mfaDevices: [`arn:aws:iam::${DEV.paymentsProd}:mfa/root-account-mfa-device`],
      signingCertificates: [{ id: "CERT0001", status: "Inactive" }],
      error: null,
    });
  });

  it("reports an account it cannot audit in one line, with the likely cause, and audits the others", async () => {
    denied.add(DEV.webDev);
    const result = await run("audit");
    expect(result.status).toBe(1);
    expect(result.stdout.split("\n").find((line) => line.startsWith(DEV.webDev))).toMatch(
      /FAILED: AccessDenied: User is not authorized to perform: sts:AssumeRoot \(is centralized root access on\?/,
    );
    expect(iam.commandCalls(GetLoginProfileCommand)).toHaveLength(ACTIVE.length - 1);
  });

  it("audits only the accounts named, and refuses the management account, an unknown or a suspended one", async () => {
    const one = await run("audit", "--accounts", DEV.paymentsProd);
    expect(one.status).toBe(0);
    expect(sts.commandCalls(AssumeRootCommand)).toHaveLength(1);
    for (const [id, why] of [
      [DEV.management, "is the management account: its root user is never touched"],
      ["999999999999", `is not an account of ${DEV.organizationId}`],
      [DEV.suspended, "is SUSPENDED, not active"],
      ["12345", "is not a 12-digit account id"],
    ]) {
      sts.resetHistory();
      const result = await run("audit", "--accounts", id);
      expect(result.status).toBe(2);
      expect(result.stderr.trim()).toBe(`root-credentials: --accounts: ${id} ${why}`);
      expect(sts.commandCalls(AssumeRootCommand)).toHaveLength(0);
    }
  });
});

describe("npm run root-credentials -- remove", () => {
  it("is a dry run without --yes: says what it would delete, deletes nothing", async () => {
    withSome();
    const result = await run("remove", "--accounts", DEV.paymentsProd);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      `${DEV.paymentsProd} (${organization.account(DEV.paymentsProd)?.name}): the password, access key AKIAROOTKEY000000001 (Active), MFA device arn:aws:iam::${DEV.paymentsProd}:mfa/root-account-mfa-device, signing certificate CERT0001`,
    );
    expect(iam.commandCalls(DeleteLoginProfileCommand)).toHaveLength(0);
    expect(iam.commandCalls(DeleteAccessKeyCommand)).toHaveLength(0);
    expect(iam.commandCalls(DeactivateMFADeviceCommand)).toHaveLength(0);
    expect(iam.commandCalls(DeleteSigningCertificateCommand)).toHaveLength(0);
  });

  it("with --yes deletes everything with the delete task, audits again, and a second run deletes nothing", async () => {
    withSome();
    const result = await run("remove", "--all", "--yes");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const deletes = sts
      .commandCalls(AssumeRootCommand)
      .filter((call) =>
        call.args[0].input.TaskPolicyArn?.arn?.endsWith("IAMDeleteRootUserCredentials"),
      );
    expect(deletes).toHaveLength(ACTIVE.length);
    expect(deletes[0].args[0].input.TaskPolicyArn).toEqual({
      arn: "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials",
    });
    expect(iam.commandCalls(DeleteLoginProfileCommand)).toHaveLength(1);
    expect(iam.commandCalls(DeleteAccessKeyCommand)[0].args[0].input).toEqual({
      AccessKeyId: "AKIAROOTKEY000000001",
    });
    expect(iam.commandCalls(DeactivateMFADeviceCommand)[0].args[0].input).toEqual({
      SerialNumber: `arn:aws:iam::${DEV.paymentsProd}:mfa/root-account-mfa-device`,
    });
    expect(iam.commandCalls(DeleteVirtualMFADeviceCommand)).toHaveLength(1);
    expect(iam.commandCalls(DeleteSigningCertificateCommand)[0].args[0].input).toEqual({
      CertificateId: "CERT0001",
    });
    expect(users.get(DEV.paymentsProd)).toEqual({
      password: false,
      keys: [],
      mfa: [],
      certificates: [],
    });
    expect(result.stdout).toContain("After (read with the same sessions):");
    // One root session per account: the delete session reads what is left.
    expect(sts.commandCalls(AssumeRootCommand)).toHaveLength(ACTIVE.length);
    expect(result.stdout).toContain(
      `No root credentials in any of the ${ACTIVE.length} account(s).`,
    );

    iam.resetHistory();
    const again = await run("remove", "--accounts", DEV.paymentsProd, "--yes");
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(
      `${DEV.paymentsProd} (${organization.account(DEV.paymentsProd)?.name}): nothing (no root credentials)`,
    );
    expect(iam.commandCalls(DeleteLoginProfileCommand)).toHaveLength(0);
  });

  it("one account's failure never stops the others, and exits 1", async () => {
    withSome();
    denied.add(DEV.webDev);
    const result = await run("remove", "--all", "--yes");
    expect(result.status).toBe(1);
    expect(users.get(DEV.paymentsProd)?.password).toBe(false);
    expect(result.stdout).toMatch(
      new RegExp(`${DEV.webDev} \\(.*\\): nothing; FAILED: AccessDenied`),
    );
  });

  it("needs exactly one of --accounts and --all, and never takes --all and --yes for an audit", async () => {
    for (const argv of [["remove"], ["remove", "--all", "--accounts", DEV.paymentsProd]]) {
      const result = await run(...argv);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^root-credentials: remove: name the accounts with --accounts/);
    }
    expect((await run("audit", "--yes")).status).toBe(2);
    expect(sts.commandCalls(AssumeRootCommand)).toHaveLength(0);
  });
});

describe("npm run root-credentials: what it checks first, and what it never hides", () => {
  it("refuses credentials of another account before any AssumeRoot, in one line", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: DEV.paymentsProd });
    const result = await run("audit");
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      `root-credentials: the credentials are for account ${DEV.paymentsProd}, not the management account ${DEV.management}: run with the management account's credentials`,
    );
    expect(sts.commandCalls(AssumeRootCommand)).toHaveLength(0);
  });

  it("refuses when the stack has centralized root access off", async () => {
    const {
      mkdtempSync: temp,
      cpSync,
      readFileSync: read,
      writeFileSync: write,
    } = await import("node:fs");
    const dir = temp(path.join(tmpdir(), "root-credentials-off-"));
    cpSync(FIXTURE_STACKS, dir, { recursive: true });
    const file = path.join(dir, "Pulumi.dev.yaml");
    write(
      file,
      `${read(file, "utf8")}  aws-org-guardrails:centralizedRootAccess:\n    enabled: false\n`,
    );
    let stderr = "";
    const status = await rootCredentialsCommand.run(["audit", "--stack", "dev", "--stacks", dir], {
      stdout: () => undefined,
      stderr: (text) => (stderr += text),
    });
    expect(status).toBe(2);
    expect(stderr).toContain("centralizedRootAccess.enabled is false in the stack");
    expect(sts.commandCalls(AssumeRootCommand)).toHaveLength(0);
  });

  it("only deactivates a hardware device, and reports a virtual one deactivated but not deleted", async () => {
    users.set(DEV.paymentsProd, {
      password: false,
      keys: [],
      mfa: ["GAHT12345678", `arn:aws:iam::${DEV.paymentsProd}:mfa/root-account-mfa-device`],
      certificates: [],
    });
    iam.on(DeactivateMFADeviceCommand).callsFake(async (input, getClient) => {
      const { user } = await sessionOf(getClient);
      // Deactivated devices no longer show as the root user's.
      user.mfa = user.mfa.filter((serial) => serial !== input.SerialNumber);
      return {};
    });
    iam
      .on(DeleteVirtualMFADeviceCommand)
      .rejects(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }));
    const result = await run("remove", "--accounts", DEV.paymentsProd, "--yes");
    expect(iam.commandCalls(DeactivateMFADeviceCommand)).toHaveLength(2);
    expect(iam.commandCalls(DeleteVirtualMFADeviceCommand).map((c) => c.args[0].input)).toEqual([
      { SerialNumber: `arn:aws:iam::${DEV.paymentsProd}:mfa/root-account-mfa-device` },
    ]);
    // Nothing shows as the root user's any more, and still the run says what went wrong.
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      `FAILED: virtual MFA device arn:aws:iam::${DEV.paymentsProd}:mfa/root-account-mfa-device (deactivated, then deleted): Throttling: Rate exceeded`,
    );
    expect(result.stdout).toContain("1 whose removal failed in part");
  });

  it("stamps an audit with the time it started", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "root-credentials-"));
    const before = Date.now();
    await run("audit", "--json", path.join(dir, "audit.json"));
    const report = JSON.parse(readFileSync(path.join(dir, "audit.json"), "utf8"));
    expect(Date.parse(report.auditedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(report.auditedAt)).toBeLessThanOrEqual(Date.now());
  });
});

describe("the task policies", () => {
  it("are named in the organization's partition", () => {
    expect(taskPolicyArn("aws", "IAMAuditRootUserCredentials")).toBe(
      "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials",
    );
    expect(taskPolicyArn("aws-us-gov", "IAMDeleteRootUserCredentials")).toBe(
      "arn:aws-us-gov:iam::aws:policy/root-task/IAMDeleteRootUserCredentials",
    );
  });
});
