import * as path from "node:path";
import { parseArgs } from "node:util";
import { importCommands } from "../coverage/adoption";
import { InputError } from "../lib/errors";
import { readProject } from "../offline/stackFile";
import { loadStackInputs } from "../offline/stackInputs";
import { runCli } from "./run";

const USAGE = "usage: npm run adopt -- --stack <env> [--org <snapshot.json>] [--stacks <dir>]";

runCli("adopt", async () => {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { stack: { type: "string" }, org: { type: "string" }, stacks: { type: "string" } },
      strict: true,
    }));
  } catch (error) {
    throw new InputError(`${(error as Error).message}; ${USAGE}`);
  }
  if (values.stack === undefined) {
    throw new InputError(`--stack is required; ${USAGE}`);
  }
  const inputs = loadStackInputs({
    stack: values.stack,
    orgSnapshot: values.org && path.resolve(values.org),
    stacksDir: values.stacks && path.resolve(values.stacks),
  });
  const commands = importCommands(values.stack, readProject().name, inputs.topology);
  if (commands.length === 0) {
    process.stdout.write(
      "No declared OU or account exists in the organization yet: nothing to adopt.\n",
    );
    return 0;
  }
  process.stdout.write(
    `# Declared OUs and accounts that already exist in ${inputs.organization.organization.id} (from ${path.relative(process.cwd(), inputs.orgSnapshot)}).\n` +
      "# Run each once, for those not yet in the stack's state (pulumi stack --show-urns lists them):\n",
  );
  process.stdout.write(`${commands.join("\n")}\n`);
  return 0;
});
