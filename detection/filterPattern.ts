/**
 * A parser and evaluator for CloudWatch Logs JSON filter patterns (`{ $.a.b = "x" && ... }`), so
 * the metric-filter patterns the program deploys can be unit-tested against real CloudTrail
 * records, and a replay can pre-filter raw record text before parsing it. Pure: no AWS imports.
 *
 * Syntax and semantics follow "Matching terms in JSON log events" in the CloudWatch Logs user
 * guide, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 * (read in its source, awsdocs/amazon-cloudwatch-logs-user-guide doc_source/FilterAndPatternSyntax.md).
 * Supported: `{ }` wrapper; selectors `$.name`, `$.name[0]`, `$.a[0][1].b` (names of letters,
 * digits, `-`, `_`); `=`, `!=`, `<`, `<=`, `>`, `>=`; quoted (`\"`, `\\` escapes) and bare values;
 * `EXISTS`, `NOT EXISTS`, `IS NULL`, `IS TRUE`, `IS FALSE`; `&&` binding tighter than `||`; parentheses.
 *
 * Semantics chosen, and why:
 * - String comparison is exact and case-sensitive ("Metric filters are case sensitive", same page).
 * - `=`, `!=` and the numeric comparisons only apply to value nodes: strings, numbers and booleans.
 *   A missing field, null, an object or an array makes every comparison false, `!=` included. The
 *   page says so for objects and arrays ("both {$.users = 1} and {$.users != 1} will fail to match
 *   a log event where users is an array"); for a missing field, DataBiosphere/azul#5884
 *   (https://github.com/DataBiosphere/azul/issues/5884) tested `$.userIdentity.invokedBy !=
 *   "cloudfront.amazonaws.com"` in the CloudWatch console against a record without that field:
 *   no match. So `$.eventType != "AwsServiceEvent"` is false for records without eventType. (The
 *   labelled root-activity corpus cannot tell: its five records without eventType all fail
 *   `$.userIdentity.type = "Root"` anyway.) Use `($.x != "v" || $.x NOT EXISTS)` to include them.
 * - Booleans are value nodes compared by their text (`$.flag = true`); the page documents
 *   `IS TRUE` / `IS FALSE` for strict boolean checks. Null is only matched by `IS NULL`.
 * - A bare number (`5`, `+1000`, `10e-3`) compares numerically with a JSON number (`5.0` equals
 *   `5`) and textually with a JSON string ("5" equals `5`: the page's own example is
 *   "recipientAccountId is 123456789012", a string field, written bare). A quoted or non-numeric
 *   value compares with a number or boolean through its text (`"5"` matches the number 5).
 * - `*` matches any text at the start or end of a value ("*Event", "Event*", "*Trail*"); on its
 *   own it matches any value node (the page's `{ $.latency = * }`). A `*` inside a value is a
 *   literal character: the page says "Ev*ent will only match the actual string Ev*ent".
 * - `<`, `<=`, `>`, `>=` need a number in the pattern (a parse error otherwise) and a JSON number
 *   in the event; a string field never satisfies them.
 * - `EXISTS` is true when the selector reaches anything, null, objects and arrays included;
 *   `NOT EXISTS` is its negation. Property access never looks through arrays (`$.a.b` with `a` an
 *   array is missing), and an index applies to arrays only.
 * - An event that is not a JSON object matches nothing, as CloudWatch applies JSON patterns only
 *   to JSON log events.
 */

export type ComparisonOperator = "=" | "!=" | "<" | "<=" | ">" | ">=";

export interface Selector {
  /** Canonical text, e.g. `$.requestParameters.items[0].id`. */
  readonly text: string;
  readonly path: readonly (string | number)[];
}

export type PatternValue =
  | { readonly kind: "string"; readonly text: string; readonly quoted: boolean }
  | { readonly kind: "number"; readonly text: string; readonly value: number };

