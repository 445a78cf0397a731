import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { backtestCommand } from "../cli/backtest";
import { BACKTEST } from "../config/names";
import { detectionColumn } from "../detection/athena";
import { queryCost, runAthenaQuery } from "../detection/athenaRun";
import { ROOT_DETECTIONS } from "../detection/patterns";
import { runCommand } from "./support/cli";
import { devOrganization, DEV, FIXTURE_STACKS, stacksWith } from "./support/fixtures";

/**
 * `npm run backtest` against mocked STS and Athena: the reader role assumed, the query run in the
 * back-test workgroup (the table is the program's, never created by the command), polled until
 * done, results read page by page, a long range split into queries whose counts add up, a failed
 * query and one over the workgroup's cutoff reported in one line; refused before any call when the
 * stack has no back-test deployed; `--print-sql` offline.
 */

const sts = mockClient(STSClient);
const athena = mockClient(AthenaClient);
const s3 = mockClient(S3Client);
/** The account folders of the archive, as ListObjectsV2 with a delimiter gives them, in two pages. */
function archiveFolders(accounts: readonly string[]) {
  const prefixes = accounts.map((id) => ({ Prefix: `AWSLogs/${DEV.organizationId}/${id}/` }));
  const half = Math.ceil(prefixes.length / 2);
  s3.on(ListObjectsV2Command).callsFake((input) =>
    input.ContinuationToken === undefined
      ? {
          CommonPrefixes: prefixes.slice(0, half),
          NextContinuationToken: "more",
          IsTruncated: true,
        }
      : { CommonPrefixes: prefixes.slice(half) },
  );
}
/** Athena's result columns: every column name lowercase, as Athena returns them. */
const HEADER = [
  "account",
  "event_day",
  ...ROOT_DETECTIONS.flatMap((d) => [detectionColumn(d.name), `${detectionColumn(d.name)}_first`]),
  "matched",
];
const cells = (values: string[]) => ({ Data: values.map((VarCharValue) => ({ VarCharValue })) });

beforeEach(() => {
  sts.reset();
  athena.reset();
  s3.reset();
  archiveFolders(devOrganization().accounts.map((account) => account.id));
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: "ASIAREADER",
      SecretAccessKey: "s",
      SessionToken: "t",
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
  let started = 0;
  athena.on(StartQueryExecutionCommand).callsFake(() => ({ QueryExecutionId: `q-${++started}` }));
  athena
    .on(GetQueryExecutionCommand)
    .resolvesOnce({ QueryExecution: { Status: { State: "RUNNING" } } })
    .resolves({
      QueryExecution: { Status: { State: "SUCCEEDED" }, Statistics: { DataScannedInBytes: 2e9 } },
    });
  // Two pages for every query, by the token the paginator sends; the names in the metadata.
  const pages = [
    {
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: HEADER.map((Name) => ({ Name, Type: "varchar" })) },
        Rows: [
          cells(HEADER),
          cells([
            DEV.paymentsProd,
            "2026-11-03",
            "2",
            "2026-11-03T10:00:00Z e1",
            "1",
            "2026-11-03T10:00:00Z e1",
            "0",
            "",
            "0",
            "",
            "0",
            "",
            "2",
          ]),
        ],
      },
      NextToken: "page-2",
    },
    {
      ResultSet: {
        Rows: [
          cells([
            DEV.management,
            "2026-11-04",
            "0",
            "",
            "0",
            "",
            "0",
            "",
            "0",
            "",
            "3",
            "2026-11-04T09:00:00Z e9",
            "3",
          ]),
        ],
      },
    },
  ];
  athena
    .on(GetQueryResultsCommand)
    .callsFake((input) => (input.NextToken === undefined ? pages[0] : pages[1]));
});

/** The tests' dev stack with the back-test deployed. */
const WITH_BACKTEST = stacksWith((config) => {
  config["aws-org-guardrails:backtest"] = { enabled: true };
});

/** The dev stack's November. */
const NOVEMBER = [
  "--stack",
  "dev",
  "--stacks",
  WITH_BACKTEST,
  "--from",
  "2026-11-01",
  "--to",
  "2026-11-30",
];

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const status = await backtestCommand.run([...NOVEMBER, ...argv], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { status, stdout, stderr };
}

