import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { SNAPSHOT_ENV } from "../org/source";
import { Evaluation, evaluateProgram, ProgramError, RecordedResource, UNKNOWN } from "./engine";
import { defaultSnapshotPath, PROJECT_DIR, readStackFile, STACK_FILE_ENV } from "./stackFile";
import { InputError } from "../lib/errors";
import { planNotes } from "./planNotes";
import { loadStackInputs } from "./stackInputs";

export interface OfflinePlanOptions {
  readonly stack: string;
  /** Organization snapshot; default `stacks/org.<stack>.json`. */
  readonly orgSnapshot?: string;
  /** Where Pulumi.<stack>.yaml (and the default snapshot) are, if not the project's stacks/. */
  readonly stacksDir?: string;
  readonly projectDir?: string;
}

export interface OfflinePlan {
  readonly stack: string;
  readonly stackFile: string;
  readonly orgSnapshot: string;
  readonly evaluation: Evaluation;
  /** What the reader must know beyond the resources (offline/planNotes.ts), one line each. */
  readonly notes: readonly string[];
}

/**
 * Evaluates the real program for a stack under Pulumi's mocks in preview mode, reading the
 * organization from a snapshot: what `pulumi preview` would register, without AWS or the CLI.
 * A program error (bad config, bad snapshot) becomes an `InputError` with the program's message.
 */
export async function planOffline(options: OfflinePlanOptions): Promise<OfflinePlan> {
  const projectDir = options.projectDir ?? PROJECT_DIR;
  const stackFile = readStackFile(options.stack, projectDir, options.stacksDir);
  const orgSnapshot = path.resolve(
    options.orgSnapshot ?? defaultSnapshotPath(options.stack, projectDir, options.stacksDir),
  );
  try {
    const evaluation = await evaluateProgram({
      project: stackFile.project,
      stack: options.stack,
      config: stackFile.config,
      preview: true,
      env: { [SNAPSHOT_ENV]: orgSnapshot, [STACK_FILE_ENV]: stackFile.path },
      programPath: path.join(projectDir, "index"),
    });
    // The same validated inputs the program derived its resources from.
    const inputs = loadStackInputs({
      stack: options.stack,
      orgSnapshot,
      stacksDir: options.stacksDir,
      projectDir,
    });
    const notes = planNotes({
      stack: options.stack,
      config: inputs.config,
      names: inputs.names,
      organization: inputs.organization,
      resources: evaluation.resources,
    });
    return { stack: options.stack, stackFile: stackFile.path, orgSnapshot, evaluation, notes };
  } catch (error) {
    if (error instanceof ProgramError && pulumi.RunError.isInstance(error.cause)) {
      const [summary, ...problems] = error.message.split("\n");
      throw new InputError(
        summary,
        problems.map((line) => line.replace(/^ {2}- /, "")),
      );
    }
    throw error;
  }
}

export interface PreviewStep {
  readonly op: "create";
  readonly urn: string;
  readonly newState: {
    readonly type: string;
    readonly urn: string;
    readonly custom: boolean;
    readonly parent?: string;
    readonly provider?: string;
    readonly protect: boolean;
    readonly retainOnDelete?: boolean;
    readonly deleteBeforeReplace?: boolean;
    readonly dependencies: readonly string[];
    readonly inputs: Record<string, unknown>;
  };
}