export type FilterPattern =
  | { readonly kind: "and"; readonly operands: readonly FilterPattern[] }
  | { readonly kind: "or"; readonly operands: readonly FilterPattern[] }
  | {
      readonly kind: "compare";
      readonly selector: Selector;
      readonly operator: ComparisonOperator;
      readonly value: PatternValue;
    }
  | { readonly kind: "exists"; readonly selector: Selector; readonly negated: boolean }
  | {
      readonly kind: "is";
      readonly selector: Selector;
      readonly literal: "NULL" | "TRUE" | "FALSE";
    };

export class FilterPatternError extends Error {
  constructor(
    message: string,
    /** Zero-based offset in the pattern text. */
    readonly position: number,
  ) {
    super(message);
    this.name = "FilterPatternError";
  }
}

function unreachable(value: never): never {
  throw new Error(`Unexpected case: ${JSON.stringify(value)}`);
}

// ---------------------------------------------------------------------------------------------
// Parsing

const NUMBER = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const NAME_CHAR = /^[A-Za-z0-9_-]$/;
/** Unquoted values: "Strings that consist entirely of alphanumeric characters do not need to be quoted"; the page's own examples add `.`, `*` and signs (`123.123.*`, `+1000`). */
const BARE_CHAR = /^[A-Za-z0-9_.*+-]$/;
const OPERATORS: readonly ComparisonOperator[] = ["!=", "<=", ">=", "=", "<", ">"];

