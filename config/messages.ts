import { z } from "zod";
import { closestName } from "../lib/editDistance";

/**
 * What a person reads when the stack config does not fit the schema. zod's own texts ("Invalid
 * input: expected object, received array") name neither the value nor the fix; this error map,
 * given to every parse of the stack config, says what was given, what is expected and what to
 * do, in the form "<what was given> is not <what is expected>; <fix>". The key is prefixed by
 * the caller (config/validate.ts). Schemas with a message of their own keep it: zod asks a
 * schema's own map before this one.
 */

const MAX_QUOTED = 60;

/** A value as the stack file shows it: `the text "abc"`, `the number 42`, `a list`, ... */
export function describeValue(value: unknown): string {
  if (value === undefined) {
    return "nothing";
  }
  if (value === null) {
    return "null";
  }
  if (typeof value === "string") {
    const shown = value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}...` : value;
    return value === "" ? "an empty text" : `the text ${JSON.stringify(shown)}`;
  }
  if (typeof value === "number" || typeof value === "bigint") {
    return `the number ${String(value)}`;
  }
  if (typeof value === "boolean") {
    return `the value ${String(value)}`;
  }
  if (Array.isArray(value)) {
    return value.length === 0
      ? "an empty list"
      : `a list of ${value.length} ${value.length === 1 ? "entry" : "entries"}`;
  }
  return typeof value === "object" ? "a map" : `a ${typeof value}`;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a map of keys to values",
  record: "a map of keys to values",
  array: "a list",
  null: "null",
};

function expectedText(expected: string): string {
  return EXPECTED[expected] ?? expected;
}

/** How to write a value of the expected type, given what was written instead. */
function typeFix(expected: string, input: unknown): string {
  switch (expected) {
    case "string":
      return typeof input === "number" || typeof input === "boolean"
        ? "put it in quotes"
        : "write a single value in quotes";
    case "number":
    case "int":
      if (typeof input === "number") {
        return "use a whole number";
      }
      return typeof input === "string" ? "write the number without quotes" : "write a number";
    case "boolean":
      return "write true or false, without quotes";
    case "object":
    case "record":
      return "write its keys under it, one per line (see docs/config.md)";
    case "array":
      return 'write each entry on a line of its own starting with "- ", or as [a, b]';
    default:
      return "see docs/config.md";
  }
}

function plural(count: number | bigint, one: string, many: string): string {
  return `${String(count)} ${Number(count) === 1 ? one : many}`;
}

function tooSmall(issue: z.core.$ZodRawIssue<z.core.$ZodIssueTooSmall>): string {
  const given = describeValue(issue.input);
  const { minimum } = issue;
  switch (issue.origin) {
    case "string":
      return `${given} is shorter than ${plural(minimum, "character", "characters")}; write at least ${String(minimum)}`;
    case "array":
    case "set":
      return `${given} has fewer than ${plural(minimum, "entry", "entries")}; list at least ${String(minimum)}`;
    default:
      return issue.inclusive === false
        ? `${given} is not more than ${String(minimum)}; use a larger number`
        : `${given} is less than ${String(minimum)}, the minimum; use ${String(minimum)} or more`;
  }
}

function tooBig(issue: z.core.$ZodRawIssue<z.core.$ZodIssueTooBig>): string {
  const given = describeValue(issue.input);
  const { maximum } = issue;
  switch (issue.origin) {
    case "string":
      return `${given} is longer than ${plural(maximum, "character", "characters")}; shorten it to ${String(maximum)}`;
    case "array":
    case "set":
      return `${given} has more than ${plural(maximum, "entry", "entries")}; list at most ${String(maximum)}`;
    default:
      return issue.inclusive === false
        ? `${given} is not less than ${String(maximum)}; use a smaller number`
        : `${given} is more than ${String(maximum)}, the maximum; use ${String(maximum)} or less`;
  }
}

function invalidValue(issue: z.core.$ZodRawIssue<z.core.$ZodIssueInvalidValue>): string {
  const allowed = issue.values.map((value) => JSON.stringify(value));
  const given = describeValue(issue.input);
  if (allowed.length === 1) {
    return `${given} is not ${allowed[0]}; use ${allowed[0]}`;
  }
  const nearest =
    typeof issue.input === "string"
      ? closestName(
          issue.input,
          issue.values.filter((value): value is string => typeof value === "string"),
          3,
        )
      : undefined;
  return (
    `${given} is not one of ${allowed.join(", ")}; ` +
    (nearest === undefined ? "use one of them" : `did you mean ${JSON.stringify(nearest)}?`)
  );
}

/** The error map for the stack config (pass it as `{ error: humanIssueMessage }` to a parse). */
export const humanIssueMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? `is required: ${expectedText(issue.expected)} (see docs/config.md)`
        : `${describeValue(issue.input)} is not ${expectedText(issue.expected)}; ${typeFix(issue.expected, issue.input)}`;
    case "too_small":
      return tooSmall(issue);
    case "too_big":
      return tooBig(issue);
    case "invalid_value":
      return invalidValue(issue);
    case "invalid_format":
      return issue.format === "regex"
        ? `${describeValue(issue.input)} does not have the form this key takes (${issue.pattern ?? "a pattern"}); see docs/config.md`
        : `${describeValue(issue.input)} is not a valid ${issue.format}`;
    case "not_multiple_of":
      return `${describeValue(issue.input)} is not a multiple of ${issue.divisor}; use one`;
    case "invalid_key": {
      const reason = issue.issues.map((inner) => inner.message).join("; ");
      return `the key ${JSON.stringify(String(issue.input))} is not allowed here: ${reason}`;
    }
    case "invalid_element":
    case "invalid_union":
      return `${describeValue(issue.input)} is not a value this key takes; see docs/config.md`;
    default:
      // unrecognized_keys are worded per key by the caller (unknownKeyMessage); custom issues
      // carry their own message.
      return undefined;
  }
};

/**
 * The keys the schema knows at `path` (an object's fields), for suggestions; none where the
 * path leads to anything but an object.
 */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const unwrap = (current: z.ZodType): z.ZodType => {
    let inner = current;
    while (
      inner instanceof z.ZodDefault ||
      inner instanceof z.ZodOptional ||
      inner instanceof z.ZodNullable
    ) {
      inner = inner.unwrap() as z.ZodType;
    }
    return inner;
  };
  let current: z.ZodType | undefined = unwrap(schema);
  for (const part of path) {
    if (current instanceof z.ZodObject && typeof part === "string") {
      current = current.shape[part] as z.ZodType | undefined;
    } else if (current instanceof z.ZodArray && typeof part === "number") {
      current = current.element as z.ZodType;
    } else if (current instanceof z.ZodRecord) {
      current = current.valueType as z.ZodType;
    } else {
      return [];
    }
    current = current === undefined ? undefined : unwrap(current);
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

/** The message for a key the schema does not know, with the known key it most likely meant. */
export function unknownKeyMessage(name: string, knownKeys: readonly string[]): string {
  const nearest = closestName(name, knownKeys, 3);
  return nearest === undefined
    ? "unknown key; check its spelling in docs/config.md"
    : `unknown key; did you mean ${nearest}? (docs/config.md lists every key)`;
}

/**
 * The problem with a stack key whose namespace is a near miss of the project's
 * (`aws-org-guardrail:alerts`), or undefined: keys of other namespaces (`aws:region`) are
 * Pulumi's or other providers' and stay accepted.
 */
export function misspeltNamespaceProblem(key: string, project: string): string | undefined {
  const separator = key.indexOf(":");
  if (separator < 0) {
    return undefined;
  }
  const namespace = key.slice(0, separator);
  if (closestName(namespace, [project], 3) === undefined) {
    return undefined;
  }
  return `${key}: "${namespace}" is not this project's namespace (${project}); did you mean ${project}:${key.slice(separator + 1)}?`;
}
