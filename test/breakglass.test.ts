import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { assumeRootCommand, findTask, guessTask } from "../breakglass/assumeRoot";
import { closeBreakGlass, listBreakGlass, openBreakGlass } from "../breakglass/workflow";
import { InputError } from "../lib/errors";
import { expectCleanFailure, runCommand } from "./support/cli";
import { DEV, FIXTURE_STACKS, hoursFromNow } from "./support/fixtures";

/** A private copy of the fixture stacks (stack file and snapshot): tests never touch the real one. */
function copyOfStacks(): { dir: string; file: string; original: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "breakglass-"));
  cpSync(FIXTURE_STACKS, dir, { recursive: true });
  const file = path.join(dir, "Pulumi.dev.yaml");
  return { dir, file, original: readFileSync(file, "utf8") };
}

function expectRefused(action: () => unknown, message: string | RegExp): void {
  let error: unknown;
  try {
    action();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(InputError);
  expect((error as Error).message.includes("\n")).toBe(false);
  if (typeof message === "string") {
    expect((error as Error).message).toBe(message);
  } else {
    expect((error as Error).message).toMatch(message);
  }
}

describe("break-glass workflow", () => {
  it("opens a window that keeps every comment, validates, and closes back to the identical file", () => {
    const { dir, file, original } = copyOfStacks();
    const now = new Date();
    const result = openBreakGlass({
      stack: "dev",
      stacksDir: dir,
      accountId: DEV.paymentsProd,
      reason: "INC-4711: restore console access",
      hours: 6,
      now,
    });
    expect(result.kind).toBe("opened");
    const opened = readFileSync(file, "utf8");
    for (const comment of original.split("\n").filter((line) => line.trim().startsWith("#"))) {
      expect(opened).toContain(comment);
    }
    expect(opened).toContain(
      `      - accountId: "${DEV.paymentsProd}"\n        reason: "INC-4711: restore console access"\n        openedAt: "${hoursFromNow(0, now)}"\n        expiresAt: "${hoursFromNow(6, now)}"`,
    );
    closeBreakGlass({ stack: "dev", stacksDir: dir, accountId: DEV.paymentsProd });
    expect(readFileSync(file, "utf8")).toBe(original);
  });

  it("removes the comment written above an entry together with the entry, and keeps the others'", () => {
    const { dir, file } = copyOfStacks();
    const expiresAt = hoursFromNow(2);
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "breakGlass: []",
        [
          "breakGlass:",
          "      # INC-1 approved by alice",
          `      - accountId: "${DEV.paymentsProd}"`,
          '        reason: "INC-1"',
          `        expiresAt: "${expiresAt}"`,
          "      # INC-2 approved by bob",
          `      - accountId: "${DEV.webDev}"`,
          '        reason: "INC-2"',
          `        expiresAt: "${expiresAt}"`,
        ].join("\n"),
      ),
    );
    closeBreakGlass({ stack: "dev", stacksDir: dir, accountId: DEV.paymentsProd });
    const afterFirst = readFileSync(file, "utf8");
    expect(afterFirst).not.toContain("INC-1 approved by alice");
    expect(afterFirst).toContain(
      `      # INC-2 approved by bob\n      - accountId: "${DEV.webDev}"`,
    );
    closeBreakGlass({ stack: "dev", stacksDir: dir, accountId: DEV.webDev });
    const afterBoth = readFileSync(file, "utf8");
    expect(afterBoth).not.toContain("approved by");
    expect(afterBoth).toContain("breakGlass: []");
  });

  it("lists open and expired entries with the time left", () => {
    const { dir, file } = copyOfStacks();
    const now = new Date();
    openBreakGlass({
      stack: "dev",
      stacksDir: dir,
      accountId: DEV.paymentsProd,
      reason: "INC-1",
      hours: 2,
      now,
    });
    // An entry left behind after its window: it expired an hour ago.
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        /(breakGlass:\n)/,
        `$1      - accountId: "${DEV.webDev}"\n        reason: "INC-0"\n        expiresAt: "${hoursFromNow(-1, now)}"\n`,
      ),
    );
    const { windows } = listBreakGlass({ stack: "dev", stacksDir: dir, now });
    expect(windows.map((w) => [w.accountId, w.accountName, w.state, w.minutesLeft])).toEqual([
      [DEV.webDev, "web-dev", "expired", -60],
      [DEV.paymentsProd, "payments-prod", "open", 119],
    ]);
  });

  it("should refuse an account outside the organization, the management account, a window past the maximum and an empty reason, leaving the file unchanged", () => {
    const { dir, file, original } = copyOfStacks();
    const open = (accountId: string, reason: string, hours: number) => () =>
      openBreakGlass({ stack: "dev", stacksDir: dir, accountId, reason, hours, task: "other" });
    expectRefused(
      open("999999999999", "INC-1", 2),
      "aws-org-guardrails:rootAccess.breakGlass[999999999999].accountId: 999999999999 is not an account of o-7h2kq9x4mz (Pulumi.dev.yaml not changed)",
    );
    expectRefused(
      open(DEV.management, "INC-1", 2),
      /^aws-org-guardrails:rootAccess\.breakGlass\[314159265358\]\.accountId: 314159265358 is the management account; SCPs never apply to it/,
    );
    expectRefused(
      open(DEV.paymentsProd, "INC-1", 73),
      /^aws-org-guardrails:rootAccess\.breakGlass\[223606797749\]\.expiresAt: .* is 73 h from now; a window may last at most 72 h/,
    );
    expectRefused(
      open(DEV.paymentsProd, "   ", 2),
      '--reason: say why root is needed, e.g. --reason "INC-4711: restore access to payments-data"',
    );
    expectRefused(
      open("2236067977", "INC-1", 2),
      '--account: "2236067977" is not a 12-digit account id',
    );
    expectRefused(
      open(DEV.paymentsProd, "INC-1", -1),
      '--hours: must be a positive number of hours, got "-1"',
    );
    expectRefused(open(DEV.suspended, "INC-1", 2), /is SUSPENDED, not ACTIVE/);
    expect(readFileSync(file, "utf8")).toBe(original);
  });

  it("should refuse a second window for the same account and closing one that does not exist", () => {
    const { dir } = copyOfStacks();
    openBreakGlass({
      stack: "dev",
      stacksDir: dir,
      accountId: DEV.paymentsProd,
      reason: "INC-1",
      hours: 2,
      task: "other",
    });
    expectRefused(
      () =>
        openBreakGlass({
          stack: "dev",
          stacksDir: dir,
          accountId: DEV.paymentsProd,
          reason: "INC-2",
          hours: 2,
          task: "other",
        }),
      /^--account: 223606797749 already has a break-glass entry until .*; close it first to change it$/,
    );
    expectRefused(
      () => closeBreakGlass({ stack: "dev", stacksDir: dir, accountId: DEV.webDev }),
      /^--account: 300000000003 has no break-glass entry in /,
    );
  });

  it("says when it guessed the task and how to confirm it, exiting 1", () => {
    const { dir, file, original } = copyOfStacks();
    const guessed = runCommand("breakglass", [
      "open",
      "--stack",
      "dev",
      "--stacks",
      dir,
      "--account",
      DEV.paymentsProd,
      "--reason",
      "INC-7 unlock the bucket policy",
    ]);
    expect(guessed.status).toBe(1);
    expect(guessed.stdout).toContain(
      `The task was guessed from the reason. To confirm it: npm run breakglass -- open --stack dev --stacks ${dir} --account ${DEV.paymentsProd} --reason "INC-7 unlock the bucket policy" --task unlock-s3-bucket-policy`,
    );
    expect(readFileSync(file, "utf8")).toBe(original);
  });

  it("prints the AssumeRoot command instead of opening a window for tasks AssumeRoot covers", () => {
    const { dir, file, original } = copyOfStacks();
    const result = openBreakGlass({
      stack: "dev",
      stacksDir: dir,
      accountId: DEV.paymentsProd,
      reason: "bucket policy denies everyone on payments-data",
      hours: 2,
    });
    expect(result).toEqual({
      kind: "assume-root",
      task: findTask("unlock-s3-bucket-policy"),
      accountName: "payments-prod",
      inferred: true,
      command:
        "aws sts assume-root --target-principal 223606797749 --task-policy-arn arn=arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy --duration-seconds 900",
    });
    expect(readFileSync(file, "utf8")).toBe(original);
  });

  it("opens a window instead when AssumeRoot cannot help: centralized root access off", () => {
    const { dir, file } = copyOfStacks();
    writeFileSync(
      file,
      `${readFileSync(file, "utf8")}  aws-org-guardrails:centralizedRootAccess:\n    enabled: false\n`,
    );
    const result = openBreakGlass({
      stack: "dev",
      stacksDir: dir,
      accountId: DEV.paymentsProd,
      reason: "bucket policy denies everyone",
      hours: 2,
    });
    expect(result.kind).toBe("opened");
  });

  it("recognises each AssumeRoot task from a reason, and uses the organization's partition", () => {
    expect(guessTask("INC-7 unlock the SQS queue policy")?.policy).toBe("SQSUnlockQueuePolicy");
    expect(guessTask("quarterly audit of root credentials")?.policy).toBe(
      "IAMAuditRootUserCredentials",
    );
    expect(guessTask("reset the root password for account recovery")?.policy).toBe(
      "IAMCreateRootUserPassword",
    );
    expect(guessTask("delete the root access key found by Security Hub")?.policy).toBe(
      "IAMDeleteRootUserCredentials",
    );
    expect(guessTask("change the support plan")).toBeUndefined();
    expect(
      assumeRootCommand("aws-us-gov", DEV.paymentsProd, findTask("audit-root-credentials")!),
    ).toContain("arn=arn:aws-us-gov:iam::aws:policy/root-task/IAMAuditRootUserCredentials");
  });
});