function isChar(pattern: RegExp, c: string | undefined): boolean {
  return c !== undefined && pattern.test(c);
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): FilterPattern {
    this.skipSpace();
    this.expect("{", 'expected "{": JSON filter patterns are wrapped in braces');
    const expression = this.parseOr();
    this.expect("}", 'expected "&&", "||" or the closing "}"');
    this.skipSpace();
    if (this.pos < this.text.length) {
      this.fail('expected nothing after the closing "}"');
    }
    return expression;
  }

  private parseOr(): FilterPattern {
    const operands = [this.parseAnd()];
    while (this.eat("||")) {
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? operands[0] : { kind: "or", operands };
  }

  private parseAnd(): FilterPattern {
    const operands = [this.parsePrimary()];
    while (this.eat("&&")) {
      operands.push(this.parsePrimary());
    }
    return operands.length === 1 ? operands[0] : { kind: "and", operands };
  }

  private parsePrimary(): FilterPattern {
    if (this.eat("(")) {
      const inner = this.parseOr();
      this.expect(")", 'expected "&&", "||" or the closing ")"');
      return inner;
    }
    return this.parseCondition();
  }

  private parseCondition(): FilterPattern {
    this.skipSpace();
    if (this.text[this.pos] !== "$") {
      this.fail('expected a selector starting with "$." or "("');
    }
    const selector = this.parseSelector();
    this.skipSpace();
    const operator = OPERATORS.find((op) => this.text.startsWith(op, this.pos));
    if (operator !== undefined) {
      this.pos += operator.length;
      return { kind: "compare", selector, operator, value: this.parseValue(operator) };
    }
    const keywordAt = this.pos;
    switch (this.readWord()) {
      case "EXISTS":
        return { kind: "exists", selector, negated: false };
      case "NOT":
        this.expectWord(["EXISTS"], 'expected EXISTS after "NOT"');
        return { kind: "exists", selector, negated: true };
      case "IS": {
        const literal = this.expectWord(
          ["NULL", "TRUE", "FALSE"],
          'expected NULL, TRUE or FALSE after "IS"',
        );
        return { kind: "is", selector, literal: literal as "NULL" | "TRUE" | "FALSE" };
      }
      default:
        return this.fail(
          `expected =, !=, <, <=, >, >=, EXISTS, NOT EXISTS or IS NULL after the selector ${selector.text}`,
          keywordAt,
        );
    }
  }

  private parseSelector(): Selector {
    this.pos++; // "$"
    const path: (string | number)[] = [];
    if (this.text[this.pos] !== ".") {
      this.fail('expected "." and a property name after "$"');
    }
    for (;;) {
      const c = this.text[this.pos];
      if (c === ".") {
        this.pos++;
        const start = this.pos;
        while (isChar(NAME_CHAR, this.text[this.pos])) {
          this.pos++;
        }
        if (this.pos === start) {
          this.fail('expected a property name (letters, digits, "-" or "_") after "."');
        }
        path.push(this.text.slice(start, this.pos));
      } else if (c === "[") {
        this.pos++;
        const start = this.pos;
        while (isChar(/^\d$/, this.text[this.pos])) {
          this.pos++;
        }
        if (this.pos === start) {
          this.fail('expected an array index (digits) after "["');
        }
        const index = Number(this.text.slice(start, this.pos));
        this.expectHere("]", 'expected "]" after the array index');
        path.push(index);
      } else {
        return { text: selectorText(path), path };
      }
    }
  }

  private parseValue(operator: ComparisonOperator): PatternValue {
    this.skipSpace();
    const start = this.pos;
    let value: PatternValue;
    if (this.text[this.pos] === '"') {
      value = { kind: "string", text: this.readQuoted(), quoted: true };
    } else {
      while (isChar(BARE_CHAR, this.text[this.pos])) {
        this.pos++;
      }
      if (this.pos === start) {
        this.fail(`expected a value after "${operator}": a quoted string, a word or a number`);
      }
      const raw = this.text.slice(start, this.pos);
      value = NUMBER.test(raw)
        ? { kind: "number", text: raw, value: Number(raw) }
        : { kind: "string", text: raw, quoted: false };
    }
    if (operator !== "=" && operator !== "!=" && value.kind !== "number") {
      this.fail(`expected a number after "${operator}"`, start);
    }
    return value;
  }

  private readQuoted(): string {
    const start = this.pos;
    this.pos++;
    let out = "";
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) {
        return this.fail(
          `expected a closing '"' for the string opened at position ${start}`,
          start,
        );
      }
      if (c === "\\" && (this.text[this.pos + 1] === '"' || this.text[this.pos + 1] === "\\")) {
        out += this.text[this.pos + 1];
        this.pos += 2;
      } else if (c === '"') {
        this.pos++;
        return out;
      } else {
        out += c;
        this.pos++;
      }
    }
  }

  private readWord(): string {
    const start = this.pos;
    while (isChar(/^[A-Za-z]$/, this.text[this.pos])) {
      this.pos++;
    }
    return this.text.slice(start, this.pos);
  }

  private expectWord(words: readonly string[], message: string): string {
    this.skipSpace();
    const start = this.pos;
    const word = this.readWord();
    if (!words.includes(word)) {
      this.fail(message, start);
    }
    return word;
  }

  private skipSpace(): void {
    while (isChar(/^\s$/, this.text[this.pos])) {
      this.pos++;
    }
  }

  private eat(token: string): boolean {
    this.skipSpace();
    if (this.text.startsWith(token, this.pos)) {
      this.pos += token.length;
      return true;
    }
    return false;
  }

  private expect(token: string, message: string): void {
    if (!this.eat(token)) {
      this.fail(message);
    }
  }

  private expectHere(token: string, message: string): void {
    if (!this.text.startsWith(token, this.pos)) {
      this.fail(message);
    }
    this.pos += token.length;
  }

  private fail(expected: string, at: number = this.pos): never {
    const found =
      at >= this.text.length
        ? "the end of the pattern"
        : JSON.stringify(this.text.slice(at, at + 12));
    throw new FilterPatternError(
      `Invalid filter pattern at position ${at}: ${expected}; found ${found}`,
      at,
    );
  }
}

function selectorText(path: readonly (string | number)[]): string {
  return (
    "$" +
    path.map((segment) => (typeof segment === "number" ? `[${segment}]` : `.${segment}`)).join("")
  );
}

export function parseFilterPattern(text: string): FilterPattern {
  return new Parser(text).parse();
}

// ---------------------------------------------------------------------------------------------
// Evaluation

const MISSING = Symbol("missing");

