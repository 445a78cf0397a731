/**
 * Amazon EventBridge event patterns: the subset this program uses and the documented matchers
 * around it, evaluated offline, so the fast path's rule is proved against the same records as the
 * CIS metric filter (test/eventPattern.test.ts) instead of trusted.
 *
 * Semantics, from "Creating Amazon EventBridge event patterns" and "Content filtering in
 * Amazon EventBridge event patterns"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html):
 * - every field of the pattern must match (AND); a nested object matches the event's object there;
 * - a field's value is a non-empty array of alternatives (OR), each a literal (string, number,
 *   boolean, null: exact, case-sensitive) or one operator object;
 * - when the event's value is an array, the field matches if any element matches;
 * - `exists` tests a leaf field's presence (`false` also matches a field that is absent because a
 *   parent is); every other matcher needs the field present; `anything-but` matches a present
 *   value that is none of its values (or, with `prefix`/`suffix`, does not start/end so);
 * - `numeric` compares numbers with one or two comparisons; `prefix`, `suffix`,
 *   `equals-ignore-case` and `wildcard` compare strings.
 */
export type Matcher =
  | string
  | number
  | boolean
  | null
  | { readonly prefix: string | { readonly "equals-ignore-case": string } }
  | { readonly suffix: string | { readonly "equals-ignore-case": string } }
  | { readonly "equals-ignore-case": string }
  | { readonly wildcard: string }
  | { readonly exists: boolean }
  | { readonly numeric: readonly (string | number)[] }
  | {
      readonly "anything-but":
        | string
        | number
        | readonly (string | number)[]
        | { readonly prefix: string }
        | { readonly suffix: string };
    };

export interface EventPattern {
  readonly [field: string]: EventPattern | readonly Matcher[];
}

export class EventPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EventPatternError";
  }
}

const ABSENT = Symbol("absent");
type Value = unknown | typeof ABSENT;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `event` matches `pattern`. Throws `EventPatternError` on a pattern AWS would refuse. */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, event, "");
}

function matchObject(pattern: EventPattern, value: Value, path: string): boolean {
  const fields = Object.entries(pattern);
  if (fields.length === 0) {
    throw new EventPatternError(`${path || "pattern"}: an empty object matches nothing useful`);
  }
  return fields.every(([field, inner]) => {
    const child: Value = isRecord(value) && field in value ? value[field] : ABSENT;
    const where = path === "" ? field : `${path}.${field}`;
    if (Array.isArray(inner)) {
      return matchLeaf(inner as readonly Matcher[], child, where);
    }
    if (!isRecord(inner)) {
      throw new EventPatternError(`${where}: must be an array of values or an object`);
    }
    // An object in the pattern looks into an object in the event (or each object of an array).
    if (Array.isArray(child)) {
      return child.some((element) => matchObject(inner as EventPattern, element, where));
    }
    return matchObject(inner as EventPattern, isRecord(child) ? child : ABSENT, where);
  });
}

function matchLeaf(matchers: readonly Matcher[], value: Value, path: string): boolean {
  if (matchers.length === 0) {
    throw new EventPatternError(`${path}: an empty list of values matches nothing`);
  }
  // A leaf that is an array in the event matches if any element does.
  const values: Value[] = Array.isArray(value) ? (value.length === 0 ? [ABSENT] : value) : [value];
  return matchers.some((matcher) => {
    if (isRecord(matcher) && "exists" in matcher) {
      // A leaf: absent, an object (no leaf there) or an empty array (no element) are not.
      const present =
        value !== ABSENT && !isRecord(value) && !(Array.isArray(value) && value.length === 0);
      return matcher.exists === present;
    }
    return values.some((element) => element !== ABSENT && matchOne(matcher, element, path));
  });
}