describe("npm run backtest", () => {
  it("assumes the reader role in the log-archive account, runs one query in the workgroup over every account, and counts per detection, account and day", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "backtest-"));
    const json = path.join(dir, "backtest.json");
    const result = await run("--json", json);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(sts.commandCalls(AssumeRoleCommand)[0].args[0].input.RoleArn).toBe(
      `arn:aws:iam::${DEV.logArchive}:role/${BACKTEST.readerRole}`,
    );
    const starts = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
    expect(starts.map((input) => input.WorkGroup)).toEqual([BACKTEST.workgroup]);
    expect(starts[0].QueryString).toMatch(/^SELECT/);
    // November's folders and the next day's (late deliveries), then November's events by time.
    expect(starts[0].QueryString).toContain("WHERE day BETWEEN '2026/11/01' AND '2026/12/01'");
    expect(starts[0].QueryString).toContain(
      "AND eventtime >= '2026-11-01T00:00:00Z' AND eventtime < '2026-12-01T00:00:00Z'",
    );
    expect(starts[0].QueryExecutionContext).toEqual({
      Catalog: "AwsDataCatalog",
      Database: "aws_org_guardrails",
    });
    // Every account the snapshot records: the management account's own root use and AssumeRoot
    // calls, and suspended accounts, whose past is in the archive.
    for (const account of devOrganization().accounts) {
      expect(starts[0].QueryString).toContain(`'${account.id}'`);
    }
    // Two pages of results, read with the paginator.
    expect(athena.commandCalls(GetQueryResultsCommand).length).toBeGreaterThanOrEqual(2);
    expect(result.stdout).toMatch(/^RootAccountUsage +2$/m);
    expect(result.stdout).toMatch(/^AssumeRootCall +3$/m);
    expect(result.stdout).toContain(`${DEV.paymentsProd}  2026-11-03  RootAccountUsage`);
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.detections).toMatchObject({
      RootAccountUsage: 2,
      RootConsoleSignInSuccess: 1,
      AssumeRootCall: 3,
    });
    expect(report.bytesScanned).toBe(2e9);
    expect(report.costUsd).toBeCloseTo(queryCost(2e9), 10);
    expect(report.queryExecutionIds).toEqual(["q-1"]);
    expect(report).toMatchObject({ complete: true, queries: 1 });
  });

  it("reads accounts that have log files in the archive but are not in the organization source", async () => {
    const joined = "999900001111";
    archiveFolders([...devOrganization().accounts.map((account) => account.id), joined]);
    const result = await run();
    expect(result.status).toBe(0);
    expect(s3.commandCalls(ListObjectsV2Command)[0].args[0].input).toMatchObject({
      Bucket: `aws-org-guardrails-trail-${DEV.logArchive}-eu-west-1`,
      Prefix: `AWSLogs/${DEV.organizationId}/`,
      Delimiter: "/",
    });
    expect(result.stderr).toContain(
      "1 account(s) with log files in the archive are not in the organization source",
    );
    const query = athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input.QueryString;
    expect(query).toContain(`'${joined}'`);
  });

  it("always reads the global-events region with --regions: IAM and sign-in events are recorded there only", async () => {
    const result = await run("--regions", "eu-west-1");
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("us-east-1 added to --regions");
    const query = athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input.QueryString;
    expect(query).toContain("AND region IN ('us-east-1', 'eu-west-1')");
  });

  it("refuses a result that lacks a detection's column instead of counting it as nothing", async () => {
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: {
          ColumnInfo: HEADER.filter((name) => name !== "root_account_usage").map((Name) => ({
            Name,
            Type: "varchar",
          })),
        },
        Rows: [],
      },
    });
    const result = await run();
    expect(result.status).toBe(70);
    expect(result.stderr).toContain("Athena's result has no column root_account_usage");
  });

  it("stops the running query in Athena on Ctrl-C", async () => {
    athena.on(GetQueryExecutionCommand).callsFake(() => {
      process.emit("SIGINT");
      return { QueryExecution: { Status: { State: "RUNNING" } } };
    });
    const result = await run();
    expect(result.status).toBe(70);
    expect(result.stderr).toContain("stopped query q-1: interrupted");
    expect(athena.commandCalls(StopQueryExecutionCommand)[0].args[0].input).toEqual({
      QueryExecutionId: "q-1",
    });
  });

  it("splits a long range into queries of at most a million projected partitions and adds their counts up", async () => {
    const result = await run("--from", "2016-01-01", "--to", "2025-12-31");
    expect(result.status).toBe(0);
    const starts = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
    expect(starts.length).toBeGreaterThan(1);
    const named = starts.flatMap(
      (input) => /account IN \(([^)]*)\)/.exec(input.QueryString ?? "")?.[1].split(", ") ?? [],
    );
    expect(named.sort()).toEqual(
      devOrganization()
        .accounts.map((a) => `'${a.id}'`)
        .sort(),
    );
    // The mock answers every query with the same two pages: each query's counts are added.
    expect(result.stdout).toMatch(new RegExp(`^RootAccountUsage +${2 * starts.length}$`, "m"));
    expect(result.stderr).toContain(`query ${starts.length} of ${starts.length}`);
  });

  it("keeps what a split back-test counted when a later query fails, marked incomplete", async () => {
    let polls = 0;
    athena.on(GetQueryExecutionCommand).callsFake((input) =>
      input.QueryExecutionId === "q-1"
        ? {
            QueryExecution: {
              Status: { State: "SUCCEEDED" },
              Statistics: { DataScannedInBytes: 2e9 },
            },
          }
        : (polls += 1) && {
            QueryExecution: { Status: { State: "FAILED", StateChangeReason: "Throttled" } },
          },
    );
    const json = path.join(mkdtempSync(path.join(tmpdir(), "backtest-")), "partial.json");
    const result = await run("--from", "2016-01-01", "--to", "2025-12-31", "--json", json);
    expect(result.status).toBe(70);
    expect(polls).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `query q-2 failed: Throttled \\(query 2 of \\d+\\) \\(queries that finished before it: q-1, their counts in ${json.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}, marked incomplete\\)`,
      ),
    );
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report).toMatchObject({
      complete: false,
      queryExecutionIds: ["q-1"],
      bytesScanned: 2e9,
    });
    expect(report.queries).toBeGreaterThan(1);
    expect(report.detections.RootAccountUsage).toBe(2);
  });

  it("refuses, before any call, a stack without the back-test deployed", async () => {
    let stderr = "";
    const status = await backtestCommand.run(
      [...NOVEMBER.map((arg) => (arg === WITH_BACKTEST ? FIXTURE_STACKS : arg))],
      { stdout: () => undefined, stderr: (t) => (stderr += t) },
    );
    expect(status).toBe(2);
    expect(stderr).toMatch(/backtest\.enabled is false in stack dev .*pulumi up/);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it("names the workgroup's cutoff when a query scans past it", async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: { State: "CANCELLED", StateChangeReason: "Bytes scanned limit was exceeded" },
      },
    });
    const result = await run();
    expect(result.status).toBe(70);
    expect(result.stderr).toMatch(
      /query q-1 cancelled: Bytes scanned limit was exceeded \(the workgroup's cutoff, aws-org-guardrails:backtest\.bytesScannedCutoffPerQuery, is 1000000000000 bytes/,
    );
  });

  it("says when the range reaches log files Athena skips (Glacier Flexible Retrieval)", async () => {
    const glacier = stacksWith((config) => {
      config["aws-org-guardrails:backtest"] = { enabled: true };
      config["aws-org-guardrails:logArchive"] = {
        ...config["aws-org-guardrails:logArchive"],
        transitionStorageClass: "GLACIER",
        transitionDays: 30,
      };
    });
    let stderr = "";
    const status = await backtestCommand.run(
      [...NOVEMBER.map((arg) => (arg === WITH_BACKTEST ? glacier : arg)), "--from", "2026-01-01"],
      { stdout: () => undefined, stderr: (t) => (stderr += t) },
    );
    expect(status).toBe(0);
    expect(stderr).toMatch(
      /older than 30 days are in GLACIER .*Athena skips unless they were restored/,
    );
  });

  it("reports a failed query in one line", async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: "FAILED",
          StateChangeReason: "Query exhausted resources at this scale factor",
        },
      },
    });
    const result = await run();
    expect(result.status).toBe(70);
    expect(result.stderr.trim().split("\n")[0]).toMatch(
      /query q-1 failed: Query exhausted resources/,
    );
  });

  it("refuses bad dates before any call", async () => {
    const result = await run("--to", "2026-10-01");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("from 2026-11-01 is after to 2026-10-01");
    expect(result.stderr).toContain("--from/--to: from 2026-11-01 is after to 2026-10-01");
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});

