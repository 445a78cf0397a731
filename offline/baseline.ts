import { createHash } from "node:crypto";
import { InputError } from "../lib/errors";
import { readJsonInput } from "../lib/files";
import { RecordedResource, UNKNOWN } from "./engine";

/**
 * What a plan is compared with: the resources of an earlier plan (`npm run plan -- --json`, the
 * base branch's) or of the deployed stack (`pulumi stack export`). Both are read into one shape
 * with the same value conventions as the offline engine (offline/engine.ts): unknowns as
 * `UNKNOWN`, secrets as `[secret]` (their value is dropped at once, never compared or printed),
 * assets by the sha256 of their text, resource references by URN.
 *
 * The export format is Pulumi's "untyped deployment": `{version, deployment: {manifest, resources:
 * [{urn, custom, id, type, inputs, outputs, parent, protect, retainOnDelete, dependencies,
 * provider, ...}]}}` (https://www.pulumi.com/docs/iac/cli/commands/pulumi_stack_export/; the
 * fields are apitype.DeploymentV3 and ResourceV3 in pulumi/pulumi sdk/go/common/apitype/core.go,
 * and versions 1 to 4 are what `pulumi stack import` reads, pkg/resource/stack/deployment.go).
 */
export type BaselineKind = "plan" | "state";

/** A resource as the baseline has it: what a plan records of one, with what only state knows. */
export interface BaselineResource extends Pick<
  RecordedResource,
  | "urn"
  | "type"
  | "name"
  | "custom"
  | "parent"
  | "provider"
  | "protect"
  | "retainOnDelete"
  | "dependencies"
  | "inputs"
> {
  /** The cloud id (state baselines only). */
  readonly id?: string;
  /** Inputs the provider filled in itself (the bridge's `__defaults`): absent in a program's. */
  readonly defaults: readonly string[];
  /**
   * Left marked for deletion by an earlier replacement that did not finish (`delete: true`):
   * Pulumi deletes it on the next `pulumi up`.
   */
  readonly pendingDelete?: true;
}

export interface Baseline {
  readonly kind: BaselineKind;
  readonly file: string;
  readonly stack: string;
  readonly project: string;
  readonly resources: readonly BaselineResource[];
  /** What the reader must know about the baseline itself, one line each. */
  readonly notes: readonly string[];
}

// Pulumi's signature key and values for special property values in state
// (sdk/go/common/resource/sig/sig.go).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** How state and preview JSON write a value not known yet (pkg/resource/stack/deployment.go). */
const UNKNOWN_TEXT = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const OLDEST_STATE_VERSION = 1;
const NEWEST_STATE_VERSION = 4;

const HOW =
  "give a plan JSON (npm run plan -- --stack <env> --json <file>) or the output of pulumi stack export --stack <env> --file <file>";

/** Reads and checks a baseline file for `stack` of `project`; every failure is one line. */
export function readBaseline(file: string, expected: { stack: string; project: string }): Baseline {
  const label = `--baseline ${file}`;
  const document = readJsonInput(file, label, { notFound: `no such file; ${HOW}`, how: HOW });
  const parsed = parseBaseline(document, label);
  const resources = parsed.resources.filter((resource) => !isEngineInternal(resource));
  const identities = new Set(resources.map((resource) => identityOf(resource.urn, label)));
  if (identities.size > 1) {
    throw new InputError(
      `${label}: holds resources of more than one stack (${[...identities].join(", ")}); export one stack`,
    );
  }
  const [identity] = [...identities];
  const wanted = `${expected.stack}::${expected.project}`;
  if (identity !== undefined && identity !== wanted) {
    const [stack, project] = identity.split("::");
    throw new InputError(
      `${label}: is of stack ${stack} of project ${project}, not ${expected.stack} of ${expected.project}; ` +
        `compare with the same stack (pulumi stack export --stack ${expected.stack})`,
    );
  }
  const notes = [...parsed.notes];
  if (resources.length === 0) {
    notes.push(
      `The baseline ${file} holds no resource: everything shows as created. If the stack is deployed, export it again (pulumi stack export --stack ${expected.stack}).`,
    );
  }
  return {
    kind: parsed.kind,
    file,
    stack: expected.stack,
    project: expected.project,
    resources,
    notes,
  };
}