function resolve(event: unknown, path: readonly (string | number)[]): unknown {
  let current: unknown = event;
  for (const segment of path) {
    if (typeof segment === "number") {
      if (!Array.isArray(current) || segment >= current.length) {
        return MISSING;
      }
      current = current[segment];
    } else {
      if (typeof current !== "object" || current === null || Array.isArray(current)) {
        return MISSING;
      }
      if (!Object.prototype.hasOwnProperty.call(current, segment)) {
        return MISSING;
      }
      current = (current as Record<string, unknown>)[segment];
    }
    // JSON has no undefined: a property holding it is absent (JSON.stringify drops it too).
    if (current === undefined) {
      return MISSING;
    }
  }
  return current;
}

type ValueNode = string | number | boolean;

/** Strings, numbers and booleans. Non-finite numbers are not JSON (JSON.stringify writes null). */
function isValueNode(value: unknown): value is ValueNode {
  return (
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

/** The fixed text a `*`-pattern requires, with where it must sit. */
function wildcard(pattern: string): {
  core: string;
  mode: "any" | "exact" | "prefix" | "suffix" | "contains";
} {
  if (pattern === "*") {
    return { core: "", mode: "any" };
  }
  const leading = pattern.startsWith("*");
  const trailing = pattern.endsWith("*");
  const core = pattern.slice(leading ? 1 : 0, trailing ? -1 : undefined);
  if (leading && trailing) {
    return { core, mode: "contains" };
  }
  return { core, mode: leading ? "suffix" : trailing ? "prefix" : "exact" };
}

function stringMatches(pattern: string, actual: string): boolean {
  const { core, mode } = wildcard(pattern);
  switch (mode) {
    case "any":
      return true;
    case "exact":
      return actual === core;
    case "prefix":
      return actual.startsWith(core);
    case "suffix":
      return actual.endsWith(core);
    case "contains":
      return actual.includes(core);
    default:
      return unreachable(mode);
  }
}

function equals(value: PatternValue, actual: ValueNode): boolean {
  if (value.kind === "number") {
    return typeof actual === "number" ? actual === value.value : String(actual) === value.text;
  }
  return stringMatches(value.text, String(actual));
}

function compare(operator: ComparisonOperator, value: PatternValue, actual: unknown): boolean {
  if (!isValueNode(actual)) {
    return false;
  }
  switch (operator) {
    case "=":
      return equals(value, actual);
    case "!=":
      return !equals(value, actual);
    default: {
      if (typeof actual !== "number" || value.kind !== "number") {
        return false;
      }
      const limit = value.value;
      return operator === "<"
        ? actual < limit
        : operator === "<="
          ? actual <= limit
          : operator === ">"
            ? actual > limit
            : actual >= limit;
    }
  }
}

function evaluate(pattern: FilterPattern, event: object): boolean {
  switch (pattern.kind) {
    case "and":
      return pattern.operands.every((operand) => evaluate(operand, event));
    case "or":
      return pattern.operands.some((operand) => evaluate(operand, event));
    case "compare":
      return compare(pattern.operator, pattern.value, resolve(event, pattern.selector.path));
    case "exists":
      return (resolve(event, pattern.selector.path) !== MISSING) !== pattern.negated;
    case "is": {
      const actual = resolve(event, pattern.selector.path);
      return pattern.literal === "NULL" ? actual === null : actual === (pattern.literal === "TRUE");
    }
    default:
      return unreachable(pattern);
  }
}

export function evaluateFilterPattern(pattern: FilterPattern, event: unknown): boolean {
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    return false;
  }
  return evaluate(pattern, event);
}

export function compileFilterPattern(text: string): (event: unknown) => boolean {
  const pattern = parseFilterPattern(text);
  return (event) => evaluateFilterPattern(pattern, event);
}

// ---------------------------------------------------------------------------------------------
// Analysis and printing

/** The distinct selectors a pattern uses, in order of first use. */
export function selectorsOf(pattern: FilterPattern): string[] {
  const seen = new Set<string>();
  const walk = (node: FilterPattern): void => {
    if (node.kind === "and" || node.kind === "or") {
      node.operands.forEach(walk);
    } else {
      seen.add(node.selector.text);
    }
  };
  walk(pattern);
  return [...seen];
}

/**
 * Printable ASCII that JSON.stringify writes as itself. Also left out, to stay sound on text other
 * encoders wrote: `/` (escaped by PHP and optionally by Jackson), `<`, `>`, `&`, `'` (Go, .NET),
 * `+` and backtick (.NET). Non-ASCII is left out too: encoders may write it as `\uXXXX`.
 */
const SAFE_LITERAL = /^[A-Za-z0-9 !#$%()*,.:;=?@[\]^_{|}~-]+$/;

function safe(literals: readonly string[]): string[] | undefined {
  return literals.every((literal) => SAFE_LITERAL.test(literal))
    ? [...new Set(literals)]
    : undefined;
}

function literalsOf(pattern: FilterPattern): string[] | undefined {
  switch (pattern.kind) {
    case "or": {
      const all: string[] = [];
      for (const operand of pattern.operands) {
        const literals = literalsOf(operand);
        if (literals === undefined) {
          return undefined;
        }
        all.push(...literals);
      }
      return [...new Set(all)];
    }
    case "and": {
      // Any one operand's literals will do: the fewest, then the longest shortest literal.
      const options = pattern.operands
        .map(literalsOf)
        .filter((literals): literals is string[] => literals !== undefined);
      const shortest = (literals: string[]): number => Math.min(...literals.map((l) => l.length));
      options.sort((a, b) => a.length - b.length || shortest(b) - shortest(a));
      return options[0];
    }
    case "compare": {
      if (pattern.operator !== "=") {
        return undefined; // != and the numeric comparisons name no text the event must contain
      }
      const value = pattern.value;
      if (value.kind === "number") {
        // A number field equal to it is written as String(value) (JSON.stringify of a finite
        // number); a string field equal to it holds the pattern text itself.
        return Number.isFinite(value.value) ? safe([value.text, String(value.value)]) : undefined;
      }
      const { core, mode } = wildcard(value.text);
      // The matched value's text contains the fixed part; escaping is per character, so its
      // JSON text contains it too when the part is made of characters written as themselves.
      return mode === "any" || core === "" ? undefined : safe([core]);
    }
    case "exists": {
      if (pattern.negated) {
        return undefined;
      }
      // Every property on the path is a key in the JSON text.
      const names = pattern.selector.path.filter(
        (segment): segment is string => typeof segment === "string",
      );
      return safe([names[names.length - 1]]);
    }
    case "is":
      return [pattern.literal.toLowerCase()]; // null, true or false, written bare
    default:
      return unreachable(pattern);
  }
}

/**
 * Literals such that the JSON text (as JSON.stringify writes it) of every event the pattern
 * matches contains at least one of them; undefined when the pattern gives no such guarantee
 * (it can match through `!=`, a numeric comparison, `NOT EXISTS` or a lone `*`).
 */
export function mustContainAny(pattern: FilterPattern): string[] | undefined {
  return literalsOf(pattern);
}

function printValue(value: PatternValue): string {
  if (value.kind === "string" && value.quoted) {
    return `"${value.text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  }
  return value.text;
}

function printExpression(pattern: FilterPattern, parent?: "and" | "or"): string {
  switch (pattern.kind) {
    case "and": {
      // && binds tighter than ||, so only an && nested in an && needs parentheses.
      const text = pattern.operands.map((operand) => printExpression(operand, "and")).join(" && ");
      return parent === "and" ? `(${text})` : text;
    }
    case "or": {
      const text = pattern.operands.map((operand) => printExpression(operand, "or")).join(" || ");
      return parent === undefined ? text : `(${text})`;
    }
    case "compare":
      return `${pattern.selector.text} ${pattern.operator} ${printValue(pattern.value)}`;
    case "exists":
      return `${pattern.selector.text} ${pattern.negated ? "NOT EXISTS" : "EXISTS"}`;
    case "is":
      return `${pattern.selector.text} IS ${pattern.literal}`;
    default:
      return unreachable(pattern);
  }
}

/** Pattern text that parses back to the same tree. */
export function printFilterPattern(pattern: FilterPattern): string {
  return `{ ${printExpression(pattern)} }`;
}
