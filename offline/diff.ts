import { Baseline, BaselineResource } from "./baseline";
import { RecordedResource, UNKNOWN } from "./engine";
import { PROVIDER_FACTS } from "./providerFacts";

/**
 * The offline plan compared with a baseline, resource by resource, the way `pulumi preview` decides:
 * a URN only in the plan is a create (or an import), only in the baseline a delete, in both a
 * `same`, an `update`, or a `replace` when a changed input is one the provider cannot change in
 * place (offline/providerFacts.ts `forceNew`, read from the provider's source; a type the table
 * does not list is assumed to replace, the safe guess). Pulumi's rules followed here, from its
 * engine (pkg/resource/deploy/step_generator.go): a replacement of a resource protected before and
 * after, and any delete of a protected resource, is refused; a resource whose provider is replaced
 * is replaced too; an input that depends on a resource being created or replaced is unknown until
 * apply, so it changes.
 */
export type LogicalOp = "same" | "create" | "update" | "replace" | "delete" | "import";

export interface PropertyChange {
  /** Pulumi's property path (`tags.owner`, `statement[0].sid`, `tags["a.b"]`). */
  readonly path: string;
  /** As `pulumi preview --json` detailedDiff writes them. */
  readonly kind: "add" | "delete" | "update" | "add-replace" | "delete-replace" | "update-replace";
  readonly old?: unknown;
  readonly new?: unknown;
}

export interface StatementChange {
  readonly change: "+" | "-" | "~";
  /** The statement's Sid, or its position when it has none. */
  readonly statement: string;
  /** For "~": the statement's keys that changed. */
  readonly keys?: readonly string[];
  readonly old?: unknown;
  readonly new?: unknown;
}

export interface ResourceDiff {
  readonly op: LogicalOp;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly old?: BaselineResource;
  readonly new?: RecordedResource;
  readonly changes: readonly PropertyChange[];
  /** Top-level inputs (or `provider`) that force the replacement. */
  readonly replaceReasons: readonly string[];
  /** Policy documents (JSON strings) diffed statement by statement, per input. */
  readonly statements: Readonly<Record<string, readonly StatementChange[]>>;
  /** The type has no entry in offline/providerFacts.ts: any change was assumed to replace it. */
  readonly unverified?: true;
  /** Resource options that change (`protect`, `retainOnDelete`, `deleteBeforeReplace`). */
  readonly options?: readonly { option: string; old: boolean; new: boolean }[];
  /** A resource the state marks for deletion (an unfinished replacement). */
  readonly pendingDelete?: true;
  /** Pulumi would stop: the resource is protected. */
  readonly refused?: "protected";
  /** Replaced delete-first (the resource's deleteBeforeReplace option). */
  readonly deleteBeforeReplace?: boolean;
  /** For an import: the command that adopts it. */
  readonly importCommand?: string;
}

export interface Adoption {
  readonly type: string;
  readonly name: string;
  readonly id: string;
  readonly command: string;
}

export interface DiffOptions {
  /** Declared resources that exist in the organization, with their `pulumi import` commands. */
  readonly adoptions?: readonly Adoption[];
}

