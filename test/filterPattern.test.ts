import fc from "fast-check";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  compileFilterPattern,
  evaluateFilterPattern,
  FilterPattern,
  FilterPatternError,
  mustContainAny,
  parseFilterPattern,
  PatternValue,
  printFilterPattern,
  Selector,
  selectorsOf,
} from "../detection/filterPattern";
import { ROOT_DETECTIONS } from "../detection/patterns";
import { CORPUS_DIR } from "./support/fixtures";

const CIS =
  '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }';

function jsonLines(file: string): string[] {
  return readFileSync(path.join(CORPUS_DIR, file), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
}

const rawEvents = jsonLines("events.jsonl");
const events = rawEvents.map((line) => JSON.parse(line) as Record<string, any>);
const labels = jsonLines("labels.jsonl").map(
  (line) =>
    JSON.parse(line) as { id: string; is_root_activity_cis: boolean; eventType_present: boolean },
);

function matches(pattern: string, event: unknown): boolean {
  return compileFilterPattern(pattern)(event);
}

function parseError(text: string): FilterPatternError {
  try {
    parseFilterPattern(text);
  } catch (error) {
    if (error instanceof FilterPatternError) {
      return error;
    }
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} not to parse`);
}

describe("the CIS root-usage pattern on the labelled CloudTrail corpus", () => {
  it("has 67 records and as many labels", () => {
    expect(events).toHaveLength(67);
    expect(labels).toHaveLength(67);
  });

  it("matches exactly the records labelled is_root_activity_cis", () => {
    const cis = compileFilterPattern(CIS);
    const decided = events.map((event, i) => ({ id: labels[i].id, match: cis(event) }));
    expect(decided).toEqual(
      labels.map((label) => ({ id: label.id, match: label.is_root_activity_cis })),
    );
    expect(decided.filter((d) => d.match)).toHaveLength(26);
  });

  it("cannot tell how != treats a missing eventType: those records all fail the Root clause", () => {
    const missing = events.filter((event) => !("eventType" in event));
    expect(missing).toHaveLength(5);
    expect(labels.filter((label) => !label.eventType_present)).toHaveLength(5);
    for (const event of missing) {
      expect(matches('{ $.userIdentity.type = "Root" }', event)).toBe(false);
      expect(matches('{ $.eventType != "AwsServiceEvent" }', event)).toBe(false);
    }
    // The other reading of != gives the same labels on this corpus.
    const lenient = compileFilterPattern(
      '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && ($.eventType != "AwsServiceEvent" || $.eventType NOT EXISTS) }',
    );
    expect(events.map(lenient)).toEqual(labels.map((label) => label.is_root_activity_cis));
  });

  it("pre-filters on Root, which every matching record's text contains", () => {
    const pattern = parseFilterPattern(CIS);
    expect(mustContainAny(pattern)).toEqual(["Root"]);
    expect(selectorsOf(pattern)).toEqual([
      "$.userIdentity.type",
      "$.userIdentity.invokedBy",
      "$.eventType",
    ]);
    events.forEach((event, i) => {
      if (evaluateFilterPattern(pattern, event)) {
        expect(rawEvents[i]).toContain("Root");
        expect(JSON.stringify(event)).toContain("Root");
      }
    });
  });

  it("gives every deployed detection a sound pre-filter on the corpus's raw text", () => {
    for (const detection of ROOT_DETECTIONS) {
      const pattern = parseFilterPattern(detection.pattern);
      expect(parseFilterPattern(printFilterPattern(pattern))).toEqual(pattern);
      const literals = mustContainAny(pattern);
      expect(literals, detection.name).toBeDefined();
      events.forEach((event, i) => {
        if (evaluateFilterPattern(pattern, event)) {
          expect(
            literals!.some((literal) => rawEvents[i].includes(literal)),
            `${detection.name} ${labels[i].id}`,
          ).toBe(true);
        }
      });
    }
  });
});

describe("the examples of the CloudWatch Logs user guide", () => {
  // The same shape as the guide's examples, written out here.
  const event = {
    eventType: "UpdateTrail",
    sourceIPAddress: "111.111.111.111",
    arrayKey: ["value", "another value"],
    objectList: [
      { name: "a", id: 1 },
      { name: "b", id: 2 },
    ],
    SomeObject: null,
    ThisFlag: true,
  };

  it.each([
    '{ $.eventType = "UpdateTrail" }',
    "{ $.sourceIPAddress != 123.123.* }",
    '{ $.arrayKey[0] = "value" }',
    "{ $.objectList[1].id = 2 }",
    "{ $.SomeObject IS NULL }",
    "{ $.SomeOtherObject NOT EXISTS }",
    "{ $.ThisFlag IS TRUE }",
  ])("%s matches", (pattern) => {
    expect(matches(pattern, event)).toBe(true);
  });

  it.each([
    '{ $.eventType = "updatetrail" }',
    "{ $.sourceIPAddress != 111.111.* }",
    '{ $.arrayKey[2] = "value" }',
    '{ $.eventType[0] = "UpdateTrail" }',
    "{ $.objectList[1].id = 1 }",
    "{ $.objectList.id = 1 }",
    "{ $.eventType IS NULL }",
    "{ $.SomeObject NOT EXISTS }",
    "{ $.ThisFlag IS FALSE }",
  ])("%s does not match", (pattern) => {
    expect(matches(pattern, event)).toBe(false);
  });

  const compound = {
    user: { id: 1, email: "John.Stiles@example.com" },
    users: [
      { id: 2, email: "John.Doe@example.com" },
      { id: 3, email: "Jane.Doe@example.com" },
    ],
    actions: ["GET", "PUT", "DELETE"],
    coordinates: [
      [0, 1, 2],
      [4, 5, 6],
      [7, 8, 9],
    ],
  };

  it.each([
    ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', true],
    ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', false],
    [
      '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }',
      true,
    ],
    [
      '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }',
      false,
    ],
    ["{ $.coordinates[2][0] = 7 && $.coordinates[1][2] >= 6 }", true],
  ] as const)("compound %s -> %s", (pattern, expected) => {
    expect(matches(pattern, compound)).toBe(expected);
  });

  it("fails both = and != when the selector reaches an object or an array", () => {
    const users = { users: [1, 2, 3], user: { id: 1 } };
    for (const pattern of [
      "{ $.users = 1 }",
      "{ $.users != 1 }",
      "{ $.user != 1 }",
      "{ $.user = * }",
      "{ $.users > 0 }",
    ]) {
      expect(matches(pattern, users), pattern).toBe(false);
    }
    expect(matches("{ $.users EXISTS && $.user EXISTS && $.users[2] = 3 }", users)).toBe(true);
  });
});

describe("comparisons", () => {
  it("compares strings exactly and case-sensitively", () => {
    expect(matches("{ $.type = Root }", { type: "Root" })).toBe(true);
    expect(matches("{ $.type = root }", { type: "Root" })).toBe(false);
    expect(matches('{ $.type = "Root" }', { type: "Root " })).toBe(false);
    expect(matches('{ $.type = "Root" }', { type: "AssumeRoot" })).toBe(false);
  });

  it("makes = and != both false on a missing field, and != true on any other value", () => {
    expect(matches('{ $.eventType = "AwsServiceEvent" }', {})).toBe(false);
    expect(matches('{ $.eventType != "AwsServiceEvent" }', {})).toBe(false);
    expect(matches('{ $.eventType != "AwsServiceEvent" }', { eventType: "AwsApiCall" })).toBe(true);
    expect(matches('{ $.eventType != "AwsServiceEvent" }', { eventType: "AwsServiceEvent" })).toBe(
      false,
    );
    expect(matches('{ $.a.b != "x" }', { a: "not an object" })).toBe(false);
  });

  it("never compares null: only IS NULL matches it", () => {
    const event = { a: null };
    expect(matches("{ $.a = null }", event)).toBe(false);
    expect(matches("{ $.a != x }", event)).toBe(false);
    expect(matches("{ $.a = * }", event)).toBe(false);
    expect(matches("{ $.a IS NULL }", event)).toBe(true);
    expect(matches("{ $.a EXISTS }", event)).toBe(true);
    expect(matches("{ $.b IS NULL }", event)).toBe(false);
  });

  it('treats quoted and bare values alike, and unescapes \\" and \\\\', () => {
    const event = { eventName: "ConsoleLogin", quote: 'say "hi"', path: "C:\\temp" };
    expect(matches("{ $.eventName = ConsoleLogin }", event)).toBe(true);
    expect(matches('{ $.eventName = "ConsoleLogin" }', event)).toBe(true);
    expect(matches('{ $.quote = "say \\"hi\\"" }', event)).toBe(true);
    expect(matches('{ $.path = "C:\\\\temp" }', event)).toBe(true);
    expect(matches('{ $.eventName = "Console Login" }', { eventName: "Console Login" })).toBe(true);
  });

  it("compares bare numbers numerically with numbers and textually with strings", () => {
    expect(matches("{ $.x = 5 }", { x: 5 })).toBe(true);
    expect(matches("{ $.x = 5.0 }", { x: 5 })).toBe(true);
    expect(matches("{ $.x = 5 }", { x: "5" })).toBe(true);
    expect(matches("{ $.x = 5 }", { x: "5.0" })).toBe(false);
    expect(matches('{ $.x = "5" }', { x: 5 })).toBe(true);
    expect(matches('{ $.x = "5.0" }', { x: 5 })).toBe(false);
    expect(matches("{ $.x != 5 }", { x: 6 })).toBe(true);
    expect(
      matches("{ $.recipientAccountId = 123456789012 }", { recipientAccountId: "123456789012" }),
    ).toBe(true);
    expect(matches("{ $.errorCode = 4* }", { errorCode: 403 })).toBe(true);
  });

  it("supports <, <=, >, >= on JSON numbers only", () => {
    const event = { latency: 500, text: "700", small: 0.005 };
    expect(matches("{ $.latency >= 500 }", event)).toBe(true);
    expect(matches("{ $.latency > 500 }", event)).toBe(false);
    expect(matches("{ $.latency <= 500 }", event)).toBe(true);
    expect(matches("{ $.latency < 500 }", event)).toBe(false);
    expect(matches("{ $.latency < 10e3 }", event)).toBe(true);
    expect(matches("{ $.small < 10e-3 }", event)).toBe(true);
    expect(matches("{ $.latency > +100 && $.latency > -1 }", event)).toBe(true);
    expect(matches("{ $.text > 600 }", event)).toBe(false);
    expect(matches("{ $.missing < 1 }", event)).toBe(false);
  });

  it("compares booleans by their text and with IS TRUE / IS FALSE", () => {
    expect(matches("{ $.flag = true }", { flag: true })).toBe(true);
    expect(matches("{ $.flag = false }", { flag: true })).toBe(false);
    expect(matches("{ $.flag != false }", { flag: true })).toBe(true);
    expect(matches("{ $.flag IS TRUE }", { flag: "true" })).toBe(false);
    expect(matches("{ $.flag IS FALSE }", { flag: false })).toBe(true);
  });

  it("matches nothing in an event that is not a JSON object", () => {
    for (const event of [null, undefined, "Root", 5, [{ a: 1 }]]) {
      expect(evaluateFilterPattern(parseFilterPattern("{ $.a NOT EXISTS }"), event)).toBe(false);
    }
  });

  it("does not resolve inherited properties or undefined values", () => {
    expect(matches("{ $.toString EXISTS }", {})).toBe(false);
    expect(matches("{ $.a NOT EXISTS }", { a: undefined })).toBe(true);
    expect(matches("{ $.a.length = 3 }", { a: "abc" })).toBe(false);
    expect(matches("{ $.a.length = 3 }", { a: [1, 2, 3] })).toBe(false);
  });
});

describe("wildcards", () => {
  const event = { eventName: "DeleteAccessKey", ip: "123.123.4.5", star: "Ev*ent", n: 403 };

  it.each([
    ['{ $.eventName = "Delete*" }', true],
    ["{ $.eventName = Delete* }", true],
    ['{ $.eventName = "*Key" }', true],
    ['{ $.eventName = "*Access*" }', true],
    ['{ $.eventName = "*DeleteAccessKey*" }', true],
    ['{ $.eventName = "DeleteAccessKey*" }', true],
    ['{ $.eventName = "Create*" }', false],
    ['{ $.eventName = "*Keys" }', false],
    ['{ $.eventName = "delete*" }', false],
    ['{ $.eventName = "*access*" }', false],
    ["{ $.ip = 123.123.* }", true],
    ["{ $.ip != 123.123.* }", false],
    ['{ $.eventName = "*" }', true],
    ["{ $.n = * }", true],
    ["{ $.missing = * }", false],
    ["{ $.n = 4* }", true],
    ["{ $.n = *3 }", true],
    // An inner * is a literal character, as the user guide says of Ev*ent.
    ['{ $.eventName = "Delete*Key" }', false],
    ['{ $.star = "Ev*ent" }', true],
    ['{ $.star = "*v*e*" }', true],
    ['{ $.eventName = "*v*e*" }', false],
  ] as const)("%s -> %s", (pattern, expected) => {
    expect(matches(pattern, event)).toBe(expected);
  });
});

describe("EXISTS and NOT EXISTS", () => {
  const event = {
    userIdentity: { type: "Root", invokedBy: null, sessionContext: { attributes: {} } },
    list: [],
  };

  it.each([
    ["{ $.userIdentity.invokedBy EXISTS }", true],
    ["{ $.userIdentity.invokedBy NOT EXISTS }", false],
    ["{ $.userIdentity.sessionContext.attributes EXISTS }", true],
    ["{ $.userIdentity.sessionContext.attributes.mfa NOT EXISTS }", true],
    ["{ $.userIdentity.type.inner NOT EXISTS }", true],
    ["{ $.nothing.below.here NOT EXISTS }", true],
    ["{ $.list EXISTS }", true],
    ["{ $.list[0] NOT EXISTS }", true],
    ["{ $.userIdentity.arn EXISTS }", false],
    ["{ $.userIdentity.arn   NOT   EXISTS }", true],
  ] as const)("%s -> %s", (pattern, expected) => {
    expect(matches(pattern, event)).toBe(expected);
  });
});

describe("precedence and grouping", () => {
  const t = "$.t = 1";
  const f = "$.f = 1";
  const event = { t: 1, f: 0 };

  it("binds && tighter than ||", () => {
    expect(matches(`{ ${t} || ${f} && ${f} }`, event)).toBe(true);
    expect(matches(`{ ${f} && ${f} || ${t} }`, event)).toBe(true);
    expect(matches(`{ (${t} || ${f}) && ${f} }`, event)).toBe(false);
    expect(matches(`{ ${f} && (${f} || ${t}) }`, event)).toBe(false);
    expect(parseFilterPattern(`{ ${t} || ${f} && ${t} }`)).toMatchObject({
      kind: "or",
      operands: [{ kind: "compare" }, { kind: "and" }],
    });
  });

  it("flattens chains and keeps written groups", () => {
    expect(parseFilterPattern(`{ ${t} && ${t} && ${t} }`)).toMatchObject({
      kind: "and",
      operands: [{}, {}, {}],
    });
    const grouped = parseFilterPattern(`{ (${t} && ${t}) && ${t} }`);
    expect(grouped).toMatchObject({
      kind: "and",
      operands: [{ kind: "and" }, { kind: "compare" }],
    });
    expect(printFilterPattern(grouped)).toBe("{ ($.t = 1 && $.t = 1) && $.t = 1 }");
    expect(parseFilterPattern(`{ ((( ${t} ))) }`)).toEqual(parseFilterPattern(`{${t}}`));
  });

  it("accepts any whitespace, or none, between tokens", () => {
    const tight = parseFilterPattern('{$.a="x"&&($.b!=1||$.c NOT EXISTS)}');
    const loose = parseFilterPattern(
      '\n {\t$.a =  "x"\n&&  (  $.b != 1 ||\r\n$.c NOT EXISTS ) }  ',
    );
    expect(tight).toEqual(loose);
  });
});

describe("parse errors", () => {
  it.each([
    ["", 0, 'expected "{"'],
    ["$.a = 1", 0, 'expected "{"'],
    ["{ }", 2, 'expected a selector starting with "$."'],
    ["{ $.a = }", 8, 'expected a value after "="'],
    [
      "{ $.a }",
      6,
      "expected =, !=, <, <=, >, >=, EXISTS, NOT EXISTS or IS NULL after the selector $.a",
    ],
    ["{ $.a exists }", 6, "expected =, !=, <, <=, >, >=, EXISTS, NOT EXISTS or IS NULL"],
    ["{ $a = 1 }", 3, 'expected "." and a property name after "$"'],
    ["{ $. = 1 }", 4, "expected a property name"],
    ["{ $.a[ = 1 }", 6, "expected an array index"],
    ["{ $.a[0 = 1 }", 7, 'expected "]"'],
    ['{ $.a = "x }', 8, "closing '\"' for the string opened at position 8"],
    ["{ $.a = 1 ", 10, 'expected "&&", "||" or the closing "}"; found the end of the pattern'],
    ["{ $.a = 1 } x", 12, 'expected nothing after the closing "}"'],
    ["{ ($.a = 1 }", 11, 'expected "&&", "||" or the closing ")"'],
    ["{ $.a > x }", 8, 'expected a number after ">"'],
    ['{ $.a <= "5" }', 9, 'expected a number after "<="'],
    ["{ $.a NOT NULL }", 10, 'expected EXISTS after "NOT"'],
    ["{ $.a IS MISSING }", 9, 'expected NULL, TRUE or FALSE after "IS"'],
    ["{ $.a = 1 & $.b = 2 }", 10, 'expected "&&", "||" or the closing "}"; found "& $.b = 2 }"'],
    ["{ $.a = 1 && }", 13, "expected a selector"],
    ["{ $.a == 1 }", 7, 'expected a value after "="'],
    ["{ $.a = foo@bar }", 11, 'expected "&&", "||" or the closing "}"; found "@bar }"'],
    ["{ $.a = 1 $.b = 2 }", 10, 'expected "&&", "||" or the closing "}"'],
    ["{ ($.a = 1) ) }", 12, 'expected "&&", "||" or the closing "}"'],
  ] as const)("%j fails at %i", (text, position, message) => {
    const error = parseError(text);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("FilterPatternError");
    expect(error.position).toBe(position);
    expect(error.message).toContain(`position ${position}`);
    expect(error.message).toContain(message);
  });

  it("is thrown by compileFilterPattern too", () => {
    expect(() => compileFilterPattern("{ $.a = 1")).toThrow(FilterPatternError);
  });
});

describe("selectorsOf", () => {
  it("lists each selector once, in order of first use, in canonical form", () => {
    const pattern = parseFilterPattern(
      "{ $.b[01].c = 1 || ($.a EXISTS && $.b[1].c != 2) || $.a-b_c IS NULL || $.x[0][2] > 3 }",
    );
    expect(selectorsOf(pattern)).toEqual(["$.b[1].c", "$.a", "$.a-b_c", "$.x[0][2]"]);
  });
});

describe("mustContainAny", () => {
  const literals = (text: string) => mustContainAny(parseFilterPattern(text));

  it.each([
    [CIS, ["Root"]],
    ['{ $.userIdentity.type = Root && $.eventName = "ConsoleLogin" }', ["ConsoleLogin"]],
    [
      '{ $.eventName = "CreateAccessKey" || $.eventName = DeleteAccessKey }',
      ["CreateAccessKey", "DeleteAccessKey"],
    ],
    ['{ $.a = "x" || $.b = "x" }', ["x"]],
    ['{ $.a = "Root" && ($.b = "Create*" || $.b = "*Delete") }', ["Root"]],
    [
      '{ ($.b = "Create*" || $.b = "Delete*") && $.a = "sts.amazonaws.com" }',
      ["sts.amazonaws.com"],
    ],
    ['{ $.a = "AssumeRoot" && $.b = "sts.amazonaws.com" }', ["sts.amazonaws.com"]],
    ['{ $.a = "*Trail*" }', ["Trail"]],
    ['{ $.a = "Ev*ent" }', ["Ev*ent"]],
    ["{ $.a = 123.123.* }", ["123.123."]],
    ["{ $.a = 5 }", ["5"]],
    ["{ $.a = 5.0 }", ["5.0", "5"]],
    ["{ $.a = 10e3 }", ["10e3", "10000"]],
    ["{ $.a IS NULL }", ["null"]],
    ["{ $.a IS TRUE || $.a IS FALSE }", ["true", "false"]],
    ["{ $.userIdentity.invokedBy EXISTS }", ["invokedBy"]],
    ["{ $.list[0] EXISTS }", ["list"]],
  ] as const)("%s -> %j", (text, expected) => {
    expect(literals(text)).toEqual(expected);
  });

  it.each([
    '{ $.eventType != "AwsServiceEvent" }',
    "{ $.userIdentity.invokedBy NOT EXISTS }",
    "{ $.a > 5 }",
    "{ $.a = * }",
    '{ $.a = "**" }',
    '{ $.a = "" }',
    '{ $.a = "x" || $.b NOT EXISTS }',
    '{ $.a != "x" && $.b NOT EXISTS }',
    // Characters JSON encoders may escape: the text need not contain them as written.
    '{ $.a = "say \\"hi\\"" }',
    '{ $.a = "C:\\\\temp" }',
    '{ $.arn = "arn:aws:iam::123456789012:user/alice" }',
    '{ $.a = "café" }',
    '{ $.a = "<script>" }',
    "{ $.a = +5 }",
    "{ $.a = 1e400 }",
  ])("%s -> undefined", (text) => {
    expect(literals(text)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over random events and patterns from small alphabets, so matches are frequent.

const KEYS = ["a", "b"] as const;
const CHARS = ["R", "o", "*", ".", " ", '"', "\\", "/", "é", "1"];
const shortText = fc
  .array(fc.constantFrom(...CHARS), { maxLength: 3 })
  .map((chars) => chars.join(""));

const scalar = fc.oneof(
  shortText,
  fc.integer({ min: -2, max: 12 }),
  fc.constantFrom(0.5, 1e21, 10000),
  fc.boolean(),
  fc.constant(null),
);

const { value: jsonValue } = fc.letrec<{
  value: unknown;
  object: Record<string, unknown>;
  array: unknown[];
}>((tie) => ({
  value: fc.oneof({ depthSize: "small", maxDepth: 3 }, scalar, tie("object"), tie("array")),
  object: fc.dictionary(fc.constantFrom(...KEYS), tie("value"), { maxKeys: 2 }),
  array: fc.array(tie("value"), { maxLength: 2 }),
}));
const eventArb = fc.dictionary(fc.constantFrom(...KEYS), jsonValue, { maxKeys: 2 });

function selector(path: readonly (string | number)[]): Selector {
  return {
    text:
      "$" +
      path
        .map((segment) => (typeof segment === "number" ? `[${segment}]` : `.${segment}`))
        .join(""),
    path,
  };
}

const selectorArb = fc
  .tuple(
    fc.constantFrom(...KEYS),
    fc.array(fc.oneof(fc.constantFrom(...KEYS), fc.constantFrom(0, 1)), { maxLength: 2 }),
  )
  .map(([head, rest]) => selector([head, ...rest]));

const numberArb: fc.Arbitrary<PatternValue> = fc
  .constantFrom("0", "1", "5", "-2", "1.0", "10e3", "0.5", "12", "007", "1e21")
  .map((text) => ({ kind: "number", text, value: Number(text) }));

const quotedArb: fc.Arbitrary<PatternValue> = fc
  .tuple(fc.boolean(), shortText, fc.boolean())
  .map(([lead, text, trail]) => ({
    kind: "string",
    text: `${lead ? "*" : ""}${text}${trail ? "*" : ""}`,
    quoted: true,
  }));

const bareArb: fc.Arbitrary<PatternValue> = fc
  .tuple(
    fc.constantFrom("R", "o", "t"),
    fc.array(fc.constantFrom("o", "t", "*", ".", "1", "-"), { maxLength: 3 }),
  )
  .map(([head, rest]) => ({ kind: "string", text: head + rest.join(""), quoted: false }));

const conditionArb: fc.Arbitrary<FilterPattern> = fc.oneof(
  fc.record({
    kind: fc.constant("compare" as const),
    selector: selectorArb,
    operator: fc.constantFrom("=" as const, "!=" as const),
    value: fc.oneof(quotedArb, bareArb, numberArb),
  }),
  fc.record({
    kind: fc.constant("compare" as const),
    selector: selectorArb,
    operator: fc.constantFrom("<" as const, "<=" as const, ">" as const, ">=" as const),
    value: numberArb,
  }),
  fc.record({ kind: fc.constant("exists" as const), selector: selectorArb, negated: fc.boolean() }),
  fc.record({
    kind: fc.constant("is" as const),
    selector: selectorArb,
    literal: fc.constantFrom("NULL" as const, "TRUE" as const, "FALSE" as const),
  }),
);

function patternArb(depth: number): fc.Arbitrary<FilterPattern> {
  if (depth === 0) {
    return conditionArb;
  }
  const operands = fc.array(patternArb(depth - 1), { minLength: 2, maxLength: 3 });
  return fc.oneof(
    { weight: 2, arbitrary: conditionArb },
    {
      weight: 1,
      arbitrary: operands.map((ops): FilterPattern => ({ kind: "and", operands: ops })),
    },
    { weight: 1, arbitrary: operands.map((ops): FilterPattern => ({ kind: "or", operands: ops })) },
  );
}
const anyPattern = patternArb(2);

function lookUp(
  event: unknown,
  path: readonly (string | number)[],
): { found: boolean; value?: unknown } {
  let current: any = event;
  for (const segment of path) {
    const container =
      typeof segment === "number"
        ? Array.isArray(current)
        : current !== null && typeof current === "object" && !Array.isArray(current);
    if (!container || !Object.prototype.hasOwnProperty.call(current, segment)) {
      return { found: false };
    }
    current = current[segment];
  }
  return { found: true, value: current };
}

function containsOne(event: unknown, literals: readonly string[]): boolean {
  const text = JSON.stringify(event);
  return literals.some((literal) => text.includes(literal));
}

/** A value that satisfies one condition, or undefined to leave the field out. */
function satisfying(condition: FilterPattern, affix: string): unknown {
  switch (condition.kind) {
    case "compare": {
      const value = condition.value;
      const n = value.kind === "number" ? value.value : 0;
      switch (condition.operator) {
        case "=":
          if (value.kind === "number") {
            return affix.length % 2 === 0 ? value.value : value.text;
          }
          return value.text.replace(/^\*/, affix).replace(/(.)\*$/, `$1${affix}`);
        case "!=":
          return "zz" + affix;
        case "<":
          return n - 1;
        case ">":
          return n + 1;
        default:
          return n;
      }
    }
    case "exists":
      return condition.negated ? undefined : { nested: affix };
    case "is":
      return condition.literal === "NULL" ? null : condition.literal === "TRUE";
    default:
      return undefined;
  }
}

function setAt(
  root: Record<string, unknown>,
  path: readonly (string | number)[],
  value: unknown,
): void {
  let current: any = root;
  path.forEach((segment, i) => {
    const last = i === path.length - 1;
    if (last) {
      if (value === undefined) {
        delete current[segment];
      } else {
        current[segment] = value;
      }
      return;
    }
    const wantArray = typeof path[i + 1] === "number";
    const next = current[segment];
    if (
      wantArray
        ? !Array.isArray(next)
        : next === null || typeof next !== "object" || Array.isArray(next)
    ) {
      current[segment] = wantArray ? [] : {};
    }
    current = current[segment];
    if (Array.isArray(current)) {
      while (current.length <= (path[i + 1] as number)) {
        current.push(null);
      }
    }
  });
}

/** A copy of base with values written to satisfy the conditions that flags pick. */
function plant(
  pattern: FilterPattern,
  flags: readonly boolean[],
  affix: string,
  base: object,
): Record<string, unknown> {
  const event = structuredClone({ ...base }) as Record<string, unknown>;
  let i = 0;
  const walk = (node: FilterPattern): void => {
    if (node.kind === "and" || node.kind === "or") {
      node.operands.forEach(walk);
    } else if (flags[i++ % flags.length]) {
      setAt(event, node.selector.path, satisfying(node, affix));
    }
  };
  walk(pattern);
  return event;
}

describe("properties", () => {
  const runs = { numRuns: 3000 };

  it("mustContainAny is sound: a matched event's JSON text contains one of the literals", () => {
    fc.assert(
      fc.property(anyPattern, eventArb, (pattern, event) => {
        const literals = mustContainAny(pattern);
        if (literals !== undefined && evaluateFilterPattern(pattern, event)) {
          expect(literals.length).toBeGreaterThan(0);
          expect(containsOne(event, literals)).toBe(true);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it("mustContainAny is sound for single equalities with values planted in the event", () => {
    // Matches are rare for random pairs; here the event holds a value near the pattern's.
    const planted = fc
      .tuple(
        fc.oneof(quotedArb, bareArb, numberArb),
        fc.constantFrom(...KEYS),
        scalar,
        shortText,
        shortText,
      )
      .map(([value, key, other, before, after]) => {
        const text = value.kind === "number" ? value.text : value.text.replace(/^\*|\*$/g, "");
        const stored: unknown[] = [text, before + text + after, before + text, text + after, other];
        if (value.kind === "number") {
          stored.push(value.value);
        }
        return { value, key, stored };
      });
    let matched = 0;
    fc.assert(
      fc.property(planted, fc.nat(), ({ value, key, stored }, pick) => {
        const pattern: FilterPattern = {
          kind: "compare",
          selector: selector([key]),
          operator: "=",
          value,
        };
        const event = { [key]: stored[pick % stored.length] };
        const literals = mustContainAny(pattern);
        if (evaluateFilterPattern(pattern, event)) {
          matched++;
          if (literals !== undefined) {
            expect(containsOne(event, literals)).toBe(true);
          }
        }
      }),
      runs,
    );
    expect(matched).toBeGreaterThan(runs.numRuns / 10);
  });

  it("mustContainAny is sound on events planted to satisfy parts of random patterns", () => {
    let useful = 0;
    fc.assert(
      fc.property(
        anyPattern,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
        shortText,
        eventArb,
        (pattern, flags, affix, base) => {
          const event = plant(pattern, flags, affix, base);
          const literals = mustContainAny(pattern);
          if (literals !== undefined && evaluateFilterPattern(pattern, event)) {
            useful++;
            expect(containsOne(event, literals)).toBe(true);
          }
        },
      ),
      runs,
    );
    // Enough cases where the property says something.
    expect(useful).toBeGreaterThan(runs.numRuns / 10);
  });

  it("&& and || are commutative", () => {
    fc.assert(
      fc.property(anyPattern, anyPattern, eventArb, (a, b, event) => {
        const ab: FilterPattern = { kind: "and", operands: [a, b] };
        const ba: FilterPattern = { kind: "and", operands: [b, a] };
        expect(evaluateFilterPattern(ab, event)).toBe(evaluateFilterPattern(ba, event));
        const aOrB: FilterPattern = { kind: "or", operands: [a, b] };
        const bOrA: FilterPattern = { kind: "or", operands: [b, a] };
        expect(evaluateFilterPattern(aOrB, event)).toBe(evaluateFilterPattern(bOrA, event));
      }),
      runs,
    );
  });

  it("x != v is the negation of x = v when x is a string, number or boolean, and both are false otherwise", () => {
    fc.assert(
      fc.property(
        selectorArb,
        fc.oneof(quotedArb, bareArb, numberArb),
        eventArb,
        (sel, value, event) => {
          const equal = evaluateFilterPattern(
            { kind: "compare", selector: sel, operator: "=", value },
            event,
          );
          const unequal = evaluateFilterPattern(
            { kind: "compare", selector: sel, operator: "!=", value },
            event,
          );
          const { found, value: actual } = lookUp(event, sel.path);
          const valueNode = found && ["string", "number", "boolean"].includes(typeof actual);
          if (valueNode) {
            expect(unequal).toBe(!equal);
          } else {
            expect([equal, unequal]).toEqual([false, false]);
          }
        },
      ),
      runs,
    );
  });

  it("NOT EXISTS is the negation of EXISTS", () => {
    fc.assert(
      fc.property(selectorArb, eventArb, (sel, event) => {
        const exists = evaluateFilterPattern(
          { kind: "exists", selector: sel, negated: false },
          event,
        );
        const missing = evaluateFilterPattern(
          { kind: "exists", selector: sel, negated: true },
          event,
        );
        expect(missing).toBe(!exists);
        expect(exists).toBe(lookUp(event, sel.path).found);
      }),
      runs,
    );
  });

  it("prints patterns that parse back to the same tree and evaluate alike", () => {
    fc.assert(
      fc.property(anyPattern, eventArb, (pattern, event) => {
        const text = printFilterPattern(pattern);
        const reparsed = parseFilterPattern(text);
        expect(reparsed).toEqual(pattern);
        expect(printFilterPattern(reparsed)).toBe(text);
        expect(compileFilterPattern(text)(event)).toBe(evaluateFilterPattern(pattern, event));
      }),
      runs,
    );
  });

  it("parses a || b && c as a || (b && c) and a && b || c as (a && b) || c", () => {
    fc.assert(
      fc.property(conditionArb, conditionArb, conditionArb, eventArb, (a, b, c, event) => {
        const [x, y, z] = [a, b, c].map((p) => printFilterPattern(p).slice(2, -2));
        const [va, vb, vc] = [a, b, c].map((p) => evaluateFilterPattern(p, event));
        expect(matches(`{ ${x} || ${y} && ${z} }`, event)).toBe(va || (vb && vc));
        expect(matches(`{ ${x} && ${y} || ${z} }`, event)).toBe((va && vb) || vc);
      }),
      runs,
    );
  });

  it("rejects malformed text only with a FilterPatternError at a position inside the text", () => {
    const unit = fc.constantFrom(...'{}()$.ab[]0 =!<>&|"\\*ENOTXISUL'.split(""));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (text) => {
        try {
          parseFilterPattern(text);
        } catch (error) {
          expect(error).toBeInstanceOf(FilterPatternError);
          const position = (error as FilterPatternError).position;
          expect(position).toBeGreaterThanOrEqual(0);
          expect(position).toBeLessThanOrEqual(text.length);
          expect((error as Error).message).toContain(`position ${position}`);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
