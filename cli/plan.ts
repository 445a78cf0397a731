import { writeFileAtomic } from "../lib/files";
import { InputError } from "../lib/errors";
import { loadStackInputs } from "../offline/stackInputs";
import { defineCommand, JSON_OPTION, runWhenMain, STACK_OPTIONS, stackInputs } from "./command";

export const planCommand = defineCommand(
  {
    name: "plan",
    summary: "what `pulumi preview` would do for a stack, offline (Pulumi mocks)",
    inputs: (values) => [
      ...stackInputs(values),
      ...(values.baseline === undefined ? [] : [values.baseline]),
    ],
    options: {
      ...STACK_OPTIONS,
      baseline: {
        type: "string",
        value: "<file>",
        description:
          "compare with an earlier plan (--json) or `pulumi stack export` output: show only what changes",
      },
      "allow-destructive": {
        type: "boolean",
        description:
          "with --baseline: go on (exit 0) although an account, the trail, the archive bucket, a KMS key or the central log group would be replaced or deleted",
      },
      json: {
        ...JSON_OPTION.json,
        description:
          "also write the plan in the shape of `pulumi preview --json` to this file (with --baseline: every step with its op and diff)",
      },
      markdown: {
        type: "string",
        value: "<file>",
        output: true,
        description:
          "with --baseline: also write the diff as Markdown (for a job summary) to this file",
      },
    },
    verdict:
      "with --baseline: a guarded resource would be replaced, deleted or unprotected (without --allow-destructive), Pulumi would refuse a step on a protected resource, or an existing resource must be imported first",
  },
  async ({ values }, io) => {
    if (values.baseline === undefined) {
      for (const flag of ["allow-destructive", "markdown"] as const) {
        if (values[flag] !== undefined && values[flag] !== false) {
          throw new InputError(`--${flag} needs --baseline <file>: it is about the changes`);
        }
      }
    }
    const location = { stack: values.stack, orgSnapshot: values.org, stacksDir: values.stacks };
    // The program's own validation, run first without Pulumi: bad input fails in a fraction of
    // the time the Pulumi runtime takes to load. The program validates again, with the same code.
    const inputs = loadStackInputs(location);
    const { readProject } = await import("../offline/stackFile");
    const project = readProject().name;
    // The baseline is read before the (slower) program runs: a bad file fails at once.
    const { readBaseline } = await import("../offline/baseline");
    const baseline =
      values.baseline === undefined
        ? undefined
        : readBaseline(values.baseline, { stack: values.stack, project });
    const { planOffline, renderPlanSummary, toPreviewJson } = await import("../offline/plan");
    const plan = await planOffline(location);
    if (baseline === undefined) {
      if (values.json !== undefined) {
        writeFileAtomic(values.json, `${JSON.stringify(toPreviewJson(plan), null, 2)}\n`);
      }
      io.stdout(`${renderPlanSummary(plan)}\n`);
      if (values.json !== undefined) {
        io.stdout(`\nWrote the plan in pulumi preview --json shape to ${values.json}\n`);
      }
      return 0;
    }
    const { diffPlan } = await import("../offline/diff");
    const { judgeDiff, renderDiff, renderDiffMarkdown, toDiffJson } =
      await import("../offline/diffReport");
    const { adoptions } = await import("../coverage/adoption");
    const diffs = diffPlan(baseline, plan.evaluation.resources, {
      adoptions: adoptions(values.stack, project, inputs.topology),
    });
    const report = {
      stack: values.stack,
      baseline,
      diffs,
      verdict: judgeDiff(diffs, { centralLogGroupName: inputs.names.logGroupName, baseline }),
      allowDestructive: values["allow-destructive"] === true,
    };
    if (values.json !== undefined) {
      writeFileAtomic(values.json, `${JSON.stringify(toDiffJson(report), null, 2)}\n`);
    }
    if (values.markdown !== undefined) {
      writeFileAtomic(values.markdown, renderDiffMarkdown(report));
    }
    io.stdout(`${renderDiff(report)}\n`);
    const stopped =
      (report.verdict.destructive.length > 0 && !report.allowDestructive) ||
      report.verdict.refused.length > 0 ||
      report.verdict.imports.length > 0;
    return stopped ? 1 : 0;
  },
);

runWhenMain(module, planCommand);
