import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InputError } from "../lib/errors";
import { parseSnapshot } from "../org/snapshot";
import { DEV, DEV_SNAPSHOT, devOrganization } from "./support/fixtures";

function devDocument(): any {
  return JSON.parse(readFileSync(DEV_SNAPSHOT, "utf8"));
}

function problemsOf(document: unknown): readonly string[] {
  try {
    parseSnapshot(document, "org.json");
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  throw new Error("expected the snapshot to be rejected");
}

describe("organization snapshot", () => {
  it("reads the example organization: a dozen accounts in nested OUs, one suspended", () => {
    const organization = devOrganization();
    expect(organization.organization.id).toBe(DEV.organizationId);
    expect(organization.partition).toBe("aws");
    expect(organization.accounts.length).toBeGreaterThanOrEqual(12);
    expect(organization.accounts.filter((a) => a.state === "SUSPENDED").map((a) => a.id)).toEqual([
      DEV.suspended,
    ]);
    expect(organization.ancestors(DEV.sandboxAlice)).toEqual([
      DEV.sandboxOu,
      "ou-4f8a-n0npr0d1",
      DEV.workloadsOu,
      DEV.rootId,
    ]);
    expect(organization.pathOf(DEV.sandboxOu)).toBe("Root/Workloads/NonProd/Sandbox");
    expect(organization.memberAccounts().some((a) => a.id === DEV.management)).toBe(false);
  });

  it("takes the partition from the organization's ARN", () => {
    const document = devDocument();
    document.organization.Arn = document.organization.Arn.replace("arn:aws:", "arn:aws-us-gov:");
    expect(parseSnapshot(document, "org.json").partition).toBe("aws-us-gov");
  });

  it("should name a parent that is neither the root nor an OU", () => {
    const document = devDocument();
    document.accounts[3].ParentId = "ou-4f8a-00000000";
    expect(problemsOf(document)).toEqual([
      "accounts[3].ParentId: ou-4f8a-00000000 is neither the root nor an OU in this snapshot",
    ]);
  });

  it("should reject malformed ids with the field's path", () => {
    const document = devDocument();
    document.accounts[1].Id = "27182818284";
    document.organization.Id = "org-1";
    expect(problemsOf(document)).toEqual([
      "organization.Id: must look like o-exampleorgid",
      "accounts[1].Id: must be a 12-digit account id",
    ]);
  });

  it("should reject an OU parent cycle", () => {
    const document = devDocument();
    const prod = document.organizationalUnits.find((u: { Name: string }) => u.Name === "Prod");
    const workloads = document.organizationalUnits.find(
      (u: { Name: string }) => u.Name === "Workloads",
    );
    workloads.ParentId = prod.Id;
    expect(problemsOf(document)).toEqual(
      ["ou-4f8a-w0rkl0ad", "ou-4f8a-pr0d0001", "ou-4f8a-n0npr0d1", "ou-4f8a-sandb0x1"].map(
        (id) => `organizationalUnits: the parent chain of ${id} loops and never reaches the root`,
      ),
    );
  });

  it("should reject an organization without all features, where SCPs do not exist", () => {
    const document = devDocument();
    document.organization.FeatureSet = "CONSOLIDATED_BILLING";
    expect(problemsOf(document)).toEqual([
      "organization.FeatureSet: service control policies need all features enabled (FeatureSet ALL)",
    ]);
  });

  it("should reject duplicate accounts and a missing management account", () => {
    const document = devDocument();
    document.accounts[0] = { ...document.accounts[1] };
    delete document.policies;
    expect(problemsOf(document)).toEqual([
      "accounts[1].Id: 271828182845 appears more than once",
      "organization.MasterAccountId: 314159265358 is not among the accounts",
    ]);
  });

  it("should name a policy attached to something not in the organization", () => {
    const document = devDocument();
    document.policies[1].Targets.push("ou-4f8a-00000000");
    expect(problemsOf(document)).toEqual([
      "policies[1].Targets[1]: ou-4f8a-00000000 is not a root, OU or account in this snapshot",
    ]);
  });

  it("should reject a document without roots", () => {
    const document = devDocument();
    document.roots = [];
    expect(problemsOf(document)).toEqual(["roots: an organization has exactly one root"]);
  });
});