function parseBaseline(
  document: unknown,
  label: string,
): { kind: BaselineKind; resources: BaselineResource[]; notes: string[] } {
  if (!isRecord(document)) {
    throw new InputError(`${label}: not a plan or a stack export (a JSON object); ${HOW}`);
  }
  if (Array.isArray(document.steps)) {
    return { kind: "plan", resources: planResources(document.steps, label), notes: [] };
  }
  if ("deployment" in document || "version" in document) {
    const deployment = isRecord(document.deployment) ? document.deployment : {};
    const pending = Array.isArray(deployment.pending_operations)
      ? deployment.pending_operations
      : [];
    return {
      kind: "state",
      resources: stateResources(document, label),
      notes:
        pending.length === 0
          ? []
          : [
              // An interrupted update: a create may have happened that the state does not show.
              `The state has ${pending.length} pending operation(s) from an interrupted update (${pending
                .map((operation) =>
                  isRecord(operation) && isRecord(operation.resource)
                    ? `${String(operation.type)} ${String(operation.resource.urn).split("::").pop()}`
                    : "?",
                )
                .join(
                  ", ",
                )}): what they did is not in the state. Resolve them first (pulumi refresh, or pulumi stack export, edit, import), then compare again.`,
            ],
    };
  }
  throw new InputError(
    `${label}: an unknown format (neither "steps" of a plan nor "deployment" of a stack export); ${HOW}`,
  );
}

function planResources(steps: readonly unknown[], label: string): BaselineResource[] {
  const seen = new Map<string, BaselineResource>();
  steps.forEach((step, index) => {
    if (!isRecord(step) || typeof step.op !== "string") {
      throw new InputError(`${label}: steps[${index}] has no op; not a plan this command wrote`);
    }
    // What the plan leaves in place: every step's new state (a delete has none).
    const state = step.newState;
    if (step.op === "delete" || step.op === "delete-replaced" || state === undefined) {
      return;
    }
    const resource = resourceOf(state, `steps[${index}].newState`, label);
    if (!seen.has(resource.urn)) {
      seen.set(resource.urn, resource);
    }
  });
  return [...seen.values()];
}

function stateResources(document: Record<string, unknown>, label: string): BaselineResource[] {
  const version = document.version;
  if (
    typeof version !== "number" ||
    version < OLDEST_STATE_VERSION ||
    version > NEWEST_STATE_VERSION
  ) {
    throw new InputError(
      `${label}: a stack export of version ${JSON.stringify(version)}, expected ${OLDEST_STATE_VERSION} to ${NEWEST_STATE_VERSION}; export it again with a current Pulumi CLI`,
    );
  }
  const deployment = document.deployment;
  if (!isRecord(deployment)) {
    throw new InputError(`${label}: a stack export without "deployment"; ${HOW}`);
  }
  const resources = deployment.resources ?? [];
  if (!Array.isArray(resources)) {
    throw new InputError(`${label}: deployment.resources is not a list`);
  }
  return resources.map((resource, index) => {
    const read = resourceOf(resource, `deployment.resources[${index}]`, label);
    return isRecord(resource) && resource.delete === true
      ? { ...read, pendingDelete: true as const }
      : read;
  });
}

