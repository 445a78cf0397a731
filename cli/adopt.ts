import * as path from "node:path";
import { importCommands } from "../coverage/adoption";
import { readProject } from "../offline/stackFile";
import { loadStackInputs } from "../offline/stackInputs";
import { runCli } from "./run";
import { parseStackArgs } from "./stackArgs";

runCli("adopt", async () => {
  const args = parseStackArgs("adopt", process.argv.slice(2), false);
  const inputs = loadStackInputs(args);
  const commands = importCommands(args.stack, readProject().name, inputs.topology);
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
