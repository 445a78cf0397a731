import * as path from "node:path";
import { parseArgs } from "node:util";
import { InputError } from "../lib/errors";
import { writeFileAtomic } from "../lib/files";
import { loadStackInputs } from "../offline/stackInputs";
import { runCli } from "./run";

const USAGE =
  "usage: npm run plan -- --stack <name> [--org <snapshot.json>] [--json <file>] [--stacks <dir>]";

export function parsePlanArgs(argv: string[]): {
  stack: string;
  org?: string;
  json?: string;
  stacks?: string;
} {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stack: { type: "string" },
        org: { type: "string" },
        json: { type: "string" },
        stacks: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new InputError(`${(error as Error).message}; ${USAGE}`);
  }
  if (values.stack === undefined || values.stack === "") {
    throw new InputError(`--stack is required; ${USAGE}`);
  }
  return { stack: values.stack, org: values.org, json: values.json, stacks: values.stacks };
}

runCli("plan", async () => {
  const args = parsePlanArgs(process.argv.slice(2));
  const location = {
    stack: args.stack,
    orgSnapshot: args.org && path.resolve(args.org),
    stacksDir: args.stacks && path.resolve(args.stacks),
  };
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
