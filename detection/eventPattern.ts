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
  checkEventPattern(pattern);
  return matchObject(pattern, event, "");
}

const OPERATORS = new Set([
  "prefix",
  "suffix",
  "equals-ignore-case",
  "wildcard",
  "exists",
  "numeric",
  "anything-but",
]);
/** EventBridge's numeric range (eb-create-pattern-operators.html, "Numeric matching"). */
const NUMERIC_LIMIT = 5e9;

/**
 * Checks the whole pattern before any event is matched, so a mistake is an error whatever the
 * event holds: every list non-empty, every operator known and well-formed. `$or` and other
 * `$` keys are refused as not supported here, not silently never matched.
 */
export function checkEventPattern(pattern: EventPattern, path = ""): void {
  const entries = Object.entries(pattern);
  if (entries.length === 0) {
    throw new EventPatternError(`${path || "pattern"}: an empty object matches nothing useful`);
  }
  for (const [field, inner] of entries) {
    const where = path === "" ? field : `${path}.${field}`;
    if (field.startsWith("$")) {
      throw new EventPatternError(`${where}: ${field} is not supported by this evaluator`);
    }
    if (!Array.isArray(inner)) {
      if (!isRecord(inner)) {
        throw new EventPatternError(`${where}: must be an array of values or an object`);
      }
      checkEventPattern(inner as EventPattern, where);
      continue;
    }
    if (inner.length === 0) {
      throw new EventPatternError(`${where}: an empty list of values matches nothing`);
    }
    for (const matcher of inner as readonly unknown[]) {
      if (isRecord(matcher)) {
        checkOperator(matcher, where);
      } else if (Array.isArray(matcher)) {
        throw new EventPatternError(`${where}: a value cannot be a list`);
      }
    }
  }
}

function checkOperator(matcher: Record<string, unknown>, where: string): void {
  const keys = Object.keys(matcher);
  if (keys.length !== 1 || !OPERATORS.has(keys[0])) {
    throw new EventPatternError(`${where}: unknown operator ${keys.join(", ") || "{}"}`);
  }
  const [key] = keys;
  const value = matcher[key];
  if (key === "wildcard" && (typeof value !== "string" || value.includes("**"))) {
    throw new EventPatternError(`${where}: wildcard takes a string without consecutive *`);
  }
  if (key === "exists" && typeof value !== "boolean") {
    throw new EventPatternError(`${where}: exists takes true or false`);
  }
  if (key === "numeric") {
    const spec = Array.isArray(value) ? value : [];
    if (spec.length !== 2 && spec.length !== 4) {
      throw new EventPatternError(`${where}: numeric takes one or two comparisons`);
    }
    for (let index = 0; index < spec.length; index += 2) {
      const bound = spec[index + 1];
      if (typeof bound !== "number" || Math.abs(bound) > NUMERIC_LIMIT) {
        throw new EventPatternError(`${where}: numeric bounds are numbers within ±5e9`);
      }
    }
    if (spec.length === 4) {
      const lower = [">", ">="].includes(String(spec[0]));
      const upper = ["<", "<="].includes(String(spec[2]));
      if (!lower || !upper) {
        throw new EventPatternError(`${where}: a numeric range is a lower bound then an upper one`);
      }
    }
  }
  if (key === "anything-but") {
    const list = Array.isArray(value) ? value : [value];
    const scalars =
      list.every((item) => typeof item === "string") ||
      list.every((item) => typeof item === "number");
    const affix =
      !Array.isArray(value) &&
      isRecord(value) &&
      Object.keys(value).length === 1 &&
      ["prefix", "suffix"].includes(Object.keys(value)[0]) &&
      typeof Object.values(value)[0] === "string";
    if (list.length === 0 || (!scalars && !affix)) {
      throw new EventPatternError(
        `${where}: anything-but takes strings, numbers (not both), or one prefix or suffix`,
      );
    }
  }
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
 * event's `detail`, from an AWS source. No `detail-type` condition: CloudTrail sends root API
 * calls, console actions and sign-ins under different detail types. On records as CloudTrail
 * writes them (these fields are strings) it selects what the metric filter does (proved on the
 * corpus and on generated records); it differs only on shapes CloudTrail never writes (a list or
 * an object where CloudTrail writes a string). What EventBridge never sees: events over 256 KB,
 * and the management account's events on a StackSet's rules (service-managed StackSets never
 * deploy there; the program creates that account's rules itself).
 */
export const ROOT_ACTIVITY_EVENT_PATTERN: EventPattern = {
  // Only AWS's own events: PutEvents refuses a custom event whose source starts with "aws."
  // (NotAuthorizedForSourceException), so a principal of a member account cannot forge one.
  source: [{ prefix: "aws." }],
  detail: {
    userIdentity: { type: ["Root"], invokedBy: [{ exists: false }] },
    eventType: [{ "anything-but": "AwsServiceEvent" }],
  },
};

/**
 * AssumeRoot calls, forwarded from every account and region like root activity: the notifier
 * proves a member account's root session with its AssumeRoot call (made in the management account
 * or an IAM delegated administrator, on a regional STS endpoint), which then arrives as fast as
 * the session's actions. STS records AssumeRoot as a read-only call, so the rule needs the same
 * state as the root rule (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html).
 * In an account that never calls AssumeRoot it matches nothing; the notifier trusts a call only
 * from the accounts allowed to call it.
 */
export const ASSUME_ROOT_EVENT_PATTERN: EventPattern = {
  source: ["aws.sts"],
  "detail-type": ["AWS API Call via CloudTrail"],
  detail: { eventSource: ["sts.amazonaws.com"], eventName: ["AssumeRoot"] },
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
  const detailType =
    record.eventType === "AwsConsoleSignIn" || source === "signin.amazonaws.com"
      ? "AWS Console Sign In via CloudTrail"
      : record.eventType === "AwsConsoleAction"
        ? "AWS Console Action via CloudTrail"
        : record.eventType === "AwsServiceEvent"
          ? "AWS Service Event via CloudTrail"
          : "AWS API Call via CloudTrail";
  return {
    version: "0",
    id:
      typeof record.eventID === "string" ? record.eventID : "00000000-0000-0000-0000-000000000000",
    "detail-type": detailType,
    source: `aws.${source.replace(/\.amazonaws\.com$/, "")}`,
    account: record.recipientAccountId,
    time: record.eventTime,
    region: record.awsRegion,
    resources: [],
    detail: record,
  };
}
