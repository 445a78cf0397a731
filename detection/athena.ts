import { allKnownRegions } from "../config/regions";
import { ROOT_DETECTIONS } from "./patterns";
import { patternToSql, SqlDialect } from "./sql";

/**
 * Back-testing where the archive lives: Athena's CloudTrail table over the organization trail's
 * files in the log archive, and one query that counts every deployed detection per account and
 * day. Pure: text only, so `npm run backtest -- --print-sql` works offline.
 *
 * The table follows Athena's "Query AWS CloudTrail logs" (the CloudTrail SerDe and input format)
 * with partition projection over account, region and day ("Create the table for CloudTrail logs in
 * Athena using partition projection"): the account is `injected`, so a query names its accounts
 * and an account that joins needs no change to the table; regions are the partition's known ones.
 * https://docs.aws.amazon.com/athena/latest/ug/cloudtrail-logs.html
 * https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html
 */

export interface BacktestTarget {
  readonly database: string;
  readonly table: string;
  readonly bucketName: string;
  readonly organizationId: string;
  readonly partition: string;
}

/** A column as the Glue Data Catalog stores it: Hive type names, lowercase. */
export interface TableColumn {
  readonly name: string;
  readonly type: string;
}

/**
 * The CloudTrail table, once: `npm run backtest -- --print-sql` renders it as Athena DDL and the
 * optional infrastructure (components/backtest.ts) creates the same table through the Glue API.
 */
export interface CloudTrailTable {
  readonly database: string;
  readonly name: string;
  readonly columns: readonly TableColumn[];
  readonly partitionKeys: readonly TableColumn[];
  readonly location: string;
  readonly serializationLibrary: string;
  readonly inputFormat: string;
  readonly outputFormat: string;
  /** Athena's TBLPROPERTIES: the partition projection. */
  readonly properties: Readonly<Record<string, string>>;
}

const USER_IDENTITY = [
  "type",
  "principalid",
  "arn",
  "accountid",
  "invokedby",
  "accesskeyid",
  "username",
].map((field) => `${field}:string`);

/** Only what the detections and the report read, plus the fields a reader looks at first. */
const COLUMNS: readonly TableColumn[] = [
  "eventversion",
  "useridentity",
  "eventtime",
  "eventsource",
  "eventname",
  "awsregion",
  "sourceipaddress",
  "useragent",
  "errorcode",
  "errormessage",
  "requestparameters",
  "responseelements",
  "additionaleventdata",
  "requestid",
  "eventid",
  "eventtype",
  "apiversion",
  "readonly",
  "recipientaccountid",
  "serviceeventdetails",
  "sharedeventid",
  "vpcendpointid",
  "eventcategory",
  "managementevent",
].map((name) => ({
  name,
  type: name === "useridentity" ? `struct<${USER_IDENTITY.join(",")}>` : "string",
}));

/** The regions the table projects: every known region of the organization's partition. */
export function projectedRegions(partition: string): string[] {
  return allKnownRegions()
    .filter((info) => info.partition === partition)
    .map((info) => info.region);
}

export function cloudTrailTable(target: BacktestTarget): CloudTrailTable {
  const location = `s3://${target.bucketName}/AWSLogs/${target.organizationId}/`;
  const regions = projectedRegions(target.partition);
  return {
    database: target.database,
    name: target.table,
    columns: COLUMNS,
    partitionKeys: ["account", "region", "day"].map((name) => ({ name, type: "string" })),
    location,
    serializationLibrary: "org.apache.hive.hcatalog.data.JsonSerDe",
    inputFormat: "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
    outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    properties: {
      "projection.enabled": "true",
      "projection.account.type": "injected",
      "projection.region.type": "enum",
      "projection.region.values": regions.join(","),
      "projection.day.type": "date",
      "projection.day.format": "yyyy/MM/dd",
      // The first CloudTrail log files are of November 2013.
      "projection.day.range": "2013/11/01,NOW",
      "projection.day.interval": "1",
      "projection.day.interval.unit": "DAYS",
      // "Templated locations must end with a forward slash."
      // https://docs.aws.amazon.com/athena/latest/ug/partition-projection-setting-up.html
      "storage.location.template": `${location}\${account}/CloudTrail/\${region}/\${day}/`,
      // Log files moved to Glacier Flexible Retrieval or Deep Archive (logArchive.transitionStorageClass)
      // are skipped; once restored by hand, this lets Athena read them (engine version 3).
      // https://docs.aws.amazon.com/athena/latest/ug/querying-glacier.html
      read_restored_glacier_objects: "true",
    },
  };
}