/** A resource as `pulumi preview --json` shows it in a step's `newState`. */
export function newStateOf(resource: RecordedResource): PreviewStep["newState"] {
  return {
    type: resource.type,
    urn: resource.urn,
    custom: resource.custom,
    ...(resource.parent ? { parent: resource.parent } : {}),
    ...(resource.provider ? { provider: resource.provider } : {}),
    protect: resource.protect,
    ...(resource.retainOnDelete ? { retainOnDelete: true } : {}),
    ...(resource.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
    dependencies: resource.dependencies,
    inputs: resource.inputs,
  };
}

/** The plan in the shape of `pulumi preview --json` (steps with op, urn and newState). */
export function toPreviewJson(plan: OfflinePlan): { steps: PreviewStep[] } {
  return {
    steps: plan.evaluation.resources.map((resource) => ({
      op: "create",
      urn: resource.urn,
      newState: newStateOf(resource),
    })),
  };
}

function shortUrn(urn: string): string {
  const parts = urn.split("::");
  return `${parts[2]?.split("$").pop()}::${parts[3]}`;
}

function describeValue(value: unknown): string {
  return value === UNKNOWN ? "(known after apply)" : JSON.stringify(value);
}

/**
 * The longest chain of resources that must be created one after another (each waits for its
 * dependencies and its provider): the order a first `pulumi up` cannot shorten.
 */
export function longestCreationChain(
  resources: readonly RecordedResource[],
  /** Only chains ending at this resource. */
  endingAt?: RecordedResource,
): RecordedResource[] {
  const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
  const memo = new Map<string, RecordedResource[]>();
  const chainTo = (resource: RecordedResource): RecordedResource[] => {
    const known = memo.get(resource.urn);
    if (known !== undefined) {
      return known;
    }
    const providerUrn = resource.provider
      ? resource.provider.split("::").slice(0, -1).join("::")
      : "";
    const before = [...resource.dependencies, providerUrn]
      .map((urn) => byUrn.get(urn))
      .filter(
        (dependency): dependency is RecordedResource =>
          dependency !== undefined && dependency.custom,
      );
    let longest: RecordedResource[] = [];
    for (const dependency of before) {
      const chain = chainTo(dependency);
      if (chain.length > longest.length) {
        longest = chain;
      }
    }
    const result = [...longest, resource];
    memo.set(resource.urn, result);
    return result;
  };
  if (endingAt !== undefined) {
    return chainTo(endingAt);
  }
  let best: RecordedResource[] = [];
  for (const resource of resources.filter((r) => r.custom)) {
    const chain = chainTo(resource);
    if (chain.length > best.length) {
      best = chain;
    }
  }
  return best;
}

/** A readable summary: resources by component, the SCP documents, and which target gets what. */
export function renderPlanSummary(plan: OfflinePlan): string {
  const { resources } = plan.evaluation;
  const lines: string[] = [];
  lines.push(`Offline plan for stack ${plan.stack}`);
  lines.push(`  config:       ${path.relative(process.cwd(), plan.stackFile)}`);
  lines.push(`  organization: ${path.relative(process.cwd(), plan.orgSnapshot)}`);
  lines.push("");
  const children = new Map<string, RecordedResource[]>();
  for (const resource of resources) {
    const list = children.get(resource.parent) ?? [];
    list.push(resource);
    children.set(resource.parent, list);
  }
  const providerName = (ref: string): string =>
    ref ? shortUrn(ref.split("::").slice(0, -1).join("::")).split("::")[1] : "";
  const walk = (parent: string, depth: number): void => {
    for (const resource of children.get(parent) ?? []) {
      const via =
        resource.custom && resource.provider
          ? `  [provider: ${providerName(resource.provider)}]`
          : "";
      const flags = resource.protect ? "  (protected)" : "";
      lines.push(`${"  ".repeat(depth)}+ ${resource.type}  ${resource.name}${via}${flags}`);
      walk(resource.urn, depth + 1);
    }
  };
  walk("", 1);
  // Providers are custom resources to the engine, but no AWS resource: counted apart.
  const providers = resources.filter((resource) => resource.type.startsWith("pulumi:providers:"));
  const aws = resources.filter((resource) => resource.custom).length - providers.length;
  lines.push("");
  lines.push(
    `Resources: ${resources.length} to create (${aws} AWS resources, ${resources.length - aws - providers.length} components, ${providers.length} providers).`,
  );

  const chain = longestCreationChain(resources);
  if (chain.length > 1) {
    lines.push(
      `Longest creation chain (${chain.length} steps): ${chain.map((resource) => resource.name).join(" -> ")}`,
    );
  }

  if (plan.notes.length > 0) {
    lines.push("", ...plan.notes);
  }

  const policies = resources.filter(
    (resource) => resource.type === "aws:organizations/policy:Policy",
  );
  for (const policy of policies) {
    const content = policy.inputs.content;
    lines.push("");
    lines.push(
      `SCP ${describeValue(policy.inputs.name)} (${typeof content === "string" ? `${content.length} characters` : "size unknown"}):`,
    );
    if (typeof content === "string") {
      lines.push(
        ...JSON.stringify(JSON.parse(content), null, 2)
          .split("\n")
          .map((line) => `  ${line}`),
      );
    }
    const attachments = resources.filter(
      (resource) =>
        resource.type === "aws:organizations/policyAttachment:PolicyAttachment" &&
        resource.dependencies.includes(policy.urn),
    );
    lines.push(
      `  attached to: ${attachments.map((attachment) => String(attachment.inputs.targetId)).join(", ") || "(nothing)"}`,
    );
  }
  const outputs = plan.evaluation.outputs;
  if (Object.keys(outputs).length > 0) {
    lines.push("");
    lines.push("Outputs:");
    for (const [name, value] of Object.entries(outputs)) {
      lines.push(`  ${name}: ${describeValue(value)}`);
    }
  }
  return lines.join("\n");
}
