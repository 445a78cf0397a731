import * as path from "node:path";
import { importCommands } from "../coverage/adoption";
import { readProject } from "../offline/stackFile";
import { loadStackInputs } from "../offline/stackInputs";
import { defineCommand, runWhenMain, STACK_OPTIONS } from "./command";

export const adoptCommand = defineCommand(
  {
    name: "adopt",
    summary:
      "the `pulumi import` commands for declared OUs and accounts that already exist in the organization",
    options: STACK_OPTIONS,
  },
  async ({ values }, io) => {
    const location = { stack: values.stack, orgSnapshot: values.org, stacksDir: values.stacks };
    const inputs = loadStackInputs(location);
    const commands = importCommands(values.stack, readProject().name, inputs.topology);
    if (commands.length === 0) {
      io.stdout("No declared OU or account exists in the organization yet: nothing to adopt.\n");
      return 0;
    }
    io.stdout(
      `# Declared OUs and accounts that already exist in ${inputs.organization.organization.id} (from ${path.relative(process.cwd(), inputs.orgSnapshot)}).\n` +
        "# Run each once, for those not yet in the stack's state (pulumi stack --show-urns lists them):\n",
    );
    io.stdout(`${commands.join("\n")}\n`);
    return 0;
  },
);

runWhenMain(module, adoptCommand);
