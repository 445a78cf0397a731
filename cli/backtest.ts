import { AthenaClient } from "@aws-sdk/client-athena";
import { paginateListObjectsV2, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { BACKTEST } from "../config/names";
import { GLOBAL_EVENTS_REGION } from "../config/regions";
import {
  backtestQueries,
  BacktestTarget,
  cloudTrailTableDdl,
  detectionColumn,
} from "../detection/athena";
import { QueryFailedError, QueryResult, queryCost, runAthenaQuery } from "../detection/athenaRun";
import { ROOT_DETECTIONS } from "../detection/patterns";
import { InputError } from "../lib/errors";
import { writeFileAtomic } from "../lib/files";
import { RenewingCredentials } from "../lib/renewingCredentials";
import { loadStackInputs } from "../offline/stackInputs";
import { OrganizationModel } from "../org/model";
import {
  defineCommand,
  EXIT,
  JSON_OPTION,
  runWhenMain,
  STACK_OPTIONS,
  stackInputs,
} from "./command";

export interface BacktestRow {
  readonly account: string;
  /** The UTC day of the events (YYYY-MM-DD). */
  readonly day: string;
  readonly detection: string;
  readonly events: number;
  /** The first match that day: its eventTime and eventID. */
  readonly firstEventTime: string;
  readonly firstEventId: string;
}

/**
 * The query's wide rows (a count and a first match per detection) as one row per detection. Every
 * column the query names must be in the result: a missing one would read as "matched nothing",
 * the one answer a back-test must never give by mistake.
 */
export function backtestRows(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
): BacktestRow[] {
  const lower = columns.map((name) => name.toLowerCase());
  const at = (name: string): number => {
    const index = lower.indexOf(name);
    if (index < 0) {
      throw new Error(
        `Athena's result has no column ${name} (it has ${columns.join(", ") || "none"}): the query and the command disagree`,
      );
    }
    return index;
  };
  const account = at("account");
  const day = at("event_day");
  const detections = ROOT_DETECTIONS.map((detection) => ({
    name: detection.name,
    count: at(detectionColumn(detection.name)),
    first: at(`${detectionColumn(detection.name)}_first`),
  }));
  return rows.flatMap((row) =>
    detections.flatMap((detection) => {
      const events = Number(row[detection.count]);
      if (!Number.isInteger(events)) {
        throw new Error(
          `Athena's result has ${row[detection.count]} as a count of ${detection.name}`,
        );
      }
      const [firstEventTime = "", firstEventId = ""] = (row[detection.first] ?? "").split(" ");
      return events > 0
        ? [
            {
              account: row[account],
              day: row[day],
              detection: detection.name,
              events,
              firstEventTime,
              firstEventId,
            },
          ]
        : [];
    }),
  );
}

/**
 * The accounts with log files in the archive: the folders under `AWSLogs/<org id>/`, listed as
 * the reader (its policy allows exactly that prefix). An account that joined after the snapshot
 * was taken, or that has left since, is there.
 */
async function archivedAccounts(s3: S3Client, bucket: string, organizationId: string) {
  const prefix = `AWSLogs/${organizationId}/`;
  const accounts: string[] = [];
  for await (const page of paginateListObjectsV2(
    { client: s3 },
    { Bucket: bucket, Prefix: prefix, Delimiter: "/" },
  )) {
    for (const common of page.CommonPrefixes ?? []) {
      const id = (common.Prefix ?? "").slice(prefix.length).replace(/\/$/, "");
      if (/^\d{12}$/.test(id)) {
        accounts.push(id);
      }
    }
  }
  return accounts;
}

/**
 * The session time a query starts with at least: Athena's DML query timeout is 30 minutes unless
 * raised (https://docs.aws.amazon.com/athena/latest/ug/service-limits.html), and a role session
 * lasts an hour.
 */
const QUERY_MARGIN_MS = 40 * 60_000;

/** Storage classes whose objects Athena skips unless they were restored. */
const SKIPPED_CLASSES = new Set(["GLACIER", "DEEP_ARCHIVE"]);

/**
 * The accounts a back-test reads: the injected projection needs them named. By default every
 * account the organization source records, the management account (its own root use, and the
 * AssumeRoot calls, are recorded there) and suspended ones (their past is in the archive) included.
 * Named accounts may also be ones that have left: their log files stay in the archive.
 */
function backtestAccounts(
  organization: OrganizationModel,
  listed: string | undefined,
): { accounts: string[]; unknown: string[] } {
  if (listed === undefined) {
    return { accounts: organization.accounts.map((account) => account.id), unknown: [] };
  }
  const ids = [...new Set(listed.split(",").map((id) => id.trim()))].filter((id) => id !== "");
  const malformed = ids.filter((id) => !/^\d{12}$/.test(id));
  if (ids.length === 0 || malformed.length > 0) {
    throw new InputError(
      ids.length === 0
        ? "--accounts: name at least one account id, e.g. --accounts 111122223333"
        : `--accounts: ${malformed.join(", ")} ${malformed.length === 1 ? "is not a 12-digit account id" : "are not 12-digit account ids"}`,
    );
  }
  return { accounts: ids, unknown: ids.filter((id) => organization.account(id) === undefined) };
}

export const backtestCommand = defineCommand(
  {
    name: "backtest",
    summary:
      "count what every deployed detection matches in the organization trail's archive, with Athena, per account and day",
    inputs: stackInputs,
    options: {
      ...STACK_OPTIONS,
      from: {
        type: "string",
        value: "<YYYY-MM-DD>",
        required: true,
        description: "first day (UTC)",
      },
      to: {
        type: "string",
        value: "<YYYY-MM-DD>",
        required: true,
        description: "last day (UTC), included",
      },
      accounts: {
        type: "string",
        value: "<id,...>",
        description:
          "only these accounts (default: every account with log files in the archive and every account the organization source records, the management account included)",
      },
      regions: {
        type: "string",
        value: "<region,...>",
        description:
          "only these regions, the global-events region always added (default: every region of the partition); fewer regions, fewer S3 requests",
      },
      "print-sql": {
        type: "boolean",
        description:
          "print the table's DDL and the queries, and run nothing (no credentials, no deployed back-test needed)",
      },
      ...JSON_OPTION,
    },
    details: [
      `Needs aws-org-guardrails:backtest.enabled (the table, the workgroup ${BACKTEST.workgroup} and the role ${BACKTEST.readerRole} in the log-archive account, deployed by pulumi up). Assumes that role with the default credential chain (the management account's, or a named reader's).`,
    ],
  },
  async ({ values }, io) => {
    const inputs = loadStackInputs({
      stack: values.stack,
      orgSnapshot: values.org,
      stacksDir: values.stacks,
    });
    const { organization, config, names } = inputs;
    const backtest = names.backtest;
    const target: BacktestTarget = {
      database: backtest.database,
      table: backtest.table,
      bucketName: names.bucketName,
      organizationId: organization.organization.id,
      partition: organization.partition,
    };
    const listed = backtestAccounts(organization, values.accounts);
    const named = values.regions
      ?.split(",")
      .map((region) => region.trim())
      .filter((region) => region !== "");
    // IAM, sign-in and global STS events are recorded in the partition's global-events region
    // only (us-east-1 in aws): a root password change or console sign-in is there, whatever
    // regions are named.
    const globalRegion = GLOBAL_EVENTS_REGION[organization.partition];
    const regions =
      named === undefined || globalRegion === undefined || named.includes(globalRegion)
        ? named
        : [globalRegion, ...named];
    const noteRegions = () => {
      if (named !== undefined && regions !== named) {
        io.stderr(
          `note: ${globalRegion} added to --regions: IAM, sign-in and global STS events are recorded there only\n`,
        );
      }
    };
    const range = {
      from: values.from,
      to: values.to,
      ...(regions === undefined ? {} : { regions: [...new Set(regions)] }),
    };
    const queriesFor = (accounts: readonly string[]): string[] => {
      try {
        return backtestQueries(target, { ...range, accounts });
      } catch (error) {
        if (error instanceof RangeError) {
          // "regions: ...", "from: ..." name their option; "from X is after to Y" names both.
          throw new InputError(
            /^(from|to|accounts|regions): /.test(error.message)
              ? `--${error.message}`
              : `--from/--to: ${error.message}`,
          );
        }
        throw error;
      }
    };
    const out = (text = "") => io.stdout(`${text}\n`);
    // Validated (a bad date, account or region is refused before anything else is said).
    const printed = queriesFor(listed.accounts);
    noteRegions();
    if (values["print-sql"]) {
      // The table as the program creates it (backtest.enabled), for reading or for a hand-made one.
      out(`CREATE DATABASE IF NOT EXISTS ${target.database};`);
      out();
      out(`${cloudTrailTableDdl(target)};`);
      for (const query of printed) {
        out();
        out(`${query};`);
      }
      return EXIT.ok;
    }
    if (!config.backtest.enabled) {
      throw new InputError(
        `aws-org-guardrails:backtest.enabled is false in stack ${values.stack} (${inputs.stackFile}): set it to true and run pulumi up, which creates the table, the workgroup and the reader role in the log-archive account (README, "Back-test a month of the organization"); --print-sql prints the SQL without them`,
      );
    }
    for (const id of listed.unknown) {
      io.stderr(
        `note: ${id} is not in the organization source; its log files are read all the same\n`,
      );
    }
    const day = (date: string) => Date.parse(`${date}T00:00:00Z`);
    const ago = (days: number) => Date.now() - days * 86_400_000;
    const { transitionDays, transitionStorageClass, expirationDays } = config.logArchive;
    if (day(values.from) < ago(expirationDays)) {
      io.stderr(
        `note: log files expire after ${expirationDays} days (logArchive.expirationDays): days before ${new Date(ago(expirationDays)).toISOString().slice(0, 10)} have none left to count\n`,
      );
    }
    if (SKIPPED_CLASSES.has(transitionStorageClass) && day(values.from) < ago(transitionDays)) {
      io.stderr(
        `note: log files older than ${transitionDays} days are in ${transitionStorageClass} (logArchive.transitionStorageClass), which Athena skips unless they were restored: counts before ${new Date(ago(transitionDays)).toISOString().slice(0, 10)} may be short\n`,
      );
    }

    // The reader role's credentials: assumed once up front (a caller who may not assume it hears
    // so before anything runs), then again whenever they near their end, and before a query
    // starts with less than QUERY_MARGIN_MS left, so a back-test of many queries outlives one
    // session and a query never starts on a session about to end.
    const sts = new STSClient({
      region: config.homeRegion,
      retryMode: "adaptive",
      maxAttempts: 10,
    });
    const assume = async () => {
      const { Credentials } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: backtest.readerRoleArn,
          RoleSessionName: "aws-org-guardrails-backtest",
        }),
      );
      if (Credentials?.AccessKeyId === undefined || Credentials.SecretAccessKey === undefined) {
        throw new Error(`AssumeRole ${backtest.readerRoleArn} returned no credentials`);
      }
      return {
        accessKeyId: Credentials.AccessKeyId,
        secretAccessKey: Credentials.SecretAccessKey,
        sessionToken: Credentials.SessionToken,
        expiration: Credentials.Expiration,
      };
    };
    const reader = new RenewingCredentials(assume);
    await reader.atLeast(0);
    const clientSettings = {
      region: config.homeRegion,
      retryMode: "adaptive",
      maxAttempts: 10,
      credentials: reader.provider,
    } as const;
    const s3 = new S3Client(clientSettings);
    // Ctrl-C stops the running query in Athena as well.
    const controller = new AbortController();
    const onInterrupt = () => controller.abort("interrupted");
    process.once("SIGINT", onInterrupt);
    try {
      // By default, every account with log files in the archive as well as every account the
      // organization source records: the injected projection reads only the accounts it is given.
      let accounts = listed.accounts;
      if (values.accounts === undefined) {
        const archived = await archivedAccounts(s3, names.bucketName, organization.organization.id);
        const recorded = new Set(accounts);
        const extra = archived.filter((id) => !recorded.has(id));
        if (extra.length > 0) {
          io.stderr(
            `note: ${extra.length} account(s) with log files in the archive are not in the organization source (joined since it was taken, or left): read as well\n`,
          );
        }
        accounts = [...accounts, ...extra];
      }
      const queries = queriesFor(accounts);
      const cutoff = config.backtest.bytesScannedCutoffPerQuery;
      if (queries.length > 1) {
        io.stderr(
          `${accounts.length} accounts in ${queries.length} queries (at most a million projected partitions each); the workgroup's cutoff applies to each: at most ${((queries.length * cutoff) / 1e12).toFixed(2)} TB, about $${queryCost(queries.length * cutoff).toFixed(2)}\n`,
        );
      }
      const results: QueryResult[] = [];
      const summarize = (done: readonly QueryResult[]) => {
        const rows = done.flatMap((result) => backtestRows(result.columns, result.rows));
        return {
          queryExecutionIds: done.map((result) => result.queryExecutionId),
          bytesScanned: done.reduce((sum, result) => sum + result.bytesScanned, 0),
          costUsd: done.reduce((sum, result) => sum + queryCost(result.bytesScanned), 0),
          detections: Object.fromEntries(
            ROOT_DETECTIONS.map((detection) => [
              detection.name,
              rows
                .filter((row) => row.detection === detection.name)
                .reduce((sum, row) => sum + row.events, 0),
            ]),
          ),
          rows,
        };
      };
      // With --json, the report is rewritten after every query of a split back-test, marked
      // incomplete until the last: a run that fails later keeps what it counted.
      const writeReport = (complete: boolean) => {
        if (values.json === undefined) {
          return;
        }
        writeFileAtomic(
          values.json,
          `${JSON.stringify(
            {
              organizationId: organization.organization.id,
              from: values.from,
              to: values.to,
              accounts: accounts.length,
              complete,
              queries: queries.length,
              ...summarize(results),
            },
            null,
            2,
          )}\n`,
        );
      };
      for (const [index, query] of queries.entries()) {
        if (controller.signal.aborted) {
          throw new QueryFailedError(`stopped before query ${index + 1}: interrupted`);
        }
        if (queries.length > 1) {
          io.stderr(`query ${index + 1} of ${queries.length}\n`);
        }
        // A client per query, so the query starts on a session with QUERY_MARGIN_MS left.
        await reader.atLeast(QUERY_MARGIN_MS);
        const athena = new AthenaClient(clientSettings);
        try {
          results.push(
            await runAthenaQuery(athena, query, {
              workgroup: backtest.workgroup,
              database: backtest.database,
              signal: controller.signal,
            }),
          );
        } catch (error) {
          const which = queries.length > 1 ? ` (query ${index + 1} of ${queries.length})` : "";
          const done =
            results.length === 0
              ? ""
              : ` (queries that finished before it: ${results.map((r) => r.queryExecutionId).join(", ")}${values.json === undefined ? "" : `, their counts in ${values.json}, marked incomplete`})`;
          if (error instanceof QueryFailedError && /bytes scanned limit/i.test(error.message)) {
            throw new QueryFailedError(
              `${error.message}${which} (the workgroup's cutoff, aws-org-guardrails:backtest.bytesScannedCutoffPerQuery, is ${cutoff} bytes: raise it, or back-test fewer days, accounts or regions)${done}`,
            );
          }
          if (error instanceof QueryFailedError && (which !== "" || done !== "")) {
            throw new QueryFailedError(`${error.message}${which}${done}`);
          }
          throw error;
        } finally {
          athena.destroy();
        }
        if (index < queries.length - 1) {
          writeReport(false);
        }
      }
      const summary = summarize(results);
      for (const [name, total] of Object.entries(summary.detections)) {
        out(`${name.padEnd(26)} ${total}`);
      }
      out();
      for (const row of summary.rows) {
        out(
          `${row.account}  ${row.day}  ${row.detection.padEnd(26)} ${String(row.events).padStart(6)}  first ${row.firstEventTime} ${row.firstEventId}`,
        );
      }
      out();
      out(
        `${values.from} to ${values.to}, ${accounts.length} account(s): ${(summary.bytesScanned / 1e9).toFixed(3)} GB scanned, about $${summary.costUsd.toFixed(4)} at Athena's $5 per TB, S3 requests not included (${summary.queryExecutionIds.length === 1 ? "query" : "queries"} ${summary.queryExecutionIds.join(", ")}).`,
      );
      writeReport(true);
      return EXIT.ok;
    } finally {
      process.removeListener("SIGINT", onInterrupt);
      s3.destroy();
      sts.destroy();
    }
  },
);

runWhenMain(module, backtestCommand);
