import { DuckDBInstance } from "@duckdb/node-api";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import {
  backtestQuery,
  detectionColumn,
  LATE_DELIVERY_DAYS,
  projectedRegions,
} from "../detection/athena";
import { queryCost } from "../detection/athenaRun";
import { ROOT_DETECTIONS } from "../detection/patterns";
import { patternToSql } from "../detection/sql";
import { BenchOptions, machineLine, measure, tsxCommand } from "./harness";
import { replayFilesFolder } from "./replayBench";

/**
 * The detections' SQL twins at scale, offline: DuckDB reads the replay benchmark's gzipped
 * CloudTrail files into Athena's column layout and counts every detection with its twin, beside
 * `npm run replay` on the same files; and the cost of a month's back-test in Athena for a
 * 5,000-account organization, from the files' measured compressed bytes per event and a stated
 * number of events per account and day.
 */

/** Assumed: management events per account per day (a busy member account; say yours). */
const EVENTS_PER_ACCOUNT_DAY = 10_000;
const ACCOUNTS = 5_000;
const DAYS = 30;
/**
 * Assumed: log files per account per day. CloudTrail delivers a file about every five minutes per
 * region with activity (288 a day); say yours.
 */
const FILES_PER_ACCOUNT_DAY = 300;
/** S3 Standard request prices (us-east-1, https://aws.amazon.com/s3/pricing/), per request. */
const S3_LIST = 0.005 / 1000;
const S3_GET = 0.0004 / 1000;

/** One record of a CloudTrail file as DuckDB reads it: the fields Athena's table declares. */
const RECORD =
  "STRUCT(eventVersion VARCHAR, userIdentity STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, invokedBy VARCHAR, accessKeyId VARCHAR, userName VARCHAR), eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR, userAgent VARCHAR, errorCode VARCHAR, errorMessage VARCHAR, requestParameters JSON, responseElements JSON, additionalEventData JSON, requestID VARCHAR, eventID VARCHAR, eventType VARCHAR, readOnly VARCHAR, recipientAccountId VARCHAR, serviceEventDetails JSON)";

const number = (n: number): string => n.toLocaleString("en-US");