export function diffPlan(
  baseline: Baseline,
  current: readonly RecordedResource[],
  options: DiffOptions = {},
): ResourceDiff[] {
  const old = new Map(
    baseline.resources
      .filter((resource) => resource.pendingDelete !== true)
      .map((resource) => [resource.urn, resource]),
  );
  const planned = current.filter((resource) => resource.type !== "pulumi:pulumi:Stack");
  const plannedUrns = new Set(planned.map((resource) => resource.urn));
  const byUrn = new Map(current.map((resource) => [resource.urn, resource]));
  const aliasMemo = new Map<string, string[]>();
  /** Baseline URNs a planned resource took over through an alias: moved, not deleted. */
  const moved = new Set<string>();
  /** URNs whose id (and so every output) is new: created or replaced. */
  const renewed = new Set<string>();
  const providerUrnOf = (ref: string): string => ref.split("::").slice(0, -1).join("::");
  const results: ResourceDiff[] = [];

  // Registration order puts dependencies (and providers) first, so `renewed` is complete for
  // each resource's dependencies by the time it is compared.
  for (const resource of planned) {
    let before = old.get(resource.urn);
    if (before === undefined) {
      // Renamed with an alias: Pulumi compares it with the resource of the old URN.
      const alias = aliasUrnsOf(resource, byUrn, aliasMemo).find(
        // An old resource can be taken over once: a second claim is a new resource.
        (urn) => old.has(urn) && !plannedUrns.has(urn) && !moved.has(urn),
      );
      if (alias !== undefined) {
        before = old.get(alias);
        moved.add(alias);
      }
    }
    if (before === undefined) {
      const adoption =
        baseline.kind === "state"
          ? options.adoptions?.find(
              (entry) => entry.type === resource.type && entry.name === resource.name,
            )
          : undefined;
      if (adoption !== undefined || resource.importId !== "") {
        results.push({
          ...base(resource, undefined),
          op: "import",
          importCommand: adoption?.command,
        });
        continue;
      }
      renewed.add(resource.urn);
      results.push({ ...base(resource, undefined), op: "create" });
      continue;
    }
    const dependsOnRenewed =
      resource.dependencies.some((urn) => renewed.has(urn)) ||
      (resource.provider !== "" && renewed.has(providerUrnOf(resource.provider)));
    // ignoreChanges names a property path; a change at or under it is not one.
    const ignored = (changePath: string): boolean =>
      resource.ignoreChanges.some(
        (entry) =>
          changePath === entry ||
          changePath.startsWith(`${entry}.`) ||
          changePath.startsWith(`${entry}[`),
      );
    const changes = diffInputs(
      before.inputs,
      resource.inputs,
      "",
      dependsOnRenewed,
      jsonComparisons(resource.type),
    ).filter(
      (change) =>
        !ignored(change.path) &&
        !(PROVIDER_FACTS[resource.type]?.notDiffed ?? []).includes(topLevel(change.path)) &&
        // An input the provider defaulted, which the program does not set, keeps its value.
        !(change.kind === "delete" && before.defaults.includes(topLevel(change.path))),
    );
    const replaceReasons = new Set<string>();
    const facts = PROVIDER_FACTS[resource.type];
    const isProvider = resource.type.startsWith("pulumi:providers:");
    if (resource.custom) {
      for (const change of changes) {
        const key = topLevel(change.path);
        const forcesNew = isProvider
          ? PROVIDER_MOVES.includes(key)
          : facts === undefined || facts.forceNew.includes(key);
        if (forcesNew) {
          replaceReasons.add(key);
        }
      }
      const oldProvider = providerUrnOf(before.provider);
      const newProvider = providerUrnOf(resource.provider);
      if (
        before.provider !== "" &&
        resource.provider !== "" &&
        (oldProvider !== newProvider || renewed.has(newProvider))
      ) {
        replaceReasons.add("provider");
      }
    }
    const marked: PropertyChange[] = changes.map((change) =>
      replaceReasons.has(topLevel(change.path))
        ? { ...change, kind: `${change.kind}-replace` as PropertyChange["kind"] }
        : change,
    );
    const statements = statementDiffs(before.inputs, resource.inputs);
    const optionChanges = (
      [
        ["protect", before.protect, resource.protect],
        ["retainOnDelete", before.retainOnDelete, resource.retainOnDelete],
      ] as const
    )
      .filter(([, a, b]) => a !== b)
      .map(([option, a, b]) => ({ option, old: a, new: b }));
    const withOptions = optionChanges.length > 0 ? { options: optionChanges } : {};
    if (replaceReasons.size > 0) {
      renewed.add(resource.urn);
      results.push({
        ...base(resource, before),
        op: "replace",
        changes: marked,
        replaceReasons: [...replaceReasons].sort(),
        statements,
        ...(resource.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
        ...(facts === undefined && !isProvider && changes.length > 0
          ? { unverified: true as const }
          : {}),
        ...withOptions,
        ...(before.protect && resource.protect ? { refused: "protected" as const } : {}),
      });
    } else if (marked.length > 0) {
      results.push({
        ...base(resource, before),
        op: "update",
        changes: marked,
        statements,
        ...withOptions,
      });
    } else {
      // Pulumi shows a `same` step whose protect changed (pkg/backend/display/display.go
      // shouldShow): an option change is worth a line although nothing in AWS changes.
      results.push({ ...base(resource, before), op: "same", ...withOptions });
    }
  }
  for (const before of baseline.resources) {
    if (before.pendingDelete === true || (!plannedUrns.has(before.urn) && !moved.has(before.urn))) {
      results.push({
        op: "delete",
        urn: before.urn,
        type: before.type,
        name: before.name,
        old: before,
        changes: [],
        replaceReasons: [],
        statements: {},
        ...(before.pendingDelete === true ? { pendingDelete: true as const } : {}),
        ...(before.protect && before.pendingDelete !== true
          ? { refused: "protected" as const }
          : {}),
      });
    }
  }
  return results;
}

/**
 * The provider inputs whose change replaces the provider, and so every resource it manages
 * (Pulumi replaces a resource whose provider is replaced: step_generator.go, replace key
 * `provider`): pulumi-aws marks only `region` as ForcesProviderReplace (pulumi/pulumi-aws #4000).
 * Every other provider input (allowed accounts, assumed roles, tags, session names) is updated in
 * place; a change of account is named by the guard instead (offline/diffReport.ts).
 */
const PROVIDER_MOVES = ["region"];

/**
 * The URNs a resource was known by: its own aliases (URNs, or specs resolved as the engine does,
 * pkg/resource/deploy/alias.go), and those it inherits from its parent's aliases, with the
 * parent's name prefix of its own name swapped for the alias's (sdk/nodejs/resource.ts,
 * inheritedChildAlias).
 */
export function aliasUrnsOf(
  resource: RecordedResource,
  byUrn: ReadonlyMap<string, RecordedResource>,
  memo: Map<string, string[]> = new Map(),
): string[] {
  const known = memo.get(resource.urn);
  if (known !== undefined) {
    return known;
  }
  const [stackPart, project] = resource.urn.split("::");
  const qualifiedUnder = (parentUrn: string): string => {
    if (parentUrn === "" || byUrn.get(parentUrn)?.type === "pulumi:pulumi:Stack") {
      return "";
    }
    return `${parentUrn.split("::")[2]}$`;
  };
  const own = (resource.aliases ?? []).map((alias) => {
    if (typeof alias === "string") {
      return alias;
    }
    const parentUrn = alias.noParent ? "" : alias.parentUrn || resource.parent;
    const stack = alias.stack === "" ? stackPart : `urn:pulumi:${alias.stack}`;
    return [
      stack,
      alias.project || project,
      `${qualifiedUnder(parentUrn)}${alias.type || resource.type}`,
      alias.name || resource.name,
    ].join("::");
  });
  const parent = byUrn.get(resource.parent);
  const inherited =
    parent === undefined
      ? []
      : aliasUrnsOf(parent, byUrn, memo).map((parentAlias) => {
          const parts = parentAlias.split("::");
          const aliasName = parts[parts.length - 1];
          const name = resource.name.startsWith(parent.name)
            ? `${aliasName}${resource.name.slice(parent.name.length)}`
            : resource.name;
          return [parts[0], parts[1], `${parts[2]}$${resource.type}`, name].join("::");
        });
  const result = [...new Set([...own, ...inherited])];
  memo.set(resource.urn, result);
  return result;
}

function base(
  resource: RecordedResource,
  before: BaselineResource | undefined,
): Omit<ResourceDiff, "op"> {
  return {
    urn: resource.urn,
    type: resource.type,
    name: resource.name,
    ...(before === undefined ? {} : { old: before }),
    new: resource,
    changes: [],
    replaceReasons: [],
    statements: {},
  };
}

/** The top-level input of a property path: `tags` of `tags.owner`, `rules` of `rules[0].id`. */
export function topLevel(path: string): string {
  if (path.startsWith('["')) {
    return JSON.parse(path.slice(1, path.indexOf('"]') + 1)) as string;
  }
  return /^[^.[]*/.exec(path)?.[0] ?? path;
}

/** Pulumi's PropertyPath.String() (sdk/go/common/resource/properties_path.go). */
function join(prefix: string, key: string | number): string {
  if (typeof key === "number") {
    return `${prefix}[${key}]`;
  }
  if (!/^[A-Za-z0-9_]+$/.test(key)) {
    return `${prefix}[${JSON.stringify(key)}]`;
  }
  return prefix === "" ? key : `${prefix}.${key}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

type JsonComparison = "iam" | "json";

/**
 * The top-level inputs the provider compares as documents rather than as text, from the
 * normalisations of offline/providerFacts.ts: "IAM-policy equivalence" (an equivalent policy:
 * lists of actions, resources, principals and condition values in any order, one item or a list
 * of it, statements in any order) or "JSON-equivalence" (whitespace and key order only). Every
 * other string, JSON or not, is compared exactly, as the provider does.
 */
function jsonComparisons(type: string): Readonly<Record<string, JsonComparison>> {
  const result: Record<string, JsonComparison> = {};
  for (const normalisation of PROVIDER_FACTS[type]?.normalised ?? []) {
    if (normalisation.behaviour.startsWith("IAM-policy equivalence")) {
      result[normalisation.input] = "iam";
    } else if (normalisation.behaviour.startsWith("JSON-equivalence")) {
      result[normalisation.input] = "json";
    }
  }
  return result;
}

function diffInputs(
  before: unknown,
  after: unknown,
  path: string,
  unknownChanges: boolean,
  comparisons: Readonly<Record<string, JsonComparison>> = {},
): PropertyChange[] {
  if (after === UNKNOWN) {
    // Not known until apply: it changes only if what it comes from is new.
    if (before === undefined) {
      return [{ path, kind: "add", new: UNKNOWN }];
    }
    return unknownChanges ? [{ path, kind: "update", old: before, new: UNKNOWN }] : [];
  }
  if (before === UNKNOWN && after !== undefined) {
    // A plan baseline had it unknown; now it is a value of its own.
    return [{ path, kind: "update", old: UNKNOWN, new: after }];
  }
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) =>
      diffInputs(before[key], after[key], join(path, key), unknownChanges, comparisons),
    );
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, index) =>
      diffInputs(before[index], after[index], join(path, index), unknownChanges),
    ).flat();
  }
  if (before === undefined && after === undefined) {
    return [];
  }
  if (before === undefined) {
    return [{ path, kind: "add", new: after }];
  }
  if (after === undefined) {
    return [{ path, kind: "delete", old: before }];
  }
  const comparison = comparisons[path];
  if (
    comparison !== undefined &&
    typeof before === "string" &&
    typeof after === "string" &&
    before !== after
  ) {
    // A document the provider compares as a document: equivalent is no change.
    const a = parseDocument(before);
    const b = parseDocument(after);
    const same =
      comparison === "iam"
        ? canonicalPolicy(a) === canonicalPolicy(b)
        : canonical(a) === canonical(b);
    if (a !== undefined && b !== undefined && same) {
      return [];
    }
  }
  return canonical(before) === canonical(after)
    ? []
    : [{ path, kind: "update", old: before, new: after }];
}

function parseDocument(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith("{")) {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** An asset by its content hash alone: state may hold the hash without the byte count. */
function assetIdentity(text: string): string {
  return /^\[asset sha256:([0-9a-f]{64})/.exec(text)?.[1] ?? text;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === "string" && inner.startsWith("[asset ")
      ? assetIdentity(inner)
      : isRecord(inner)
        ? Object.fromEntries(
            Object.keys(inner)
              .sort()
              .map((key) => [key, inner[key]]),
          )
        : inner,
  );
}

/**
 * A policy document as IAM reads it: the order of a list of actions, resources or principals
 * means nothing, and the provider compares policies as equivalent documents
 * (SuppressEquivalentIAMPolicyDocuments, offline/providerFacts.ts), so neither is a change.
 */
function canonicalPolicy(value: unknown): string {
  const asSet = (inner: unknown): unknown =>
    Array.isArray(inner)
      ? [...inner].map((item) => canonical(item)).sort()
      : inner === undefined
        ? undefined
        : [canonical(inner)];
  const statement = (inner: unknown): unknown => {
    if (!isRecord(inner)) {
      return inner;
    }
    const out: Record<string, unknown> = { ...inner };
    for (const key of ["Action", "NotAction", "Resource", "NotResource"]) {
      if (key in out) {
        out[key] = asSet(out[key]);
      }
    }
    for (const key of ["Principal", "NotPrincipal"]) {
      if (isRecord(out[key])) {
        out[key] = Object.fromEntries(
          Object.entries(out[key] as Record<string, unknown>).map(([kind, ids]) => [
            kind,
            asSet(ids),
          ]),
        );
      }
    }
    if (isRecord(out.Condition)) {
      out.Condition = Object.fromEntries(
        Object.entries(out.Condition).map(([operator, keys]) => [
          operator,
          isRecord(keys)
            ? Object.fromEntries(Object.entries(keys).map(([key, values]) => [key, asSet(values)]))
            : keys,
        ]),
      );
    }
    return out;
  };
  if (isRecord(value) && ("Statement" in value || "Effect" in value)) {
    const document = { ...value };
    if ("Statement" in document) {
      const list = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
      document.Statement = list.map((item) => canonical(statement(item))).sort();
    } else {
      return canonical(statement(document));
    }
    return canonical(document);
  }
  return canonical(value);
}

function statementsOf(document: Record<string, unknown> | undefined): unknown[] | undefined {
  if (document === undefined) {
    return undefined;
  }
  const statement = document.Statement;
  return Array.isArray(statement) ? statement : isRecord(statement) ? [statement] : undefined;
}

/** Every input holding an IAM-style policy document, diffed statement by statement (by Sid). */
function statementDiffs(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, StatementChange[]> {
  const result: Record<string, StatementChange[]> = {};
  for (const key of Object.keys(after)) {
    const oldText = before[key];
    const newText = after[key];
    if (typeof oldText !== "string" || typeof newText !== "string" || oldText === newText) {
      continue;
    }
    const oldStatements = statementsOf(parseDocument(oldText));
    const newStatements = statementsOf(parseDocument(newText));
    if (oldStatements === undefined || newStatements === undefined) {
      continue;
    }
    // By Sid; a statement without one by position, and a repeated Sid by occurrence, so no
    // statement can hide behind another's label.
    const labelled = (statements: readonly unknown[]): Map<string, unknown> => {
      const seen = new Map<string, number>();
      return new Map(
        statements.map((statement, index) => {
          const sid =
            isRecord(statement) && typeof statement.Sid === "string" && statement.Sid !== ""
              ? JSON.stringify(statement.Sid)
              : `(no Sid, #${index + 1})`;
          const count = (seen.get(sid) ?? 0) + 1;
          seen.set(sid, count);
          return [count === 1 ? sid : `${sid} (occurrence ${count})`, statement];
        }),
      );
    };
    const oldBy = labelled(oldStatements);
    const newBy = labelled(newStatements);
    const changes: StatementChange[] = [];
    for (const [sid, statement] of newBy) {
      const previous = oldBy.get(sid);
      if (previous === undefined) {
        changes.push({ change: "+", statement: sid, new: statement });
      } else if (canonicalPolicy(previous) !== canonicalPolicy(statement)) {
        const keys = [
          ...new Set([...Object.keys(previous as object), ...Object.keys(statement as object)]),
        ]
          .filter(
            (k) =>
              canonical((previous as Record<string, unknown>)[k]) !==
              canonical((statement as Record<string, unknown>)[k]),
          )
          .sort();
        changes.push({ change: "~", statement: sid, keys, old: previous, new: statement });
      }
    }
    for (const [sid, statement] of oldBy) {
      if (!newBy.has(sid)) {
        changes.push({ change: "-", statement: sid, old: statement });
      }
    }
    if (changes.length > 0) {
      result[key] = changes;
    }
  }
  return result;
}
