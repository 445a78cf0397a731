import { DuckDBInstance } from "@duckdb/node-api";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { backtestQuery, cloudTrailTable, detectionColumn } from "../detection/athena";
import { compileFilterPattern } from "../detection/filterPattern";
import { ROOT_DETECTIONS } from "../detection/patterns";
import { patternToSql, SqlCompileError } from "../detection/sql";
import { CORPUS_EVENTS } from "./support/fixtures";

/**
 * Every deployed detection's SQL twin, executed in DuckDB over the labelled corpus loaded in
 * Athena's CloudTrail-table layout (lowercase columns, `useridentity` a struct, the request and
 * response documents as JSON text), selects exactly the records the filter pattern matches; the
 * Athena rendering is pinned as text, since only the DuckDB one can run here.
 */

const records = readFileSync(CORPUS_EVENTS, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Record<string, any>);

/** The columns the back-test's table declares (detection/athena.ts), so the twins run on its layout. */
const TABLE = cloudTrailTable({
  database: "aws_org_guardrails",
  table: "cloudtrail",
  bucketName: "archive",
  organizationId: "o-7h2kq9x4mz",
  partition: "aws",
});
/** The columns that hold a JSON document of the record, as its text (CloudTrail's nested objects). */
const DOCUMENTS = [
  "requestparameters",
  "responseelements",
  "additionaleventdata",
  "serviceeventdetails",
];
const SCALARS = TABLE.columns
  .filter((column) => column.type === "string" && !DOCUMENTS.includes(column.name))
  .map((column) => column.name);
const IDENTITY = (
  /^struct<(.*)>$/.exec(
    TABLE.columns.find((column) => column.name === "useridentity")?.type ?? "",
  )?.[1] ?? ""
)
  .split(",")
  .map((field) => field.split(":")[0]);

/** A value as the CloudTrail SerDe gives a string column: text, NULL when absent. */
const text = (value: unknown): string | null =>
  value === undefined || value === null
    ? null
    : typeof value === "string"
      ? value
      : JSON.stringify(value);

/** A record as a row of Athena's CloudTrail table. */
function row(record: Record<string, any>, index: number): Record<string, unknown> {
  const lower = Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
  const identity = (record.userIdentity ?? {}) as Record<string, unknown>;
  const identityLower = Object.fromEntries(
    Object.entries(identity).map(([k, v]) => [k.toLowerCase(), v]),
  );
  return {
    idx: index,
    useridentity: Object.fromEntries(IDENTITY.map((field) => [field, text(identityLower[field])])),
    ...Object.fromEntries(SCALARS.map((column) => [column, text(lower[column])])),
    // The documents as their JSON text; `null` written by CloudTrail stays the text "null".
    ...Object.fromEntries(
      DOCUMENTS.map((column) => [
        column,
        lower[column] === undefined ? null : JSON.stringify(lower[column]),
      ]),
    ),
  };
}

async function corpusTable() {
  const dir = mkdtempSync(path.join(tmpdir(), "sql-twin-"));
  const file = path.join(dir, "rows.ndjson");
  writeFileSync(
    file,
    records.map((record, index) => JSON.stringify(row(record, index))).join("\n"),
  );
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const columns = [
    "'idx': 'INTEGER'",
    `'useridentity': 'STRUCT(${IDENTITY.map((field) => `${field} VARCHAR`).join(", ")})'`,
    ...[...SCALARS, ...DOCUMENTS].map((column) => `'${column}': 'VARCHAR'`),
  ].join(", ");
  await connection.run(
    `CREATE TABLE cloudtrail AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {${columns}})`,
  );
  return connection;
}