export async function runSqlTwinBenchmark(options: BenchOptions): Promise<string> {
  const { folder, records } = replayFilesFolder(options);
  const files = readdirSync(folder).filter((name) => name.endsWith(".json.gz"));
  const compressed = files.reduce((sum, name) => sum + statSync(path.join(folder, name)).size, 0);

  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  let started = performance.now();
  // DuckDB's identifiers are case-insensitive, so the record's fields answer to Athena's
  // lowercase names; the JSON documents become their text, as the CloudTrail SerDe gives them.
  await connection.run(
    `CREATE TABLE cloudtrail AS SELECT r.eventtype, r.eventname, r.eventsource, r.useridentity, r.eventid, r.eventtime, r.recipientaccountid, CAST(r.responseelements AS VARCHAR) AS responseelements, CAST(r.requestparameters AS VARCHAR) AS requestparameters, CAST(r.additionaleventdata AS VARCHAR) AS additionaleventdata, CAST(r.serviceeventdetails AS VARCHAR) AS serviceeventdetails FROM (SELECT unnest(Records) AS r FROM read_json('${folder}/*.json.gz', format = 'auto', columns = {'Records': '${RECORD}[]'}))`,
  );
  const loadSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const reader = await connection.runAndReadAll(
    `SELECT count(*), ${ROOT_DETECTIONS.map((d) => `count_if(${patternToSql(d.pattern, "duckdb")})`).join(", ")} FROM cloudtrail`,
  );
  const querySeconds = (performance.now() - started) / 1000;
  const [total, ...counts] = reader.getRows()[0].map((value) => Number(value));

  // The back-test's own query (its DuckDB rendering), over the files laid out in the archive's
  // partitions: account from the record, the day folder from its time.
  await connection.run("CREATE SCHEMA aws_org_guardrails");
  await connection.run(
    "CREATE TABLE aws_org_guardrails.cloudtrail AS SELECT *, recipientaccountid AS account, replace(substr(eventtime, 1, 10), '-', '/') AS day FROM cloudtrail",
  );
  const span = await connection.runAndReadAll(
    "SELECT min(substr(eventtime, 1, 10)), max(substr(eventtime, 1, 10)), list(DISTINCT account) FROM aws_org_guardrails.cloudtrail",
  );
  const [from, to, accountList] = span.getRows()[0];
  const accounts = (accountList as { items: unknown[] }).items.map(String).sort();
  started = performance.now();
  const backtest = await connection.runAndReadAll(
    backtestQuery(
      {
        database: "aws_org_guardrails",
        table: "cloudtrail",
        bucketName: "archive",
        organizationId: "o-bench",
        partition: "aws",
      },
      { from: String(from), to: String(to), accounts },
      "duckdb",
    ),
  );
  const backtestSeconds = (performance.now() - started) / 1000;
  const names = backtest.columnNames();
  const backtestCounts = ROOT_DETECTIONS.map((d) => {
    const column = names.indexOf(detectionColumn(d.name));
    return backtest.getRows().reduce((sum, row) => sum + Number(row[column]), 0);
  });

  const out = path.join(path.dirname(folder), "sql-twin-replay.json");
  const replay = measure(...tsxCommand("cli/replay.ts", ["--json", out, folder]), {
    oneCore: true,
  });
  const report = JSON.parse(readFileSync(out, "utf8")) as {
    seconds: number;
    detections: { name: string; matches: number }[];
  };
  const same = ROOT_DETECTIONS.every(
    (detection, index) =>
      report.detections.find((d) => d.name === detection.name)?.matches === counts[index] &&
      backtestCounts[index] === counts[index],
  );

  const bytesPerEvent = compressed / records;
  const regions = projectedRegions("aws").length;
  const lists = ACCOUNTS * regions * (DAYS + LATE_DELIVERY_DAYS);
  const gets = ACCOUNTS * FILES_PER_ACCOUNT_DAY * (DAYS + LATE_DELIVERY_DAYS);
  const monthEvents = EVENTS_PER_ACCOUNT_DAY * ACCOUNTS * DAYS;
  const monthBytes = monthEvents * bytesPerEvent;
  return [
    "## The detections' SQL twins at scale (DuckDB), and a month's back-test in Athena",
    "",
    `Command: \`npm run bench -- ${options.quick ? "--quick " : ""}sql\`${options.quick ? " (quick: a smoke test)" : ""}. Machine: ${machineLine()}.`,
    `Data: the replay benchmark's ${files.length} gzip files, ${number(records)} generated CloudTrail records, ${(compressed / 1e6).toFixed(1)} MB compressed.`,
    "",
    "| how | seconds | records/s | matches |",
    "| --- | ---: | ---: | --- |",
    `| DuckDB (both cores): read the files into Athena's layout | ${loadSeconds.toFixed(2)} | ${number(Math.round(total / loadSeconds))} | |`,
    `| DuckDB: every detection's twin, one query | ${querySeconds.toFixed(2)} | ${number(Math.round(total / querySeconds))} | ${ROOT_DETECTIONS.map((d, i) => `${d.name} ${counts[i]}`).join(", ")} |`,
    `| DuckDB: the back-test's query (${number(accounts.length)} accounts, ${from} to ${to}, per account and day) | ${backtestSeconds.toFixed(2)} | ${number(Math.round(total / backtestSeconds))} | ${ROOT_DETECTIONS.map((d, i) => `${d.name} ${backtestCounts[i]}`).join(", ")} |`,
    `| \`npm run replay\` on the same files (one core) | ${report.seconds.toFixed(2)} | ${number(Math.round(records / report.seconds))} | ${report.detections.map((d) => `${d.name} ${d.matches}`).join(", ")} |`,
    "",
    `Same counts as replay for every detection, from the twins and from the back-test's query: **${same && total === records ? "yes" : "NO"}** (replay's wall time ${replay.wallSeconds.toFixed(1)} s with Node's start).`,
    "",
    `A month in Athena for ${number(ACCOUNTS)} accounts, assuming ${number(EVENTS_PER_ACCOUNT_DAY)} events per account per day (state yours): ` +
      `${number(monthEvents)} events x ${bytesPerEvent.toFixed(0)} compressed bytes each (these files' measured size) = ${(monthBytes / 1e12).toFixed(2)} TB scanned, ` +
      `about $${queryCost(monthBytes).toFixed(2)} at $5 per TB (https://aws.amazon.com/athena/pricing/); the query reads only the days and accounts asked for.`,
    "",
    `Besides, S3 bills the log-archive account for the requests (https://aws.amazon.com/s3/pricing/, S3 Standard, us-east-1): a LIST per projected partition, ` +
      `${number(ACCOUNTS)} accounts x ${regions} regions x ${DAYS + LATE_DELIVERY_DAYS} days = ${number(lists)} LISTs, about $${(lists * S3_LIST).toFixed(2)}; ` +
      `and a GET per log file, at an assumed ${FILES_PER_ACCOUNT_DAY} files per account-day (state yours): ${number(gets)} GETs, about $${(gets * S3_GET).toFixed(2)}. ` +
      `Files moved to GLACIER_IR (after logArchive.transitionDays) cost more per request and per GB retrieved.`,
  ].join("\n");
}
