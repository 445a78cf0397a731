import { allKnownRegions } from "../config/regions";
import { ROOT_DETECTIONS } from "./patterns";
import { patternToSql } from "./sql";

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

/** Only what the detections and the report read, plus the fields a reader looks at first. */
const COLUMNS = [
  "eventversion STRING",
  "useridentity STRUCT<type:STRING, principalid:STRING, arn:STRING, accountid:STRING, invokedby:STRING, accesskeyid:STRING, username:STRING>",
  "eventtime STRING",
  "eventsource STRING",
  "eventname STRING",
  "awsregion STRING",
  "sourceipaddress STRING",
  "useragent STRING",
  "errorcode STRING",
  "errormessage STRING",
  "requestparameters STRING",
  "responseelements STRING",
  "additionaleventdata STRING",
  "requestid STRING",
  "eventid STRING",
  "eventtype STRING",
  "apiversion STRING",
  "readonly STRING",
  "recipientaccountid STRING",
  "serviceeventdetails STRING",
  "sharedeventid STRING",
  "vpcendpointid STRING",
  "eventcategory STRING",
  "managementevent STRING",
];

export function cloudTrailTableDdl(target: BacktestTarget): string {
  const location = `s3://${target.bucketName}/AWSLogs/${target.organizationId}/`;
  const regions = allKnownRegions()
    .filter((info) => info.partition === target.partition)
    .map((info) => info.region);
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${target.database}.${target.table} (`,
    COLUMNS.map((column) => `  ${column}`).join(",\n"),
    ")",
    "PARTITIONED BY (account STRING, region STRING, day STRING)",
    "ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'",
    "STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'",
    "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
    `LOCATION '${location}'`,
    "TBLPROPERTIES (",
    "  'projection.enabled' = 'true',",
    "  'projection.account.type' = 'injected',",
    "  'projection.region.type' = 'enum',",
    `  'projection.region.values' = '${regions.join(",")}',`,
    "  'projection.day.type' = 'date',",
    "  'projection.day.format' = 'yyyy/MM/dd',",
    "  'projection.day.range' = '2013/11/01,NOW',",
    "  'projection.day.interval' = '1',",
    "  'projection.day.interval.unit' = 'DAYS',",
    `  'storage.location.template' = '${location}\${account}/CloudTrail/\${region}/\${day}'`,
    ")",
  ].join("\n");
}

export interface BacktestRange {
  /** UTC dates, YYYY-MM-DD, both included. */
  readonly from: string;
  readonly to: string;
  /** The accounts to read: the injected projection needs them named. */
  readonly accounts: readonly string[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * One query for every deployed detection: per account and day, how many events each matched and
 * the first (time and event id), pruned by the day and account partitions, so Athena reads only
 * those files. Each detection's condition is its SQL twin (detection/sql.ts).
 */
export function backtestQuery(target: BacktestTarget, range: BacktestRange): string {
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
  const conditions = ROOT_DETECTIONS.map((detection) => ({
    name: detection.name,
    sql: patternToSql(detection.pattern, "athena"),
  }));
  const day = (date: string) => `'${date.replace(/-/g, "/")}'`;
  return [
    "SELECT",
    "  account,",
    "  day,",
    ...conditions.flatMap(({ name, sql }) => [
      `  count_if(${sql}) AS "${name}",`,
      `  min(if(${sql}, eventtime || ' ' || eventid)) AS "${name}_first",`,
    ]),
    "  count(*) AS matched",
    `FROM ${target.database}.${target.table}`,
    `WHERE day BETWEEN ${day(range.from)} AND ${day(range.to)}`,
    `  AND account IN (${range.accounts.map((id) => `'${id}'`).join(", ")})`,
    `  AND (${conditions.map(({ sql }) => sql).join("\n    OR ")})`,
    "GROUP BY account, day",
    "ORDER BY account, day",
  ].join("\n");
}
