import { checkOutputPath, writeFileAtomic } from "../lib/files";
import { loadStackInputs } from "../offline/stackInputs";
import { runCli } from "./run";
import { parseStackArgs } from "./stackArgs";

runCli("plan", async () => {
  const args = parseStackArgs("plan", process.argv.slice(2), true);
  if (args.json !== undefined) {
    checkOutputPath("--json", args.json);
  }
  const location = { stack: args.stack, orgSnapshot: args.orgSnapshot, stacksDir: args.stacksDir };
  // The program's own validation, run first without Pulumi: bad input fails in a fraction of
  // the time the Pulumi runtime takes to load. The program validates again, with the same code.
  loadStackInputs(location);
  const { planOffline, renderPlanSummary, toPreviewJson } = await import("../offline/plan");
  const plan = await planOffline(location);
  if (args.json !== undefined) {
    writeFileAtomic(args.json, `${JSON.stringify(toPreviewJson(plan), null, 2)}\n`);
  }
  process.stdout.write(`${renderPlanSummary(plan)}\n`);
  if (args.json !== undefined) {
    process.stdout.write(`\nWrote the plan in pulumi preview --json shape to ${args.json}\n`);
  }
});