describe("npm run breakglass", () => {
  it("opens, lists and closes through the command line", () => {
    const { dir, file, original } = copyOfStacks();
    const opened = runCommand("breakglass", [
      "open",
      "--stack",
      "dev",
      "--stacks",
      dir,
      "--account",
      DEV.webDev,
      "--reason",
      "INC-5: change the support plan",
      "--hours",
      "3",
    ]);
    expect(opened.stderr).toBe("");
    expect(opened.status).toBe(0);
    expect(opened.stdout).toContain(
      `Opened a break-glass window for ${DEV.webDev} (web-dev) until `,
    );
    expect(opened.stdout).toContain("pulumi preview --stack dev");
    expect(opened.stdout).toContain("pulumi up --stack dev");
    // The hint works as printed: it keeps --stacks.
    expect(opened.stdout).toContain(
      `npm run breakglass -- close --stack dev --stacks ${dir} --account ${DEV.webDev}`,
    );
    const listed = runCommand("breakglass", ["list", "--stack", "dev", "--stacks", dir]);
    expect(listed.stdout).toMatch(
      new RegExp(
        `^open {4}${DEV.webDev} \\(web-dev\\)  until \\S+  2 h 59 min left  reason: INC-5: change the support plan`,
      ),
    );
    const closed = runCommand("breakglass", [
      "close",
      "--stack",
      "dev",
      "--stacks",
      dir,
      "--account",
      DEV.webDev,
    ]);
    expect(closed.status).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(original);
  });

  it("should refuse bad arguments with a one-line error and exit 2", () => {
    const { dir } = copyOfStacks();
    const unknownAccount = runCommand("breakglass", [
      "open",
      "--stack",
      "dev",
      "--stacks",
      dir,
      "--account",
      "999999999999",
      "--reason",
      "x",
      "--task",
      "other",
    ]);
    expectCleanFailure(unknownAccount);
    expect(unknownAccount.status).toBe(2);
    expect(unknownAccount.stderr.trim().split("\n")).toHaveLength(1);
    const noCommand = runCommand("breakglass", ["--stack", "dev"]);
    expectCleanFailure(noCommand);
    expect(noCommand.stderr.split("\n")[0]).toBe(
      "breakglass: name a command: open, close or list; npm run breakglass -- --help shows the usage",
    );
    const missing = runCommand("breakglass", ["open", "--stack", "dev"]);
    expect(missing.stderr.split("\n")[0]).toBe(
      "breakglass: open: --account, --reason required; npm run breakglass -- --help shows the usage",
    );
  });
});