function resourceOf(value: unknown, where: string, label: string): BaselineResource {
  if (!isRecord(value) || typeof value.urn !== "string" || typeof value.type !== "string") {
    throw new InputError(`${label}: ${where} has no urn or type`);
  }
  const rawInputs = isRecord(value.inputs) ? value.inputs : {};
  const defaults = Array.isArray(rawInputs.__defaults)
    ? rawInputs.__defaults.filter((key): key is string => typeof key === "string")
    : [];
  const isProvider = value.type.startsWith("pulumi:providers:");
  const inputs = Object.fromEntries(
    Object.entries(rawInputs)
      // The bridge's bookkeeping (`__defaults`, `__meta`) and the engine's (`__internal`), not
      // inputs; on a provider, the plugin version and download URL the engine records beside its
      // config (pkg/resource/deploy/providers/registry.go, SetProviderVersion): an upgrade of the
      // plugin is not a change of the provider's configuration.
      .filter(
        ([key]) =>
          !key.startsWith("__") &&
          !(isProvider && (key === "version" || key === "pluginDownloadURL")),
      )
      .filter(([key]) => !defaults.includes(key))
      .map(([key, inner]) => [key, plainStateValue(inner)]),
  );
  return {
    urn: value.urn,
    type: value.type,
    name: value.urn.split("::").pop() ?? "",
    custom: value.custom === true,
    ...(typeof value.id === "string" && value.id !== "" ? { id: value.id } : {}),
    parent: typeof value.parent === "string" ? value.parent : "",
    provider: typeof value.provider === "string" ? value.provider : "",
    protect: value.protect === true,
    retainOnDelete: value.retainOnDelete === true,
    dependencies: Array.isArray(value.dependencies)
      ? value.dependencies.filter((urn): urn is string => typeof urn === "string")
      : [],
    inputs,
    defaults,
  };
}

/** A state value in the engine's conventions (offline/engine.ts plainValue). */
function plainStateValue(value: unknown): unknown {
  if (value === UNKNOWN_TEXT) {
    return UNKNOWN;
  }
  if (Array.isArray(value)) {
    return value.map(plainStateValue);
  }
  if (!isRecord(value)) {
    return value;
  }
  switch (value[SIG_KEY]) {
    case SECRET_SIG:
      // Encrypted or (--show-secrets) plain: either way the value is not kept.
      return "[secret]";
    case RESOURCE_SIG:
      return value.urn;
    case ASSET_SIG:
      return typeof value.text === "string"
        ? `[asset sha256:${createHash("sha256").update(value.text).digest("hex")}, ${value.text.length} bytes]`
        : typeof value.hash === "string"
          ? // Pulumi's asset hash is the sha256 of its bytes (sdk/go/common/resource/asset/asset.go).
            `[asset sha256:${value.hash}]`
          : `[asset ${String(value.path ?? value.uri ?? "")}]`;
    case ARCHIVE_SIG:
      return isRecord(value.assets)
        ? { archive: plainStateValue(value.assets) }
        : `[archive ${String(value.path ?? value.uri ?? value.hash ?? "")}]`;
    default: {
      // Nested objects carry the bridge's `__defaults` too: the keys the provider filled in.
      const defaulted = Array.isArray(value.__defaults) ? value.__defaults : [];
      return Object.fromEntries(
        Object.entries(value)
          .filter(([key]) => !key.startsWith("__") && !defaulted.includes(key))
          .map(([key, inner]) => [key, plainStateValue(inner)]),
      );
    }
  }
}

/**
 * The root stack and default providers are the engine's own: `pulumi preview` never shows them
 * as steps (pkg/engine/update.go isInternalStep), and this program uses explicit providers only.
 */
function isEngineInternal(resource: BaselineResource): boolean {
  return (
    resource.type === "pulumi:pulumi:Stack" ||
    (resource.type.startsWith("pulumi:providers:") && resource.name.startsWith("default"))
  );
}

/** `<stack>::<project>` of a URN, `urn:pulumi:<stack>::<project>::<type>::<name>`. */
function identityOf(urn: string, label: string): string {
  const match = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn);
  if (match === null) {
    throw new InputError(`${label}: ${urn} is not a Pulumi URN`);
  }
  return `${match[1]}::${match[2]}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
