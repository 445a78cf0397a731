import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { buildRootAccessScp } from "../../policies/rootAccessScp";
import { renderScp } from "../../policies/scpBudget";
import { SCP_DEFINITIONS } from "../../policies/scpDefinitions";
import { PlannedScp } from "../../policies/scpPlan";
import { projectConfigFromPulumi } from "../../config/validate";
import { readStackFile, PROJECT_DIR } from "../../offline/stackFile";
import { OrganizationModel } from "../../org/model";
import { readSnapshotFile } from "../../org/source";

/**
 * The tests' own dev stack and organization: never the project's stacks/, which a real
 * repository replaces with its environments (README, "Pipeline").
 */
export const FIXTURE_STACKS = path.join(PROJECT_DIR, "test", "fixtures", "stacks");
export const DEV_STACK_FILE = path.join(FIXTURE_STACKS, "Pulumi.dev.yaml");
export const DEV_SNAPSHOT = path.join(FIXTURE_STACKS, "org.dev.json");

/** The shared corpus of real CloudTrail records (../shared beside the clone, as CI has it). */
export const CORPUS_DIR = path.join(PROJECT_DIR, "..", "shared", "data", "cloudtrail-root-events");
export const CORPUS_EVENTS = path.join(CORPUS_DIR, "events.jsonl");

/** Accounts of the example organization in test/fixtures/stacks/org.dev.json. */
export const DEV = {
  organizationId: "o-7h2kq9x4mz",
  rootId: "r-4f8a",
  management: "314159265358",
  logArchive: "271828182845",
  audit: "161803398874",
  paymentsProd: "223606797749",
  webDev: "300000000003",
  sandboxAlice: "316227766016",
  suspended: "346410161513",
  securityOu: "ou-4f8a-sec0urty",
  workloadsOu: "ou-4f8a-w0rkl0ad",
  prodOu: "ou-4f8a-pr0d0001",
  sandboxOu: "ou-4f8a-sandb0x1",
} as const;

export function devOrganization(): OrganizationModel {
  return readSnapshotFile(DEV_SNAPSHOT);
}

/** The dev stack's config as the CLI would pass it to the program. */
export function devStackConfig(): Record<string, string> {
  return { ...readStackFile("dev", PROJECT_DIR, FIXTURE_STACKS).config };
}

/** The dev stack's config as this project's raw object (before validation). */
export function devRawConfig(): Record<string, unknown> {
  return structuredClone(projectConfigFromPulumi(devStackConfig()) ?? {});
}

/** An ISO-8601 UTC time `hours` from now, to the second, as a user would write it. */
export function hoursFromNow(hours: number, now: Date = new Date()): string {
  return new Date(now.getTime() + hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A private copy of the tests' dev stack (stack file and snapshot) with its config edited. */
export function stacksWith(edit: (config: Record<string, any>) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), "stacks-"));
  cpSync(FIXTURE_STACKS, dir, { recursive: true });
  const file = path.join(dir, "Pulumi.dev.yaml");
  const document = parse(readFileSync(file, "utf8"));
  edit(document.config);
  writeFileSync(file, stringify(document));
  return dir;
}

/** A planned root-access SCP (the first definition), rendered, for component-level tests. */
export function plannedRootAccessScp(
  targets: PlannedScp["targets"] = [{ id: "r-4f8a", path: "Root" }],
): PlannedScp {
  const [definition] = SCP_DEFINITIONS;
  return {
    kind: definition.kind,
    definition,
    name: "aws-org-guardrails-root-access",
    resourceName: "root-access",
    description: "Denies member root.",
    rendered: renderScp(
      "root-access",
      buildRootAccessScp({ partition: "aws", breakGlass: [] }),
      5120,
      "",
    ),
    targets,
  };
}
