import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  BadLogFile,
  ExactRecordScanner,
  FastRecordScanner,
  NeedsExactScan,
  Scanner,
} from "../detection/recordStream";
import { CORPUS_EVENTS } from "./support/fixtures";

const CORPUS = CORPUS_EVENTS;
const corpus = readFileSync(CORPUS, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Record<string, unknown>);

type Make = (
  sink: { candidate(record: unknown): void },
  literals: readonly string[] | undefined,
) => Scanner;
const fast: Make = (sink, literals) => new FastRecordScanner(sink, literals);
const exact: Make = (sink, literals) => new ExactRecordScanner(sink, literals);

function run(
  make: Make,
  text: string | Buffer,
  literals: readonly string[] | undefined,
  chunkSizes: readonly number[] = [1 << 20],
) {
  const candidates: unknown[] = [];
  const scanner = make({ candidate: (record) => candidates.push(record) }, literals);
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  let offset = 0;
  let index = 0;
  while (offset < bytes.length) {
    const size = Math.max(1, chunkSizes[index % chunkSizes.length]);
    scanner.push(bytes.subarray(offset, offset + size));
    offset += size;
    index += 1;
  }
  scanner.end();
  return { candidates, records: scanner.records, parsed: scanner.parsed };
}

/** The corpus records in the shape CloudTrail writes: eventVersion first, compact JSON. */
const cloudTrailRecords = corpus.map((record) => ({
  eventVersion: record.eventVersion ?? "1.08",
  ...record,
}));
const cloudTrailFile = JSON.stringify({ Records: cloudTrailRecords });
const withRoot = cloudTrailRecords.filter((record) => JSON.stringify(record).includes("Root"));

describe("record scanners", () => {
  it("the fast scanner counts every record and parses only those containing a literal", () => {
    const result = run(fast, cloudTrailFile, ["Root"]);
    expect(result.records).toBe(67);
    expect(result.candidates).toEqual(withRoot);
    expect(result.parsed).toBe(withRoot.length);
    expect(result.parsed).toBeLessThan(67);
  });

  it("the exact scanner gives the same records on any layout, including pretty-printed files", () => {
    const pretty = JSON.stringify({ Records: corpus }, null, 2);
    const result = run(exact, pretty, ["Root"]);
    expect(result.records).toBe(67);
    expect(result.candidates).toEqual(
      corpus.filter((record) => JSON.stringify(record).includes("Root")),
    );
  });

  it("without literals every record is a candidate", () => {
    expect(run(fast, cloudTrailFile, undefined).candidates).toEqual(cloudTrailRecords);
    expect(run(exact, cloudTrailFile, undefined).candidates).toEqual(cloudTrailRecords);
  });

  it("property: any chunking gives both scanners the same records as one whole read", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 20 }),
        (sizes) => {
          const whole = run(exact, cloudTrailFile, ["Root"]);
          expect(run(fast, cloudTrailFile, ["Root"], sizes)).toEqual(whole);
          expect(run(exact, cloudTrailFile, ["Root"], sizes)).toEqual(whole);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("reads an empty Records array (the fast scanner leaves files this short to the exact one)", () => {
    expect(() => run(fast, '{"Records":[]}', ["Root"])).toThrow(NeedsExactScan);
    expect(run(exact, '{"Records":[]}', ["Root"]).records).toBe(0);
  });

  it("the fast scanner hands over to the exact one when its assumptions may not hold", () => {
    expect(() => run(fast, JSON.stringify({ Records: corpus }, null, 1), ["Root"])).toThrow(
      NeedsExactScan,
    );
    const escaped = cloudTrailFile.replace('"Root"', '"\\u0052oot"');
    expect(() => run(fast, escaped, ["Root"])).toThrow(NeedsExactScan);
    // The exact scanner still finds the escaped record.
    expect(run(exact, escaped, ["Root"]).candidates).toHaveLength(withRoot.length);
  });

  it("should report a truncated file (the fast scanner hands it to the exact one, which names it)", () => {
    const truncated = cloudTrailFile.slice(0, cloudTrailFile.length - 40);
    expect(() => run(fast, truncated, ["Root"])).toThrow(NeedsExactScan);
    expect(() => run(exact, truncated, ["Root"])).toThrow(
      "truncated: the JSON document is not closed",
    );
  });

  it("should report a file that is not JSON, and JSON without Records", () => {
    expect(() => run(exact, "hello world", ["Root"])).toThrow("not JSON");
    expect(() => run(exact, '{"records":[{"a":1}]}', ["Root"])).toThrow(
      'not a CloudTrail log file: no "Records" array',
    );
    expect(() => run(exact, "[1,2]", ["Root"])).toThrow(
      "not a CloudTrail log file: the top level is not a JSON object",
    );
    expect(() => run(exact, "", ["Root"])).toThrow("empty: not a CloudTrail log file");
  });

  it("should report data after the document and records that are not objects", () => {
    expect(() => run(exact, '{"Records":[]} trailing', ["Root"])).toThrow(
      "not JSON: data after the end of the document",
    );
    expect(() => run(exact, '{"Records":[1,{"a":"Root"}]}', ["Root"])).toThrow(
      "a record is not a JSON object",
    );
    expect(() => run(exact, '{"Records":["x"]}', ["Root"])).toThrow(
      "a record is not a JSON object",
    );
    expect(() => run(exact, '{"Records":[null]}', ["Root"])).toThrow(
      "a record is not a JSON object",
    );
  });

  it("should report a candidate record that is not valid JSON", () => {
    const broken = '{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"Root",}}]}';
    expect(() => run(exact, broken, ["Root"])).toThrow(/^record 1 is not valid JSON/);
  });
});