describe("runAthenaQuery", () => {
  it("stops the query in Athena when it is aborted", async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolves({ QueryExecution: { Status: { State: "RUNNING" } } });
    const controller = new AbortController();
    const client = new AthenaClient({ region: "eu-west-1" });
    const running = runAthenaQuery(client, "SELECT 1", {
      workgroup: "wg",
      signal: controller.signal,
      sleep: async () => controller.abort("interrupted"),
    });
    await expect(running).rejects.toThrow(/stopped query q-1: interrupted/);
    expect(athena.commandCalls(StopQueryExecutionCommand)[0].args[0].input).toEqual({
      QueryExecutionId: "q-1",
    });
  });

  it("costs $5 per TB with Athena's 10 MB minimum", () => {
    expect(queryCost(1e12)).toBeCloseTo(5, 10);
    expect(queryCost(0)).toBeCloseTo((10 * 1024 * 1024 * 5) / 1e12, 15);
  });
});

describe("npm run backtest -- --print-sql", () => {
  it("prints the DDL and the query offline, exit 0, with or without the back-test deployed", () => {
    const result = runCommand("backtest", [
      ...NOVEMBER.map((arg) => (arg === WITH_BACKTEST ? FIXTURE_STACKS : arg)),
      "--print-sql",
    ]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^CREATE DATABASE IF NOT EXISTS aws_org_guardrails;\n\nCREATE EXTERNAL TABLE IF NOT EXISTS aws_org_guardrails\.cloudtrail/,
    );
    expect(result.stdout).toContain("count_if(");
  });
});