describe("the deployed detections' SQL twins", async () => {
  const connection = await corpusTable();

  it("run on the very columns the back-test's table declares", () => {
    const declared = TABLE.columns.map((column) => column.name).sort();
    expect(["useridentity", ...SCALARS, ...DOCUMENTS].sort()).toEqual(declared);
    expect(IDENTITY).toEqual(expect.arrayContaining(["type", "invokedby", "accountid"]));
  });

  for (const detection of ROOT_DETECTIONS) {
    it(`${detection.name}: the SQL twin selects exactly what the filter pattern matches`, async () => {
      const matches = compileFilterPattern(detection.pattern);
      const expected = records.flatMap((record, index) => (matches(record) ? [index] : []));
      const reader = await connection.runAndReadAll(
        `SELECT idx FROM cloudtrail WHERE ${patternToSql(detection.pattern, "duckdb")} ORDER BY idx`,
      );
      const selected = reader.getRows().map(([idx]) => Number(idx));
      expect(selected).toEqual(expected);
    });
  }

  it("agrees on wildcards, !=, NOT EXISTS and JSON fields, on records made to tell them apart", async () => {
    const names = ["Delete_100%x", "DeleteX100%x", "Delete_100%", "xDelete_100%", "delete_100%x"];
    await connection.run(
      `CREATE TABLE probes AS SELECT * FROM (VALUES ${names.map((name, i) => `(${i}, '${name}')`).join(", ")}) AS t(idx, eventname)`,
    );
    for (const pattern of [
      '{ $.eventName = "Delete_100%*" }',
      '{ $.eventName = "*100%x" }',
      '{ $.eventName = "*_100*" }',
      '{ $.eventName != "Delete_100%*" }',
    ]) {
      const matches = compileFilterPattern(pattern);
      const expected = names.flatMap((name, i) => (matches({ eventName: name }) ? [i] : []));
      const reader = await connection.runAndReadAll(
        `SELECT idx FROM probes WHERE ${patternToSql(pattern, "duckdb")} ORDER BY idx`,
      );
      expect({ pattern, selected: reader.getRows().map(([idx]) => Number(idx)) }).toEqual({
        pattern,
        selected: expected,
      });
    }
  });

  it("selects something for the detections that count root use, so agreement is not agreement on nothing", async () => {
    const counts = await Promise.all(
      ROOT_DETECTIONS.map(async (detection) => {
        const reader = await connection.runAndReadAll(
          `SELECT count(*) FROM cloudtrail WHERE ${patternToSql(detection.pattern, "duckdb")}`,
        );
        return Number(reader.getRows()[0][0]);
      }),
    );
    expect(counts.filter((count) => count > 0).length).toBeGreaterThanOrEqual(4);
  });
});

