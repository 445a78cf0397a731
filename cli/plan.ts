import { parseArgs } from "node:util";
import { InputError } from "../lib/errors";
import { writeFileAtomic } from "../lib/files";
import { planOffline, renderPlanSummary, toPreviewJson } from "../offline/plan";
import { runCli } from "./run";

const USAGE = "usage: npm run plan -- --stack <name> [--org <snapshot.json>] [--json <file>]";

export function parsePlanArgs(argv: string[]): { stack: string; org?: string; json?: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { stack: { type: "string" }, org: { type: "string" }, json: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new InputError(`${(error as Error).message}; ${USAGE}`);
  }
  if (values.stack === undefined || values.stack === "") {
    throw new InputError(`--stack is required; ${USAGE}`);
  }
  return { stack: values.stack, org: values.org, json: values.json };
}

runCli("plan", async () => {
  const args = parsePlanArgs(process.argv.slice(2));
  const plan = await planOffline({ stack: args.stack, orgSnapshot: args.org });
  if (args.json !== undefined) {
    writeFileAtomic(args.json, `${JSON.stringify(toPreviewJson(plan), null, 2)}\n`);
  }
  process.stdout.write(`${renderPlanSummary(plan)}\n`);
  if (args.json !== undefined) {
    process.stdout.write(`\nWrote the plan in pulumi preview --json shape to ${args.json}\n`);
  }
});