export function cloudTrailTableDdl(target: BacktestTarget): string {
  const table = cloudTrailTable(target);
  const columns = (list: readonly TableColumn[]) =>
    list.map((column) => `${column.name} ${column.type}`);
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${table.database}.${table.name} (`,
    columns(table.columns)
      .map((column) => `  ${column}`)
      .join(",\n"),
    ")",
    `PARTITIONED BY (${columns(table.partitionKeys).join(", ")})`,
    `ROW FORMAT SERDE '${table.serializationLibrary}'`,
    `STORED AS INPUTFORMAT '${table.inputFormat}'`,
    `OUTPUTFORMAT '${table.outputFormat}'`,
    `LOCATION '${table.location}'`,
    "TBLPROPERTIES (",
    Object.entries(table.properties)
      .map(([name, value]) => `  '${name}' = '${value}'`)
      .join(",\n"),
    ")",
  ].join("\n");
}

export interface BacktestRange {
  /** UTC dates, YYYY-MM-DD, both included. */
  readonly from: string;
  readonly to: string;
  /** The accounts to read: the injected projection needs them named. */
  readonly accounts: readonly string[];
  /** Only these regions (default: every region the table projects). */
  readonly regions?: readonly string[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The most partitions one query projects (accounts x regions x days): "Athena reads at most 1
 * million partitions in a single scan" (Service Quotas, https://docs.aws.amazon.com/athena/latest/ug/service-limits.html).
 * A month of thousands of accounts projects millions, so its back-test is split into queries of
 * this many at most, run one after another, their counts added up.
 */
export const MAX_PROJECTED_PARTITIONS = 1_000_000;

/**
 * The most accounts one query names: each adds about 16 characters to its `IN` list, and Athena
 * takes a query string of at most 262,144 bytes (Service Quotas,
 * https://docs.aws.amazon.com/athena/latest/ug/service-limits.html); 10,000 leave room for the rest.
 */
export const MAX_ACCOUNTS_PER_QUERY = 10_000;

/**
 * Days of folders read after `to`. A log file's folder is the day it was delivered, and "a log
 * file delivered at a specific time can contain records written at any point before that time"
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html):
 * a root login at 23:58 on `to` sits in the next day's folder. Events are then kept by their own
 * eventTime, so the days are UTC event days.
 */
export const LATE_DELIVERY_DAYS = 1;

/** The number of days from `from` to `to`, both included. */
export function daysInRange(from: string, to: string): number {
  return (
    Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1
  );
}

/** `date` (YYYY-MM-DD) plus `days`. */
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A detection's result columns: lowercase, as Athena returns every column name. */
export function detectionColumn(detection: string): string {
  return detection.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/**
 * The back-test as queries: the accounts in batches so that none projects more than
 * MAX_PROJECTED_PARTITIONS partitions (one account per query at the least) or names more than
 * MAX_ACCOUNTS_PER_QUERY accounts.
 */
export function backtestQueries(
  target: BacktestTarget,
  range: BacktestRange,
  dialect: SqlDialect = "athena",
): string[] {
  const first = backtestQuery(target, range, dialect);
  const perAccount =
    (range.regions ?? projectedRegions(target.partition)).length *
    (daysInRange(range.from, range.to) + LATE_DELIVERY_DAYS);
  const batch = Math.min(
    MAX_ACCOUNTS_PER_QUERY,
    Math.max(1, Math.floor(MAX_PROJECTED_PARTITIONS / perAccount)),
  );
  if (range.accounts.length <= batch) {
    return [first];
  }
  const queries: string[] = [];
  for (let start = 0; start < range.accounts.length; start += batch) {
    queries.push(
      backtestQuery(
        target,
        { ...range, accounts: range.accounts.slice(start, start + batch) },
        dialect,
      ),
    );
  }
  return queries;
}

/**
 * One query for every deployed detection: per account and UTC event day, how many events each
 * matched and the first (`<eventTime> <eventID>`), pruned by the day (delivery) and account
 * partitions so Athena reads only those files, then kept by eventTime. Each detection's condition
 * is its SQL twin (detection/sql.ts); only the twins differ between the dialects (CASE, count_if,
 * substr and || run as they are in both engines), so DuckDB runs this very query in the tests.
 */
export function backtestQuery(
  target: BacktestTarget,
  range: BacktestRange,
  dialect: SqlDialect = "athena",
): string {
  for (const [name, value] of [
    ["from", range.from],
    ["to", range.to],
  ] as const) {
    if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
      throw new RangeError(`${name}: ${value} is not a date (YYYY-MM-DD)`);
    }
  }
  if (range.from > range.to) {
    throw new RangeError(`from ${range.from} is after to ${range.to}`);
  }
  if (range.accounts.length === 0 || !range.accounts.every((id) => /^\d{12}$/.test(id))) {
    throw new RangeError("accounts: name at least one 12-digit account id");
  }
  const known = new Set(projectedRegions(target.partition));
  const unknownRegions = (range.regions ?? []).filter((region) => !known.has(region));
  if (range.regions?.length === 0 || unknownRegions.length > 0) {
    throw new RangeError(
      range.regions?.length === 0
        ? "regions: name at least one region"
        : `regions: ${unknownRegions.join(", ")} ${unknownRegions.length === 1 ? "is not a region" : "are not regions"} of the ${target.partition} partition`,
    );
  }
  const conditions = ROOT_DETECTIONS.map((detection) => ({
    column: detectionColumn(detection.name),
    sql: patternToSql(detection.pattern, dialect),
  }));
  const folder = (date: string) => `'${date.replace(/-/g, "/")}'`;
  const end = addDays(range.to, 1);
  return [
    "SELECT",
    "  account,",
    "  substr(eventtime, 1, 10) AS event_day,",
    ...conditions.flatMap(({ column, sql }) => [
      `  count_if(${sql}) AS ${column},`,
      `  min(CASE WHEN ${sql} THEN eventtime || ' ' || coalesce(eventid, '') END) AS ${column}_first,`,
    ]),
    "  count(*) AS matched",
    `FROM ${target.database}.${target.table}`,
    `WHERE day BETWEEN ${folder(range.from)} AND ${folder(addDays(range.to, LATE_DELIVERY_DAYS))}`,
    `  AND account IN (${range.accounts.map((id) => `'${id}'`).join(", ")})`,
    ...(range.regions === undefined
      ? []
      : [`  AND region IN (${range.regions.map((region) => `'${region}'`).join(", ")})`]),
    `  AND eventtime >= '${range.from}T00:00:00Z' AND eventtime < '${end}T00:00:00Z'`,
    `  AND (${conditions.map(({ sql }) => sql).join("\n    OR ")})`,
    "GROUP BY account, substr(eventtime, 1, 10)",
    "ORDER BY account, event_day",
  ].join("\n");
}
