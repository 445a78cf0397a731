import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import * as path from "node:path";
import { PROJECT_DIR } from "../lib/paths";

/**
 * Runs the real Pulumi program in-process against Pulumi's mock monitor and records every
 * resource registration as the engine would receive it (type, name, parent, provider, protect,
 * dependencies, inputs). The offline plan and the whole-program tests are both built on this:
 * one evaluator, no second implementation of the program.
 */

/** Pulumi's marker for a value not known until the resource exists (sdk/nodejs/runtime/rpc.ts). */
export const UNKNOWN = pulumi.runtime.unknownValue;

// Signature keys of Pulumi's wire format for special values (sdk/nodejs/runtime/rpc.ts).
const SIG_KEY = pulumi.runtime.specialSigKey;
const SECRET_SIG = pulumi.runtime.specialSecretSig;
const RESOURCE_SIG = pulumi.runtime.specialResourceSig;
const OUTPUT_SIG = pulumi.runtime.specialOutputValueSig;
const ASSET_SIG = pulumi.runtime.specialAssetSig;
const ARCHIVE_SIG = pulumi.runtime.specialArchiveSig;

export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly parent: string;
  /** `<provider urn>::<provider id>` for custom resources, "" for components. */
  readonly provider: string;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** Replaced delete-first (the `deleteBeforeReplace` option). */
  readonly deleteBeforeReplace: boolean;
  readonly ignoreChanges: readonly string[];
  readonly dependencies: readonly string[];
  readonly importId: string;
  /** The resource's aliases as the SDK sends them: URNs, or specs the engine resolves. */
  readonly aliases: readonly (string | AliasSpec)[];
  /** Inputs in plain JSON: unknowns as `UNKNOWN`, secrets as `[secret]`, resources as their URN. */
  readonly inputs: Record<string, unknown>;
}

/** An alias spec (pulumi/pulumi proto/pulumi/alias.proto): empty fields mean "as the resource". */
export interface AliasSpec {
  readonly name: string;
  readonly type: string;
  readonly stack: string;
  readonly project: string;
  readonly parentUrn: string;
  readonly noParent: boolean;
}

export interface Evaluation {
  readonly resources: readonly RecordedResource[];
  readonly outputs: Record<string, unknown>;
}

export interface EvaluateOptions {
  readonly project: string;
  readonly stack: string;
  /** Config as the Pulumi CLI passes it: `{"<namespace>:<key>": "<string or JSON>"}`. */
  readonly config: Readonly<Record<string, string>>;
  /** Preview leaves ids and computed outputs unknown, as `pulumi preview` does. */
  readonly preview: boolean;
  /** Environment variables set while the program runs (restored afterwards). */
  readonly env?: Readonly<Record<string, string>>;
  /** The program module; defaults to the project's index.ts. */
  readonly programPath?: string;
  /** A program given directly (component tests), instead of a module to import. */
  readonly program?: () => Promise<Record<string, unknown> | void>;
}

/** The program failed: `error` is what it threw (a `RunError` for bad input). */
export class ProgramError extends Error {
  readonly cause: unknown;
  readonly resources: readonly RecordedResource[];

  constructor(cause: unknown, resources: readonly RecordedResource[]) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "ProgramError";
    this.cause = cause;
    this.resources = resources;
  }
}

function plainValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(plainValue);
  }
  if (value === null || typeof value !== "object") {
    return value;
  }
  const record = value as Record<string, unknown>;
  switch (record[SIG_KEY]) {
    case SECRET_SIG:
      return "[secret]";
    case RESOURCE_SIG:
      return record.urn;
    case OUTPUT_SIG:
      return "value" in record ? plainValue(record.value) : UNKNOWN;
    case ASSET_SIG:
      // Code is summarised by its hash: the plan shows whether it changed, not the bundle.
      return typeof record.text === "string"
        ? `[asset sha256:${createHash("sha256").update(record.text).digest("hex")}, ${record.text.length} bytes]`
        : `[asset ${String(record.path ?? record.uri ?? "")}]`;
    case ARCHIVE_SIG:
      return typeof record.assets === "object" && record.assets !== null
        ? { archive: plainValue(record.assets) }
        : `[archive ${String(record.path ?? record.uri ?? "")}]`;
    default:
      return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, plainValue(v)]));
  }
}

