import { AthenaClient } from "@aws-sdk/client-athena";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { BACKTEST } from "../config/names";
import { backtestQueries, BacktestTarget, cloudTrailTableDdl } from "../detection/athena";
import { QueryFailedError, QueryResult, queryCost, runAthenaQuery } from "../detection/athenaRun";
import { ROOT_DETECTIONS } from "../detection/patterns";
import { InputError } from "../lib/errors";
import { writeFileAtomic } from "../lib/files";
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
  readonly day: string;
  readonly detection: string;
  readonly events: number;
  /** "<eventTime> <eventID>" of the first match that day. */
  readonly first: string;
}

/** The query's wide rows (a count and a first match per detection) as one row per detection. */
export function backtestRows(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
): BacktestRow[] {
  const at = (name: string) => columns.indexOf(name);
  return rows.flatMap((row) =>
    ROOT_DETECTIONS.flatMap((detection) => {
      const events = Number(row[at(detection.name)] ?? "0");
      return events > 0
        ? [
            {
              account: row[at("account")],
              day: row[at("day")].replace(/\//g, "-"),
              detection: detection.name,
              events,
              first: row[at(`${detection.name}_first`)] ?? "",
            },
          ]
        : [];
    }),
  );
}

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
          "only these accounts (default: every account the organization source records, the management account included)",
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
    const { accounts, unknown } = backtestAccounts(organization, values.accounts);
    let queries: string[];
    try {
      queries = backtestQueries(target, { from: values.from, to: values.to, accounts });
    } catch (error) {
      throw new InputError(`--from/--to/--accounts: ${(error as Error).message}`);
    }
    const out = (text = "") => io.stdout(`${text}\n`);
    if (values["print-sql"]) {
      out(`${cloudTrailTableDdl(target)};`);
      for (const query of queries) {
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
    for (const id of unknown) {
      io.stderr(
        `note: ${id} is not in the organization source; its log files are read all the same\n`,
      );
    }
    const archived = new Date(Date.parse(`${values.from}T00:00:00Z`));
    const transitioned = Date.now() - config.logArchive.transitionDays * 86_400_000;
    if (
      SKIPPED_CLASSES.has(config.logArchive.transitionStorageClass) &&
      archived.getTime() < transitioned
    ) {
      io.stderr(
        `note: log files older than ${config.logArchive.transitionDays} days are in ${config.logArchive.transitionStorageClass} (logArchive.transitionStorageClass), which Athena skips unless they were restored: counts before ${new Date(transitioned).toISOString().slice(0, 10)} may be short\n`,
      );
    }

    const sts = new STSClient({
      region: config.homeRegion,
      retryMode: "adaptive",
      maxAttempts: 10,
    });
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: backtest.readerRoleArn,
        RoleSessionName: "aws-org-guardrails-backtest",
      }),
    );
    sts.destroy();
    if (Credentials?.AccessKeyId === undefined || Credentials.SecretAccessKey === undefined) {
      throw new Error(`AssumeRole ${backtest.readerRoleArn} returned no credentials`);
    }
    const athena = new AthenaClient({
      region: config.homeRegion,
      retryMode: "adaptive",
      maxAttempts: 10,
      credentials: {
        accessKeyId: Credentials.AccessKeyId,
        secretAccessKey: Credentials.SecretAccessKey,
        sessionToken: Credentials.SessionToken,
      },
    });
    // Ctrl-C stops the running query in Athena as well.
    const controller = new AbortController();
    const onInterrupt = () => controller.abort("interrupted");
    process.once("SIGINT", onInterrupt);
    try {
      const results: QueryResult[] = [];
      for (const [index, query] of queries.entries()) {
        if (queries.length > 1) {
          io.stderr(`query ${index + 1} of ${queries.length}\n`);
        }
        try {
          results.push(
            await runAthenaQuery(athena, query, {
              workgroup: backtest.workgroup,
              signal: controller.signal,
            }),
          );
        } catch (error) {
          if (error instanceof QueryFailedError && /bytes scanned limit/i.test(error.message)) {
            throw new QueryFailedError(
              `${error.message} (the workgroup's cutoff, aws-org-guardrails:backtest.bytesScannedCutoffPerQuery, is ${config.backtest.bytesScannedCutoffPerQuery} bytes: raise it, or back-test fewer days or accounts)`,
            );
          }
          throw error;
        }
      }
      const rows = results.flatMap((result) => backtestRows(result.columns, result.rows));
      const totals = Object.fromEntries(
        ROOT_DETECTIONS.map((detection) => [
          detection.name,
          rows
            .filter((row) => row.detection === detection.name)
            .reduce((sum, row) => sum + row.events, 0),
        ]),
      );
      const bytes = results.reduce((sum, result) => sum + result.bytesScanned, 0);
      const cost = results.reduce((sum, result) => sum + queryCost(result.bytesScanned), 0);
      const ids = results.map((result) => result.queryExecutionId);
      for (const [name, total] of Object.entries(totals)) {
        out(`${name.padEnd(26)} ${total}`);
      }
      out();
      for (const row of rows) {
        out(
          `${row.account}  ${row.day}  ${row.detection.padEnd(26)} ${String(row.events).padStart(6)}  first ${row.first}`,
        );
      }
      out();
      out(
        `${values.from} to ${values.to}, ${accounts.length} account(s): ${(bytes / 1e9).toFixed(3)} GB scanned, about $${cost.toFixed(4)} at Athena's $5 per TB (${ids.length === 1 ? "query" : "queries"} ${ids.join(", ")}).`,
      );
      if (values.json !== undefined) {
        writeFileAtomic(
          values.json,
          `${JSON.stringify(
            {
              organizationId: organization.organization.id,
              from: values.from,
              to: values.to,
              accounts: accounts.length,
              queryExecutionIds: ids,
              bytesScanned: bytes,
              costUsd: cost,
              detections: totals,
              rows,
            },
            null,
            2,
          )}\n`,
        );
      }
      return EXIT.ok;
    } finally {
      process.removeListener("SIGINT", onInterrupt);
      athena.destroy();
    }
  },
);

runWhenMain(module, backtestCommand);
