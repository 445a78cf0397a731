import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { computeCoverage } from "../coverage/coverage";
import { loadStackInputs } from "../offline/stackInputs";
import { expectCleanFailure, runCommand } from "./support/cli";
import { DEV, FIXTURE_STACKS, hoursFromNow, stacksWith } from "./support/fixtures";

function coverageOf(stacksDir: string = FIXTURE_STACKS, now = new Date()) {
  const inputs = loadStackInputs({ stack: "dev", stacksDir, now });
  return computeCoverage(inputs.config, inputs.organization, inputs.scps, inputs.topology, now);
}

describe("coverage", () => {
  it("covers every active member account of the dev stack, lists the suspended one apart and leaves the management account out", () => {
    const report = coverageOf();
    expect(report.uncovered).toEqual([]);
    expect(report.accounts).toHaveLength(11);
    expect(
      report.accounts.every((a) => a.rootAccessScp && a.protectionScp && a.organizationTrail),
    ).toBe(true);
    expect(report.inactive).toEqual([
      { accountId: DEV.suspended, name: "legacy-batch", state: "SUSPENDED" },
    ]);
    expect(report.accounts.some((a) => a.accountId === DEV.management)).toBe(false);
  });

  it("lists the SCPs in force through every level, existing ones included", () => {
    const paymentsProd = coverageOf().accounts.find((a) => a.accountId === DEV.paymentsProd);
    expect(paymentsProd?.path).toBe("Root/Workloads/Prod");
    expect(paymentsProd?.scps.map((scp) => `${scp.name}@${scp.attachedAt}`)).toEqual([
      `FullAWSAccess@${DEV.rootId}`,
      `aws-org-guardrails-root-access@${DEV.rootId}`,
      `aws-org-guardrails-protection@${DEV.rootId}`,
      `FullAWSAccess@${DEV.workloadsOu}`,
      `deny-unapproved-regions@${DEV.workloadsOu}`,
      `FullAWSAccess@${DEV.prodOu}`,
      `FullAWSAccess@${DEV.paymentsProd}`,
    ]);
  });

  it("names every account outside the targets when they are narrowed to some OUs", () => {
    const dir = stacksWith((config) => {
      config["aws-org-guardrails:rootAccess"].targets = [DEV.workloadsOu, DEV.securityOu];
    });
    const report = coverageOf(dir);
    expect([...report.uncovered].sort()).toEqual(["141421356237", "173205080756"]);
    const network = report.accounts.find((a) => a.accountId === "141421356237");
    expect(network?.gaps).toEqual([
      `the root-access SCP is attached to none of ${DEV.rootId}, ou-4f8a-1nfra001, 141421356237`,
      `the protection SCP is attached to none of ${DEV.rootId}, ou-4f8a-1nfra001, 141421356237`,
    ]);
  });

  it("reports an open break-glass window without failing", () => {
    const dir = stacksWith((config) => {
      config["aws-org-guardrails:rootAccess"].breakGlass = [
        { accountId: DEV.webDev, reason: "INC-1", expiresAt: hoursFromNow(3) },
      ];
    });
    const webDev = coverageOf(dir).accounts.find((a) => a.accountId === DEV.webDev);
    expect(webDev?.breakGlass?.state).toBe("open");
    expect(webDev?.covered).toBe(true);
  });

  it("covers an account declared in a new OU before it exists", () => {
    const dir = stacksWith((config) => {
      config["aws-org-guardrails:organizationalUnits"] = [
        { name: "Data", parent: DEV.workloadsOu },
      ];
      config["aws-org-guardrails:accounts"].push({
        name: "data-lake",
        email: "aws-data-lake@example.com",
        ou: "Data",
      });
    });
    const created = coverageOf(dir).accounts.find((a) => a.name === "data-lake");
    expect(created).toMatchObject({
      state: "TO BE CREATED",
      path: "Root/Workloads/Data",
      rootAccessScp: true,
      covered: true,
    });
    // The table says so too, as the README promises.
    const table = runCommand("coverage", ["--stack", "dev", "--stacks", dir]).stdout;
    expect(table.split("\n").find((line) => line.includes("data-lake"))).toMatch(
      /^\(new\) data-lake\s+data-lake\s+Root\/Workloads\/Data\s+TO BE CREATED\s+yes\s+yes\s+yes\s+on apply\s+-\s+covered/,
    );
    // Counted apart from the accounts that exist.
    expect(table).toContain(
      "All 11 active member accounts are covered, and the 1 to be created will be on creation.",
    );
  });
});