/** Realistic computed outputs for a deployment (not preview), so tests can follow references. */
function mockState(args: pulumi.runtime.MockResourceArgs): {
  id: string;
  state: Record<string, unknown>;
} {
  const id = `${args.name}-id`;
  return {
    id,
    state: {
      ...args.inputs,
      arn: args.inputs.arn ?? `arn:aws:mock::${args.type}:${args.name}`,
      // A key's id is an output the provider always sets (aliases and policies refer to it).
      ...(args.type === "aws:kms/key:Key" ? { keyId: id } : {}),
    },
  };
}

interface MonitorRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getProvider(): string;
  getProtect(): boolean;
  getRetainondelete?(): boolean;
  getDeletebeforereplace?(): boolean;
  getIgnorechangesList(): string[];
  getDependenciesList(): string[];
  getImportid(): string;
  getAliasesList?(): {
    getUrn(): string;
    getSpec():
      | {
          getName(): string;
          getType(): string;
          getStack(): string;
          getProject(): string;
          getParenturn(): string;
          getNoparent(): boolean;
        }
      | undefined;
  }[];
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

type Callback = (error: unknown, response: { getUrn(): string } | undefined) => void;

/**
 * Pulumi's mock monitor names children `Stack$type` and qualifies a type with its parent's last
 * type only; the engine leaves the stack out and qualifies with the parent's whole type chain
 * (`urn:pulumi:<stack>::<project>::<Component>$<type>::<name>`). Rewrites every URN (and every
 * reference to one) into the engine's form, so plan URNs are the ones `pulumi import` and
 * `pulumi state` take.
 */
function withEngineUrns(resources: readonly RecordedResource[]): RecordedResource[] {
  const renamed = new Map<string, string>();
  const qualifiedTypes = new Map<string, string>();
  for (const resource of resources) {
    // urn:pulumi:<stack>::<project>::<qualified type>::<name>
    const [stackPart, project] = resource.urn.split("::");
    const parentType = qualifiedTypes.get(resource.parent);
    const isStack = resource.type === "pulumi:pulumi:Stack";
    const qualified =
      parentType === undefined || isStack ? resource.type : `${parentType}$${resource.type}`;
    // Children of the stack resource are qualified by nothing.
    qualifiedTypes.set(resource.urn, isStack ? "" : qualified);
    const type = qualified.startsWith("$") ? qualified.slice(1) : qualified;
    renamed.set(resource.urn, [stackPart, project, type, resource.name].join("::"));
  }
  const rename = (value: string): string => {
    const exact = renamed.get(value);
    if (exact !== undefined) {
      return exact;
    }
    // Provider references are `<urn>::<id>`.
    const cut = value.lastIndexOf("::");
    const head = cut > 0 ? renamed.get(value.slice(0, cut)) : undefined;
    return head === undefined ? value : `${head}${value.slice(cut)}`;
  };
  const renameDeep = (value: unknown): unknown => {
    if (typeof value === "string") {
      return rename(value);
    }
    if (Array.isArray(value)) {
      return value.map(renameDeep);
    }
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameDeep(v)]));
    }
    return value;
  };
  return resources.map((resource) => ({
    ...resource,
    urn: rename(resource.urn),
    parent: rename(resource.parent),
    provider: rename(resource.provider),
    dependencies: resource.dependencies.map(rename),
    aliases: resource.aliases.map((alias) =>
      typeof alias === "string" ? alias : { ...alias, parentUrn: rename(alias.parentUrn) },
    ),
    inputs: renameDeep(resource.inputs) as Record<string, unknown>,
  }));
}

