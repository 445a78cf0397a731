import { writeFileAtomic } from "../lib/files";
import { loadStackInputs } from "../offline/stackInputs";
import { defineCommand, JSON_OPTION, runWhenMain, STACK_OPTIONS, stackInputs } from "./command";

export const planCommand = defineCommand(
  {
    name: "plan",
    summary: "what `pulumi preview` would create for a stack, offline (Pulumi mocks)",
    inputs: stackInputs,
    options: {
      ...STACK_OPTIONS,
      json: {
        ...JSON_OPTION.json,
        description: "also write the plan in the shape of `pulumi preview --json` to this file",
      },
    },
  },
  async ({ values }, io) => {
    const location = { stack: values.stack, orgSnapshot: values.org, stacksDir: values.stacks };
    // The program's own validation, run first without Pulumi: bad input fails in a fraction of
    // the time the Pulumi runtime takes to load. The program validates again, with the same code.
    loadStackInputs(location);
    const { planOffline, renderPlanSummary, toPreviewJson } = await import("../offline/plan");
    const plan = await planOffline(location);
    if (values.json !== undefined) {
      writeFileAtomic(values.json, `${JSON.stringify(toPreviewJson(plan), null, 2)}\n`);
    }
    io.stdout(`${renderPlanSummary(plan)}\n`);
    if (values.json !== undefined) {
      io.stdout(`\nWrote the plan in pulumi preview --json shape to ${values.json}\n`);
    }
  },
);

runWhenMain(module, planCommand);