describe("npm run coverage", () => {
  it("exits 0 on the dev stack and writes JSON", () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "coverage-json-")), "coverage.json");
    const result = runCommand("coverage", [
      "--stack",
      "dev",
      "--stacks",
      FIXTURE_STACKS,
      "--json",
      out,
    ]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("All 11 active member accounts are covered.");
    expect(JSON.parse(readFileSync(out, "utf8")).uncovered).toEqual([]);
  });

  it("exits 1 naming every uncovered account when the targets are narrowed to one OU", () => {
    const dir = stacksWith((config) => {
      config["aws-org-guardrails:rootAccess"].targets = [DEV.securityOu];
    });
    const result = runCommand("coverage", ["--stack", "dev", "--stacks", dir]);
    expectCleanFailure(result);
    expect(result.status).toBe(1);
    const named = result.stderr
      .split("\n")
      .filter((line) => line.startsWith("  "))
      .map((line) => line.trim().split(" ")[0]);
    expect(named.sort()).toEqual(
      [
        "141421356237",
        "173205080756",
        "223606797749",
        "244948974278",
        "264575131106",
        "282842712474",
        "300000000003",
        "316227766016",
        "331662479035",
      ].sort(),
    );
    expect(result.stderr.split("\n")[0]).toBe("coverage: 9 account(s) not covered:");
  });
});

describe("the fast path in the coverage report", () => {
  /** The dev stack with its snapshot recording these stack instances. */
  function withInstances(
    instances: { Account: string; Region: string; Status: string; DetailedStatus?: string }[],
    exists = true,
    readIn = "eu-west-1",
  ): string {
    const dir = stacksWith(() => undefined);
    const file = path.join(dir, "org.dev.json");
    const snapshot = JSON.parse(readFileSync(file, "utf8"));
    snapshot.stackSet = {
      StackSetName: "aws-org-guardrails-root-activity-fast-path",
      Region: readIn,
      Exists: exists,
      Instances: instances,
    };
    writeFileSync(file, `${JSON.stringify(snapshot, null, 2)}\n`);
    return dir;
  }
  const everywhere = (regions: readonly string[]) => {
    const report = coverageOf();
    return report.accounts.flatMap((account) =>
      regions.map((region) => ({
        Account: account.accountId,
        Region: region,
        Status: "CURRENT",
        DetailedStatus: "SUCCEEDED",
      })),
    );
  };

  it("is unknown, and no gap, when the snapshot records no stack instances", () => {
    const report = coverageOf();
    expect(report.fastPathKnown).toBe(false);
    expect(new Set(report.accounts.map((a) => a.fastPath.state))).toEqual(new Set(["unknown"]));
    expect(report.uncovered).toEqual([]);
  });

  it("is unknown, and says why, when the stack set was read in another region than homeRegion", () => {
    const dir = withInstances([], false, "us-east-1");
    const report = coverageOf(dir);
    expect(report.fastPathKnown).toBe(false);
    expect(new Set(report.accounts.map((a) => a.fastPath.state))).toEqual(new Set(["unknown"]));
    expect(runCommand("coverage", ["--stack", "dev", "--stacks", dir]).stdout).toContain(
      "The snapshot read the fast path's stack set in us-east-1, not in the stack's homeRegion",
    );
  });

  it("comes on apply when the stack set does not exist yet", () => {
    const report = coverageOf(withInstances([], false));
    expect(new Set(report.accounts.map((a) => a.fastPath.state))).toEqual(new Set(["on apply"]));
    expect(report.uncovered).toEqual([]);
  });

  it("is deployed where every region of every account has a CURRENT instance", () => {
    const regions = coverageOf().accounts[0].fastPath.regions.map((entry) => entry.region);
    expect(regions).toEqual(["us-east-1", "eu-west-1"]);
    const report = coverageOf(withInstances(everywhere(regions)));
    expect(report.fastPathKnown).toBe(true);
    expect(new Set(report.accounts.map((a) => a.fastPath.state))).toEqual(new Set(["deployed"]));
    expect(report.uncovered).toEqual([]);
  });

  it("fails the gate naming each account and region where it is missing or failed", () => {
    const instances = everywhere(["us-east-1", "eu-west-1"])
      // No instance at all in one region of one account...
      .filter((i) => !(i.Account === DEV.paymentsProd && i.Region === "eu-west-1"))
      // ...and a failed one in another.
      .map((i) =>
        i.Account === DEV.webDev && i.Region === "us-east-1"
          ? { ...i, Status: "OUTDATED", DetailedStatus: "FAILED" }
          : i,
      );
    const dir = withInstances(instances);
    const report = coverageOf(dir);
    expect([...report.uncovered].sort()).toEqual([DEV.paymentsProd, DEV.webDev].sort());
    expect(report.accounts.find((a) => a.accountId === DEV.paymentsProd)?.gaps).toEqual([
      "the fast path is not deployed in eu-west-1 (missing): root events there reach the notifier only minutes later, through the log group",
    ]);
    const result = runCommand("coverage", ["--stack", "dev", "--stacks", dir]);
    expect(result.status).toBe(1);
    expect(result.stdout.split("\n").find((line) => line.startsWith(DEV.webDev))).toContain(
      "NO: us-east-1 OUTDATED/FAILED",
    );
    expect(result.stderr).toContain(`${DEV.paymentsProd} (`);
  });
});
