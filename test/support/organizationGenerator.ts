import * as path from "node:path";
import { PROJECT_DIR } from "../../lib/paths";
import { OrganizationSnapshot } from "../../org/snapshot";
import { randomGenerator } from "./cloudtrailGenerator";

/** The tests' dev stack and organization, which the benchmarks plan against (never stacks/). */
export const FIXTURE_STACKS_DIR = path.join(PROJECT_DIR, "test", "fixtures", "stacks");
export const DEV_SNAPSHOT_PATH = path.join(FIXTURE_STACKS_DIR, "org.dev.json");

/**
 * The dev organization grown to `accounts` accounts with `units` more OUs, nested up to four deep
 * under its existing OUs, deterministic. FullAWSAccess stays attached everywhere, as AWS does.
 */
export function growOrganization(
  base: OrganizationSnapshot,
  accounts: number,
  units: number,
): OrganizationSnapshot {
  const random = randomGenerator(5000);
  const org = base.organization;
  const arnPrefix = `arn:aws:organizations::${org.MasterAccountId}`;
  const parents = base.organizationalUnits
    .filter((unit) => unit.Name !== "Suspended")
    .map((unit) => ({ id: unit.Id, depth: 1 }));
  const organizationalUnits = [...base.organizationalUnits];
  for (let index = 0; index < units; index += 1) {
    const candidates = parents.filter((parent) => parent.depth < 4);
    const parent = candidates[Math.floor(random() * candidates.length)];
    const id = `ou-4f8a-${String(index).padStart(8, "0")}`;
    organizationalUnits.push({
      Id: id,
      Arn: `${arnPrefix}:ou/${org.Id}/${id}`,
      Name: `team-${index}`,
      ParentId: parent.id,
    });
    parents.push({ id, depth: parent.depth + 1 });
  }
  const grown = [...base.accounts];
  for (let index = grown.length; index < accounts; index += 1) {
    const id = String(500000000000 + index);
    const parent = parents[Math.floor(random() * parents.length)];
    grown.push({
      Id: id,
      Arn: `${arnPrefix}:account/${org.Id}/${id}`,
      Name: `workload-${index}`,
      Email: `aws-workload-${index}@example.com`,
      Status: "ACTIVE",
      ParentId: parent.id,
    });
  }
  const everywhere = [
    base.roots[0].Id,
    ...organizationalUnits.map((unit) => unit.Id),
    ...grown.map((account) => account.Id),
  ];
  const policies = (base.policies ?? []).map((policy) =>
    policy.Name === "FullAWSAccess" ? { ...policy, Targets: everywhere } : policy,
  );
  return { ...base, organizationalUnits, accounts: grown, policies };
}