describe("the exact scanner on any layout", () => {
  // Strings full of what a byte scanner could trip on: quotes, backslash runs, brackets, escapes.
  const tricky = fc.oneof(
    fc.string(),
    fc
      .array(
        fc.constantFrom('"', "\\", "\\\\", "{", "}", "[", "]", ",", ":", "Root", "é", "\u2028"),
        {
          maxLength: 12,
        },
      )
      .map((parts) => parts.join("")),
  );
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      tricky,
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(tricky, tie("value"), { maxKeys: 4 }),
    ),
  })).value;
  const record = fc.dictionary(tricky, value, { maxKeys: 6 });
  const layout = fc.constantFrom<(doc: unknown) => string>(
    (doc) => JSON.stringify(doc),
    (doc) => JSON.stringify(doc, null, 2),
    (doc) => JSON.stringify(doc, null, "\t"),
    // Python's json.dumps: a space after `:` and `,`.
    (doc) => JSON.stringify(doc, null, 1).replace(/\n\s*/g, " "),
  );

  it("property: finds exactly the records JSON.parse finds, for any strings, layout and chunking", () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 8 }),
        layout,
        // Tiny chunks (every record split, strings and escapes cut anywhere) or larger ones
        // (records whole within a chunk, found by the chunk's literal hits).
        fc.oneof(
          fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
          fc.array(fc.integer({ min: 8, max: 4000 }), { minLength: 1, maxLength: 10 }),
        ),
        (records, write, sizes) => {
          const text = write({ before: { Records: "not these" }, Records: records, after: [1] });
          const result = run(exact, text, undefined, sizes);
          expect(result.records).toBe(records.length);
          expect(result.candidates).toEqual(records);
          // With a literal: exactly the records whose text has it (or an escape that could
          // spell it); whitespace never splits a literal made of letters.
          expect(run(exact, text, ["Root"], sizes).candidates).toEqual(
            records.filter((r) => /Root|\\u00/.test(JSON.stringify(r))),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("checks by parsing its guess of where an indented record ends", () => {
    // After a parsed record, the scanner guesses the next one ends at the next line indented
    // like its `{` that starts with `}`; here a nested object closes at that indentation first.
    const records = [{ a: "Root" }, { a: "Root", b: {}, c: 1 }, { x: "Root" }, { y: "other" }];
    const text = [
      '{"Records": [',
      '  {"a": "Root"',
      "  },",
      '  {"a": "Root", "b": {',
      '  }, "c": 1',
      "  },",
      '  {"x": "Root"',
      "  },",
      '  {"y": "other"',
      "  }",
      "]}",
    ].join("\n");
    expect(JSON.parse(text).Records).toEqual(records);
    for (const sizes of [[1 << 20], [5]]) {
      const result = run(exact, text, ["Root"], sizes);
      expect(result.records).toBe(4);
      expect(result.candidates).toEqual(records.slice(0, 3));
    }
  });

  it("reads aws cloudtrail lookup-events output: the records are the CloudTrailEvent strings", () => {
    const history = JSON.stringify(
      {
        Events: corpus.map((record, index) => ({
          EventId: `id-${index}`,
          EventName: record.eventName,
          Resources: [],
          CloudTrailEvent: JSON.stringify(record),
        })),
      },
      null,
      4,
    );
    const withRootInCorpus = corpus.filter((record) => JSON.stringify(record).includes("Root"));
    for (const sizes of [[1 << 20], [13], [1, 2, 3]]) {
      const result = run(exact, history, ["Root"], sizes);
      expect(result.records).toBe(67);
      expect(result.candidates).toEqual(withRootInCorpus);
      expect(run(exact, history, undefined, sizes).candidates).toEqual(corpus);
    }
  });

  it("names lookup-events elements without a usable CloudTrailEvent", () => {
    expect(() => run(exact, '{"Events":[{"EventName":"ConsoleLogin"}]}', ["Root"])).toThrow(
      'event 1 of "Events" has no CloudTrailEvent',
    );
    expect(() =>
      run(exact, '{"Events":[{"Username":"Root","CloudTrailEvent":7}]}', ["Root"]),
    ).toThrow('event 1 of "Events" has no CloudTrailEvent string');
    expect(() =>
      run(exact, '{"Events":[{"CloudTrailEvent":"{\\"type\\":\\"Root\\""}]}', ["Root"]),
    ).toThrow('event 1 of "Events": its CloudTrailEvent is not valid JSON');
    expect(() => run(exact, '{"Events":[{"CloudTrailEvent":"[\\"Root\\"]"}]}', ["Root"])).toThrow(
      'event 1 of "Events": its CloudTrailEvent is not a JSON object',
    );
    expect(() => run(exact, '{"Events":["Root"]}', ["Root"])).toThrow(
      'an element of "Events" is not a JSON object',
    );
  });

  it("tells JSON Lines, a lone record, a digest file and joined files from a log file", () => {
    const lines = corpus
      .slice(0, 3)
      .map((r) => JSON.stringify(r))
      .join("\n");
    const shapeOf = (text: string): string | undefined => {
      try {
        run(exact, text, ["Root"]);
      } catch (error) {
        expect(error).toBeInstanceOf(BadLogFile);
        return `${(error as BadLogFile).shape}: ${(error as Error).message}`;
      }
      return "read";
    };
    expect(shapeOf(lines)).toBe(
      "json-lines: JSON Lines (one record per line), not a CloudTrail log file",
    );
    expect(shapeOf(JSON.stringify(corpus[0], null, 2))).toBe(
      "one-record: one CloudTrail record, not a log file",
    );
    expect(
      shapeOf('{"awsAccountId":"111122223333","digestStartTime":"2026-11-01T00:00:00Z"}'),
    ).toBe("undefined: a CloudTrail digest file (log file validation): it holds no records");
    expect(shapeOf('{"Records":[]}\n{"Records":[]}')).toBe(
      "undefined: several JSON documents in one file (files joined?); a CloudTrail log file is one",
    );
    // A key spelled with escapes is the same key.
    expect(shapeOf('{"Rec\\u006frds":[]}')).toBe("read");
  });
});
