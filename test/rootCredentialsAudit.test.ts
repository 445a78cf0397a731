import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { expectCleanFailure, runCommand } from "./support/cli";
import { DEV, devOrganization, FIXTURE_STACKS } from "./support/fixtures";

/**
 * The audit's JSON read back: the coverage gate fails on root credentials left (or an account the
 * audit missed or could not read), states the audit's age, refuses an old audit or another
 * organization's; break-glass says when the account's root user has no password.
 */

const organization = devOrganization();
const ACTIVE = organization
  .memberAccounts()
  .filter((account) => account.state === "ACTIVE")
  .map((account) => account.id);

function auditFile(
  edit: (audit: Record<string, any>) => void = () => undefined,
  hoursAgo = 1,
): string {
  const audit = {
    organizationId: DEV.organizationId,
    auditedAt: new Date(Date.now() - hoursAgo * 3_600_000).toISOString(),
    accounts: ACTIVE.map((accountId) => ({
      accountId,
      name: organization.account(accountId)?.name ?? "",
      password: false,
      accessKeys: [],
      mfaDevices: [],
      signingCertificates: [],
      error: null,
    })),
  };
  edit(audit);
  const file = path.join(mkdtempSync(path.join(tmpdir(), "audit-")), "audit.json");
  writeFileSync(file, JSON.stringify(audit));
  return file;
}

const coverage = (...args: string[]) =>
  runCommand("coverage", ["--stack", "dev", "--stacks", FIXTURE_STACKS, ...args]);

describe("npm run coverage -- --root-credentials", () => {
  it("passes when no account has root credentials, and says how old the audit is", () => {
    const result = coverage("--root-credentials", auditFile());
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/root credentials/);
    expect(result.stdout.split("\n").find((line) => line.startsWith(DEV.paymentsProd))).toMatch(
      /\bnone\b/,
    );
    expect(result.stdout).toMatch(/Root credentials as audited at \S+ \(1 h ago, /);
  });

  it("fails the gate naming each account with root credentials, one the audit missed and one it could not read", () => {
    const file = auditFile((audit) => {
      const prod = audit.accounts.find((a: any) => a.accountId === DEV.paymentsProd);
      prod.password = true;
      prod.accessKeys = [
        { id: "AKIAROOTKEY000000001", status: "Active" },
        { id: "AKIAROOTKEY000000002", status: "Inactive" },
      ];
      const web = audit.accounts.find((a: any) => a.accountId === DEV.webDev);
      Object.assign(web, {
        password: null,
        accessKeys: null,
        mfaDevices: null,
        signingCertificates: null,
        error: "AccessDenied: no",
      });
      audit.accounts = audit.accounts.filter((a: any) => a.accountId !== DEV.logArchive);
    });
    const result = coverage("--root-credentials", file);
    expect(result.status).toBe(1);
    const line = (id: string) => result.stdout.split("\n").find((l) => l.startsWith(id)) ?? "";
    expect(line(DEV.paymentsProd)).toContain("password, 2 access keys");
    expect(line(DEV.webDev)).toContain("audit failed: AccessDenied: no");
    expect(line(DEV.logArchive)).toContain("not audited");
    expect(result.stderr).toContain(`${DEV.paymentsProd} (`);
    expect(result.stderr).toContain(
      `root credentials: password, 2 access keys (npm run root-credentials -- remove --accounts ${DEV.paymentsProd})`,
    );
    expect(result.stderr.split("\n")[0]).toBe("coverage: 3 account(s) not covered:");
  });

  it("refuses an audit older than --max-audit-age, of another organization, or not an audit, in one line", () => {
    for (const [file, args, message] of [
      [auditFile(undefined, 30), [], "h old (audited "],
      [
        auditFile(undefined, 3),
        ["--max-audit-age", "2"],
        "older than 2 h (--max-audit-age): audit again",
      ],
      [
        auditFile((a) => (a.organizationId = "o-aaaaaaaaaa")),
        [],
        "audits o-aaaaaaaaaa, not this stack's organization",
      ],
      [
        auditFile((a) => delete a.accounts),
        [],
        "is not an audit of npm run root-credentials: accounts:",
      ],
    ] as const) {
      const result = coverage("--root-credentials", file, ...args);
      expectCleanFailure(result);
      expect(result.status).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toContain(message);
    }
    const ageAlone = coverage("--max-audit-age", "2");
    expect(ageAlone.status).toBe(2);
    expect(ageAlone.stderr).toContain("--max-audit-age: only with --root-credentials");
  });
});

describe("npm run breakglass -- open --root-credentials", () => {
  function stacks(): string {
    const dir = mkdtempSync(path.join(tmpdir(), "breakglass-audit-"));
    cpSync(FIXTURE_STACKS, dir, { recursive: true });
    return dir;
  }
  const open = (dir: string, file: string) =>
    runCommand("breakglass", [
      "open",
      "--stack",
      "dev",
      "--stacks",
      dir,
      "--account",
      DEV.webDev,
      "--reason",
      "INC-7: change the support plan",
      "--root-credentials",
      file,
    ]);

  it("says when the account's root user has no password to sign in with", () => {
    const result = open(stacks(), auditFile());
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`The root user of ${DEV.webDev} has no password (audited `);
    expect(result.stdout).toContain("IAMCreateRootUserPassword");
  });

  it("says nothing of the kind when it has one", () => {
    const file = auditFile((audit) => {
      audit.accounts.find((a: any) => a.accountId === DEV.webDev).password = true;
    });
    const result = open(stacks(), file);
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain("has no password");
  });

  it("refuses a bad audit before it writes anything", () => {
    const dir = stacks();
    const before = readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8");
    const result = open(
      dir,
      auditFile((a) => (a.organizationId = "o-aaaaaaaaaa")),
    );
    expect(result.status).toBe(2);
    expect(readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8")).toBe(before);
  });
});