/** Imports the program module after the mocks are in place, as the Pulumi testing docs show. */
async function importProgram(programPath: string): Promise<() => Promise<Record<string, unknown>>> {
  const loaded = (await import(programPath)) as { default?: unknown };
  const program = loaded.default ?? loaded;
  if (typeof program !== "function") {
    throw new Error(`${programPath} does not export the program function`);
  }
  return program as () => Promise<Record<string, unknown>>;
}

/**
 * Stack outputs one by one: under preview the stack's combined output is unknown as soon as one
 * value is, so each is resolved on its own and an unknown one shows as `UNKNOWN`.
 */
async function resolveOutputs(returned: Record<string, unknown>): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(returned).map(async ([name, value]) => {
      // isKnown and promise() are internal to Output but stable across the 3.x SDK.
      const output = pulumi.output(value) as unknown as {
        isKnown: Promise<boolean>;
        promise(): Promise<unknown>;
      };
      const [known, resolved] = await Promise.all([output.isKnown, output.promise()]);
      return [name, known ? plainValue(resolved) : UNKNOWN] as const;
    }),
  );
  return Object.fromEntries(entries);
}

export async function evaluateProgram(options: EvaluateOptions): Promise<Evaluation> {
  const resources: RecordedResource[] = [];
  pulumi.runtime.setAllConfig({ ...options.config });
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => (options.preview ? { id: undefined, state: {} } : mockState(args)),
      call: (args) => {
        // Strict, like pulumi-awsx's tests: an invoke nobody expected is a bug, not an empty answer.
        throw new Error(`unexpected invoke ${args.token} in the offline evaluation`);
      },
    },
    options.project,
    options.stack,
    options.preview,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(request: MonitorRequest, callback: Callback): Promise<void>;
  };
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) =>
    registerResource(request, (error, response) => {
      if (response !== undefined) {
        resources.push({
          urn: response.getUrn(),
          type: request.getType(),
          name: request.getName(),
          custom: request.getCustom(),
          parent: request.getParent(),
          provider: request.getProvider(),
          protect: request.getProtect(),
          retainOnDelete: request.getRetainondelete?.() ?? false,
          deleteBeforeReplace: request.getDeletebeforereplace?.() ?? false,
          ignoreChanges: request.getIgnorechangesList(),
          dependencies: request.getDependenciesList(),
          importId: request.getImportid(),
          aliases: (request.getAliasesList?.() ?? []).map((alias) => {
            const spec = alias.getSpec();
            return spec === undefined
              ? alias.getUrn()
              : {
                  name: spec.getName(),
                  type: spec.getType(),
                  stack: spec.getStack(),
                  project: spec.getProject(),
                  parentUrn: spec.getParenturn(),
                  noParent: spec.getNoparent(),
                };
          }),
          inputs: plainValue(request.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
        });
      }
      callback(error, response);
    });

  const savedEnv = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(options.env ?? {})) {
    savedEnv.set(name, process.env[name]);
    process.env[name] = value;
  }
  // A failing program rejects the stack's promise and also fires an unhandled rejection for the
  // same error: swallow the second so it is reported once.
  const swallow = (): void => undefined;
  process.on("unhandledRejection", swallow);
  try {
    const program =
      options.program ??
      (await importProgram(options.programPath ?? path.join(PROJECT_DIR, "index")));
    let returned: Record<string, unknown> = {};
    try {
      await pulumi.runtime.runInPulumiStack(async () => {
        returned = (await program()) ?? {};
        return returned;
      });
    } catch (error) {
      await pulumi.runtime.disconnect().catch(() => undefined);
      throw new ProgramError(error, resources);
    }
    const outputs = await resolveOutputs(returned);
    await pulumi.runtime.disconnect();
    return { resources: withEngineUrns(resources), outputs };
  } finally {
    // Let late rejections of the failed program arrive while the handler is still installed.
    await new Promise((resolve) => setImmediate(resolve));
    process.off("unhandledRejection", swallow);
    for (const [name, value] of savedEnv) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  }
}
