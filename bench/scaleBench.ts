import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import {
  DEV_SNAPSHOT_PATH,
  FIXTURE_STACKS_DIR,
  growOrganization,
} from "../test/support/organizationGenerator";
import { BenchOptions, benchDir, machineLine, measure, sized, tsxCommand } from "./harness";

// Set from the options at the start of each run.
let RUNS = 0;
let dataDir = "";

interface PlanRun {
  seconds: number;
  resources: number;
  types: string;
}

/** The dev stack's arguments for plan and coverage, against an organization snapshot. */
function devStackArgs(orgFile: string, out: string): string[] {
  return ["--stack", "dev", "--stacks", FIXTURE_STACKS_DIR, "--org", orgFile, "--json", out];
}

function timePlan(orgFile: string): PlanRun {
  const out = path.join(dataDir, "plan.json");
  let best: PlanRun | undefined;
  for (let run = 0; run < RUNS; run += 1) {
    const measured = measure(...tsxCommand("cli/plan.ts", devStackArgs(orgFile, out)));
    const steps = (
      JSON.parse(readFileSync(out, "utf8")) as {
        steps: { newState: { type: string; custom: boolean } }[];
      }
    ).steps;
    const types = steps
      .map((step) => step.newState.type)
      .sort()
      .join(",");
    if (best === undefined || measured.wallSeconds < best.seconds) {
      // AWS resources only: not the stack, the components or the providers.
      const awsResources = steps.filter(
        (step) => step.newState.custom && !step.newState.type.startsWith("pulumi:providers:"),
      ).length;
      best = { seconds: measured.wallSeconds, resources: awsResources, types };
    }
  }
  return best as PlanRun;
}

function timeCoverage(orgFile: string): { seconds: number; accounts: number } {
  const out = path.join(dataDir, "coverage.json");
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < RUNS; run += 1) {
    best = Math.min(
      best,
      measure(...tsxCommand("cli/coverage.ts", devStackArgs(orgFile, out))).wallSeconds,
    );
  }
  const report = JSON.parse(readFileSync(out, "utf8")) as {
    accounts: unknown[];
    uncovered: unknown[];
  };
  if (report.uncovered.length > 0) {
    throw new Error(
      `coverage found ${report.uncovered.length} uncovered accounts in the grown organization`,
    );
  }
  return { seconds: best, accounts: report.accounts.length };
}

export function runScaleBenchmark(options: BenchOptions): string {
  RUNS = sized(options, 3, 1);
  dataDir = path.join(benchDir(options), "scale");
  mkdirSync(dataDir, { recursive: true });
  const big = path.join(dataDir, "org.5000.json");
  const base = JSON.parse(readFileSync(DEV_SNAPSHOT_PATH, "utf8"));
  // 200 OUs in all, the dev organization's own included.
  const grown = growOrganization(base, 5_000, 200 - base.organizationalUnits.length);
  writeFileSync(big, JSON.stringify(grown));
  const small = timePlan(DEV_SNAPSHOT_PATH);
  const large = timePlan(big);
  if (small.types !== large.types) {
    throw new Error(
      "the plan at 5,000 accounts registers different resources than at the dev organization's size",
    );
  }
  const coverage = timeCoverage(big);
  const ratio = large.seconds / small.seconds;
  return [
    "## Plan and coverage at scale",
    "",
    `Command: \`npm run bench -- scale\`. Machine: ${machineLine()}. Wall time of the whole command (Node start, tsx, program), best of ${RUNS}.`,
    `Data: the dev organization (\`test/fixtures/stacks/org.dev.json\`, ${JSON.parse(readFileSync(DEV_SNAPSHOT_PATH, "utf8")).accounts.length} accounts) and the same grown to ${grown.accounts.length.toLocaleString("en-US")} accounts in ${grown.organizationalUnits.length} OUs (nested up to 4 deep, FullAWSAccess attached everywhere).`,
    "",
    "| what | dev organization | 5,000 accounts |",
    "| --- | ---: | ---: |",
    `| \`npm run plan -- --stack dev\` wall time | ${small.seconds.toFixed(2)} s | ${large.seconds.toFixed(2)} s (${ratio.toFixed(2)}x) |`,
    `| AWS resources in the plan | ${small.resources} | ${large.resources} (same types: ${small.types === large.types}) |`,
    `| \`npm run coverage -- --stack dev\` wall time | | ${coverage.seconds.toFixed(2)} s for ${coverage.accounts.toLocaleString("en-US")} accounts |`,
    "",
    `Goal: plan under 10 s and under 3 times the small one at 5,000 accounts: ${large.seconds < 10 && ratio < 3 ? "met" : "NOT met"}. ` +
      "The guardrails attach at the Root or OUs, never per account, so the plan's resources do not grow with the organization.",
  ].join("\n");
}
