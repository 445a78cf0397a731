import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_DIR } from "../lib/paths";
import {
  backtestQueries,
  backtestQuery,
  cloudTrailTableDdl,
  daysInRange,
  detectionColumn,
  MAX_ACCOUNTS_PER_QUERY,
  MAX_PROJECTED_PARTITIONS,
  projectedRegions,
} from "../detection/athena";
import { ROOT_DETECTIONS } from "../detection/patterns";
import { patternToSql } from "../detection/sql";

/**
 * The back-test's Athena text, pinned: only its DuckDB rendering of the conditions can run here
 * (test/sqlTwin.test.ts), so the table and the query are checked as text against Athena's pages.
 */

const TARGET = {
  database: "aws_org_guardrails",
  table: "cloudtrail",
  bucketName: "aws-org-guardrails-trail-271828182845-eu-west-1",
  organizationId: "o-7h2kq9x4mz",
  partition: "aws",
};

describe("the CloudTrail table", () => {
  const ddl = cloudTrailTableDdl(TARGET);

  it("uses AWS's CloudTrail SerDe and input format over the organization's prefix", () => {
    expect(ddl).toContain("ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'");
    expect(ddl).toContain(
      "STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'",
    );
    expect(ddl).toContain(`LOCATION 's3://${TARGET.bucketName}/AWSLogs/o-7h2kq9x4mz/'`);
  });

  it("projects account (injected), region (the partition's) and day, so a new account changes nothing", () => {
    expect(ddl).toContain("'projection.account.type' = 'injected'");
    const regions = /'projection.region.values' = '([^']*)'/.exec(ddl)?.[1].split(",") ?? [];
    expect(regions).toEqual(expect.arrayContaining(["us-east-1", "eu-west-1", "ap-southeast-2"]));
    expect(ddl).not.toMatch(/'projection.region.values' = '[^']*cn-north-1/);
    expect(ddl).toContain("'projection.day.format' = 'yyyy/MM/dd'");
    expect(ddl).toContain(
      `'storage.location.template' = 's3://${TARGET.bucketName}/AWSLogs/o-7h2kq9x4mz/\${account}/CloudTrail/\${region}/\${day}/'`,
    );
  });

  it("declares every column the detections read", () => {
    for (const column of [
      "useridentity struct<type:string",
      "invokedby:string",
      "eventtype string",
      "eventname string",
      "eventsource string",
      "responseelements string",
    ]) {
      expect(ddl).toContain(column);
    }
  });
});

describe("the back-test query", () => {
  const query = backtestQuery(TARGET, {
    from: "2026-11-01",
    to: "2026-11-30",
    accounts: ["223606797749", "300000000003"],
  });

  it("is pinned, whole, as Athena receives it (test/fixtures/backtest-query.athena.sql)", () => {
    expect(`${query}\n`).toBe(
      readFileSync(path.join(PROJECT_DIR, "test", "fixtures", "backtest-query.athena.sql"), "utf8"),
    );
  });

  it("reads the range's folders and the next day's, keeps the range's events by their own time", () => {
    expect(query).toContain("WHERE day BETWEEN '2026/11/01' AND '2026/12/01'");
    expect(query).toContain(
      "AND eventtime >= '2026-11-01T00:00:00Z' AND eventtime < '2026-12-01T00:00:00Z'",
    );
    expect(query).toContain("AND account IN ('223606797749', '300000000003')");
    expect(query).toContain("GROUP BY account, substr(eventtime, 1, 10)");
  });

  it("counts every deployed detection by its SQL twin, with its first match", () => {
    for (const detection of ROOT_DETECTIONS) {
      const sql = patternToSql(detection.pattern, "athena");
      expect(query).toContain(`count_if(${sql}) AS ${detectionColumn(detection.name)},`);
      expect(query).toContain(`AS ${detectionColumn(detection.name)}_first`);
    }
  });

  it("refuses dates that are not dates, a range backwards and no accounts", () => {
    const range = { from: "2026-11-01", to: "2026-11-30", accounts: ["223606797749"] };
    expect(() => backtestQuery(TARGET, { ...range, from: "2026-13-01" })).toThrow(/not a date/);
    expect(() => backtestQuery(TARGET, { ...range, from: "2026-12-01" })).toThrow(/is after/);
    expect(() => backtestQuery(TARGET, { ...range, accounts: [] })).toThrow(/at least one/);
  });
});

describe("the back-test of a large organization", () => {
  const accounts = Array.from({ length: 5000 }, (_, i) => String(100000000000 + i));
  const range = { from: "2026-11-01", to: "2026-11-30", accounts };
  const queries = backtestQueries(TARGET, range);
  const listed = queries.map(
    (query) => /AND account IN \(([^)]*)\)/.exec(query)?.[1].split(", ") ?? [],
  );

  it("projects at most a million partitions per query, every account exactly once", () => {
    // The range's days and the late-delivery day after it.
    const perAccount = projectedRegions("aws").length * (daysInRange(range.from, range.to) + 1);
    expect(queries.length).toBe(
      Math.ceil(accounts.length / Math.floor(MAX_PROJECTED_PARTITIONS / perAccount)),
    );
    for (const names of listed) {
      expect(names.length * perAccount).toBeLessThanOrEqual(MAX_PROJECTED_PARTITIONS);
    }
    expect(listed.flat()).toEqual(accounts.map((id) => `'${id}'`));
  });

  it("reads only the regions named, and fits more accounts in a query for it", () => {
    const two = backtestQueries(TARGET, { ...range, regions: ["eu-west-1", "us-east-1"] });
    expect(two[0]).toContain("AND region IN ('eu-west-1', 'us-east-1')");
    expect(two.length).toBe(
      Math.ceil(accounts.length / Math.floor(MAX_PROJECTED_PARTITIONS / (2 * 31))),
    );
    expect(two.length).toBeLessThan(queries.length);
    expect(() => backtestQueries(TARGET, { ...range, regions: ["cn-north-1"] })).toThrow(
      "regions: cn-north-1 is not a region of the aws partition",
    );
  });

  it("names at most 10,000 accounts in a query, within Athena's 262,144-byte query string", () => {
    const many = Array.from({ length: 25_000 }, (_, i) => String(200000000000 + i));
    const oneDay = backtestQueries(TARGET, {
      from: "2026-11-01",
      to: "2026-11-01",
      accounts: many,
      regions: ["eu-west-1"],
    });
    expect(oneDay.length).toBe(Math.ceil(many.length / MAX_ACCOUNTS_PER_QUERY));
    for (const query of oneDay) {
      expect(Buffer.byteLength(query)).toBeLessThan(262_144);
    }
  });

  it("keeps a small organization in one query", () => {
    expect(backtestQueries(TARGET, { ...range, accounts: accounts.slice(0, 3) })).toEqual([
      backtestQuery(TARGET, { ...range, accounts: accounts.slice(0, 3) }),
    ]);
  });

  it("counts the days of a range, both ends and leap days included", () => {
    expect(daysInRange("2026-11-01", "2026-11-30")).toBe(30);
    expect(daysInRange("2028-02-28", "2028-03-01")).toBe(3);
    expect(daysInRange("2026-11-01", "2026-11-01")).toBe(1);
  });
});