describe("the back-test query itself, run in DuckDB over the corpus laid out in the archive's partitions", async () => {
  const connection = await corpusTable();
  // The account whose folder a record's file is in; a record that names none (documentation
  // excerpts in the corpus) gets a folder of its own.
  const accountOf = (record: Record<string, any>): string => {
    const id = record.recipientAccountId ?? record.userIdentity?.accountId;
    return /^\d{12}$/.test(String(id)) ? String(id) : "000000000000";
  };
  // A few excerpts have no eventTime (absent, or "redacted"): a back-test, which keeps events by
  // their time, never counts them, nor does the expectation below.
  const timed = records.filter((record) => /^\d{4}-\d{2}-\d{2}T/.test(String(record.eventTime)));
  const dateOf = (record: Record<string, any>) => String(record.eventTime).slice(0, 10);
  // The latest root event is delivered after midnight, in the next day's folder, as CloudTrail
  // may, and the range ends on its day: only the late-delivery day's folder holds it. The later
  // records of the corpus fall outside the range, and must not be counted.
  const latest = records.indexOf(
    timed
      .filter((record) => ROOT_DETECTIONS.some((d) => compileFilterPattern(d.pattern)(record)))
      .reduce((late, record) => (record.eventTime > late.eventTime ? record : late)),
  );
  const range = { from: timed.map(dateOf).sort()[0], to: dateOf(records[latest]) };
  const inRange = timed.filter((record) => dateOf(record) <= range.to);
  expect(inRange.length).toBeLessThan(timed.length);
  const folderOf = (record: Record<string, any>, index: number): string => {
    const day = String(record.eventTime ?? range.from).slice(0, 10);
    const delivered =
      index === latest
        ? new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
        : day;
    return delivered.replace(/-/g, "/");
  };
  await connection.run("CREATE SCHEMA aws_org_guardrails");
  await connection.run(
    `CREATE TABLE aws_org_guardrails.cloudtrail AS SELECT c.*, p.account, p.region, p.day FROM cloudtrail c JOIN (VALUES ${records
      .map(
        (record, index) =>
          `(${index}, '${accountOf(record)}', '${record.awsRegion}', '${folderOf(record, index)}')`,
      )
      .join(", ")}) AS p(idx, account, region, day) ON c.idx = p.idx`,
  );
  // Two copies of that root event just outside the range, in folders the query reads: one the
  // minute before `from` (delivered after midnight, into `from`'s folder), one the minute after
  // `to` (in the late-delivery day's folder). Kept by eventTime, neither may be counted.
  const dayAfter = (date: string, days: number) =>
    new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  for (const [time, folder, id] of [
    [`${dayAfter(range.from, -1)}T23:59:30Z`, range.from, "before-the-range"],
    [`${dayAfter(range.to, 1)}T00:00:30Z`, dayAfter(range.to, 1), "after-the-range"],
  ]) {
    await connection.run(
      `INSERT INTO aws_org_guardrails.cloudtrail SELECT * REPLACE ('${time}' AS eventtime, '${id}' AS eventid, '${folder.replace(/-/g, "/")}' AS day) FROM aws_org_guardrails.cloudtrail WHERE idx = ${latest}`,
    );
  }
  const accounts = [...new Set(records.map(accountOf))].sort();
  const target = {
    database: "aws_org_guardrails",
    table: "cloudtrail",
    bucketName: "archive",
    organizationId: "o-7h2kq9x4mz",
    partition: "aws",
  };
  const reader = await connection.runAndReadAll(
    backtestQuery(target, { ...range, accounts }, "duckdb"),
  );
  const columns = reader.columnNames();
  const rows = reader
    .getRows()
    .map((row) =>
      Object.fromEntries(columns.map((name, i) => [name, row[i] === null ? null : String(row[i])])),
    );

  it("counts, per account and UTC event day, exactly what each filter pattern matches, with its first match", () => {
    for (const detection of ROOT_DETECTIONS) {
      const matches = compileFilterPattern(detection.pattern);
      const expected = new Map<string, { events: number; first: string }>();
      for (const record of inRange.filter((r) => matches(r))) {
        const key = `${accountOf(record)} ${String(record.eventTime).slice(0, 10)}`;
        const stamp = `${record.eventTime} ${record.eventID ?? ""}`;
        const seen = expected.get(key);
        expected.set(key, {
          events: (seen?.events ?? 0) + 1,
          first: seen === undefined || stamp < seen.first ? stamp : seen.first,
        });
      }
      const column = detectionColumn(detection.name);
      const counted = new Map(
        rows
          .filter((row) => Number(row[column]) > 0)
          .map((row) => [
            `${row.account} ${row.event_day}`,
            { events: Number(row[column]), first: String(row[`${column}_first`]) },
          ]),
      );
      expect({ detection: detection.name, counted }).toEqual({
        detection: detection.name,
        counted: expected,
      });
    }
  });

  it("counts no event outside the range, whatever folder it is in", () => {
    const firsts = rows.flatMap((row) =>
      ROOT_DETECTIONS.map((d) => String(row[`${detectionColumn(d.name)}_first`])),
    );
    expect(firsts.some((first) => first.includes("-the-range"))).toBe(false);
    expect(
      rows.every((row) => String(row.event_day) >= range.from && String(row.event_day) <= range.to),
    ).toBe(true);
  });

  it("counts the event delivered into the next day's folder on its own day", () => {
    const record = records[latest];
    const day = String(record.eventTime).slice(0, 10);
    const row = rows.find((r) => r.account === accountOf(record) && r.event_day === day);
    // On the range's last day, so only the late-delivery day's folder holds it.
    expect(day).toBe(range.to);
    expect(folderOf(record, latest)).not.toBe(range.to.replace(/-/g, "/"));
    expect(row).toBeDefined();
  });
});

describe("the Athena rendering", () => {
  it("is pinned for the CIS root-usage pattern", () => {
    expect(patternToSql(ROOT_DETECTIONS[0].pattern, "athena")).toBe(
      "((useridentity.type = 'Root') AND useridentity.invokedby IS NULL AND (eventtype IS NOT NULL AND NOT (eventtype = 'AwsServiceEvent')))",
    );
  });

  it("reads fields of the JSON documents with json_extract_scalar", () => {
    const success = ROOT_DETECTIONS.find((d) => d.name === "RootConsoleSignInSuccess")!;
    expect(patternToSql(success.pattern, "athena")).toBe(
      "((useridentity.type = 'Root') AND (eventname = 'ConsoleLogin') AND (json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'))",
    );
  });

  it("turns a * wildcard into an escaped LIKE", () => {
    expect(patternToSql('{ $.eventName = "Delete_100%*" }', "athena")).toBe(
      "(eventname LIKE 'Delete\\_100\\%%' ESCAPE '\\')",
    );
  });

  it("fails loudly for what the table cannot say", () => {
    for (const [pattern, message] of [
      ['{ $.userIdentity.sessionContext.x = "y" }', /useridentity struct has no such field/],
      ['{ $.noSuchField = "y" }', /has no column for noSuchField/],
      ["{ $.eventName IS NULL }", /keeps no JSON literals/],
      ['{ $.requestParameters = "x" }', /compare a field of requestParameters, not the document/],
    ] as const) {
      expect(() => patternToSql(pattern, "athena")).toThrow(SqlCompileError);
      expect(() => patternToSql(pattern, "athena")).toThrow(message);
    }
  });
});