function matchOne(matcher: Matcher, value: unknown, path: string): boolean {
  if (!isRecord(matcher)) {
    return matcher === value;
  }
  const keys = Object.keys(matcher);
  if (keys.length !== 1) {
    throw new EventPatternError(`${path}: an operator object has exactly one key`);
  }
  const m = matcher as Record<string, unknown>;
  if ("prefix" in m) {
    return affix(m.prefix, value, path, (text, part) => text.startsWith(part));
  }
  if ("suffix" in m) {
    return affix(m.suffix, value, path, (text, part) => text.endsWith(part));
  }
  if ("equals-ignore-case" in m) {
    return (
      typeof value === "string" &&
      typeof m["equals-ignore-case"] === "string" &&
      value.toLowerCase() === m["equals-ignore-case"].toLowerCase()
    );
  }
  if ("wildcard" in m) {
    if (typeof m.wildcard !== "string") {
      throw new EventPatternError(`${path}: wildcard takes a string`);
    }
    return typeof value === "string" && wildcardMatches(m.wildcard, value);
  }
  if ("numeric" in m) {
    return typeof value === "number" && numericMatches(m.numeric, value, path);
  }
  if ("anything-but" in m) {
    const excluded = m["anything-but"];
    if (isRecord(excluded)) {
      if ("prefix" in excluded) {
        return typeof value === "string" && !value.startsWith(String(excluded.prefix));
      }
      if ("suffix" in excluded) {
        return typeof value === "string" && !value.endsWith(String(excluded.suffix));
      }
      throw new EventPatternError(`${path}: anything-but takes values, prefix or suffix`);
    }
    const list = Array.isArray(excluded) ? excluded : [excluded];
    return (typeof value === "string" || typeof value === "number") && !list.includes(value);
  }
  throw new EventPatternError(`${path}: unknown operator ${keys[0]}`);
}

function affix(
  part: unknown,
  value: unknown,
  path: string,
  test: (text: string, part: string) => boolean,
): boolean {
  if (typeof value !== "string") {
    return false;
  }
  if (typeof part === "string") {
    return test(value, part);
  }
  if (isRecord(part) && typeof part["equals-ignore-case"] === "string") {
    return test(value.toLowerCase(), part["equals-ignore-case"].toLowerCase());
  }
  throw new EventPatternError(`${path}: prefix and suffix take a string`);
}

function wildcardMatches(pattern: string, value: string): boolean {
  // `*` is any run of characters; `\*` and `\\` are the literal characters.
  let expression = "";
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index];
    if (char === "\\" && index + 1 < pattern.length) {
      expression += pattern[index + 1].replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      index += 1;
    } else if (char === "*") {
      expression += ".*";
    } else {
      expression += char.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${expression}$`, "s").test(value);
}

function numericMatches(spec: unknown, value: number, path: string): boolean {
  if (!Array.isArray(spec) || (spec.length !== 2 && spec.length !== 4)) {
    throw new EventPatternError(`${path}: numeric takes one or two comparisons`);
  }
  for (let index = 0; index < spec.length; index += 2) {
    const operator = spec[index];
    const bound = spec[index + 1];
    if (typeof bound !== "number") {
      throw new EventPatternError(`${path}: numeric bounds are numbers`);
    }
    const ok =
      operator === "="
        ? value === bound
        : operator === "<"
          ? value < bound
          : operator === "<="
            ? value <= bound
            : operator === ">"
              ? value > bound
              : operator === ">="
                ? value >= bound
                : undefined;
    if (ok === undefined) {
      throw new EventPatternError(`${path}: unknown numeric operator ${String(operator)}`);
    }
    if (!ok) {
      return false;
    }
  }
  return true;
}

/**
 * The fast path's rule: the CIS root-usage condition (detection/patterns.ts,
 * CIS_ROOT_USAGE_PATTERN: `userIdentity.type = "Root" && userIdentity.invokedBy NOT EXISTS &&
 * eventType != "AwsServiceEvent"`) on the CloudTrail record that EventBridge carries as the
 * event's `detail`. No `detail-type` or `source` condition: CloudTrail sends root API calls and
 * console sign-ins under different detail types and sources, and the condition on `detail` alone
 * selects exactly what the metric filter does (proved on the corpus).
 */
export const ROOT_ACTIVITY_EVENT_PATTERN: EventPattern = {
  detail: {
    userIdentity: { type: ["Root"], invokedBy: [{ exists: false }] },
    eventType: [{ "anything-but": "AwsServiceEvent" }],
  },
};

/**
 * A CloudTrail record as EventBridge delivers it: "AWS Console Sign In via CloudTrail" for the
 * sign-in service's events, "AWS API Call via CloudTrail" otherwise, `source` the service's
 * `aws.<name>`, the record itself as `detail`
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html,
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-aws-service-specific-topics.html).
 */
export function cloudTrailEventOf(record: Record<string, unknown>): Record<string, unknown> {
  const source = typeof record.eventSource === "string" ? record.eventSource : "";
  const signIn = source === "signin.amazonaws.com";
  return {
    version: "0",
    id:
      typeof record.eventID === "string" ? record.eventID : "00000000-0000-0000-0000-000000000000",
    "detail-type": signIn ? "AWS Console Sign In via CloudTrail" : "AWS API Call via CloudTrail",
    source: `aws.${source.replace(/\.amazonaws\.com$/, "")}`,
    account: record.recipientAccountId,
    time: record.eventTime,
    region: record.awsRegion,
    resources: [],
    detail: record,
  };
}
