import { AthenaClient } from "@aws-sdk/client-athena";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { backtestQuery, BacktestTarget, cloudTrailTableDdl } from "../detection/athena";
import { queryCost, runAthenaQuery } from "../detection/athenaRun";
import { ROOT_DETECTIONS } from "../detection/patterns";
import { InputError } from "../lib/errors";
import { writeFileAtomic } from "../lib/files";
import { loadStackInputs } from "../offline/stackInputs";
import { selectAccounts } from "./root-credentials";
import {
  defineCommand,
  EXIT,
  JSON_OPTION,
  runWhenMain,
  STACK_OPTIONS,
  stackInputs,
} from "./command";

/** Where back-tests run, in the log-archive account beside the archive. */
export const BACKTEST = {
  database: "aws_org_guardrails",
  table: "cloudtrail",
  workgroup: "aws-org-guardrails-backtest",
  /** Workgroups have no resource policy: the management account (or named readers) assume this. */
  readerRole: "aws-org-guardrails-backtest-reader",
} as const;

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
        description: "only these member accounts (default: every active member account)",
      },
      "print-sql": {
        type: "boolean",
        description: "print the table's DDL and the query, and run nothing (no credentials needed)",
      },
      ...JSON_OPTION,
    },
    details: [
      `Runs in the log-archive account through the role ${BACKTEST.readerRole} and the workgroup ${BACKTEST.workgroup}, with the default credential chain (the management account's).`,
    ],
  },
  async ({ values }, io) => {
    const inputs = loadStackInputs({
      stack: values.stack,
      orgSnapshot: values.org,
      stacksDir: values.stacks,
    });
    const { organization, config, names } = inputs;
    const target: BacktestTarget = {
      database: BACKTEST.database,
      table: BACKTEST.table,
      bucketName: names.bucketName,
      organizationId: organization.organization.id,
      partition: organization.partition,
    };
    // The management account too: its own root use, and the AssumeRoot calls, are recorded there.
    const management = organization.managementAccountId;
    const listed = values.accounts?.split(",").map((id) => id.trim());
    const members = listed?.filter((id) => id !== management).join(",");
    const accounts = [
      ...(listed === undefined || listed.includes(management) ? [management] : []),
      ...(listed !== undefined && members === ""
        ? []
        : selectAccounts(organization, members).map((account) => account.id)),
    ];
    let query: string;
    try {
      query = backtestQuery(target, { from: values.from, to: values.to, accounts });
    } catch (error) {
      throw new InputError(`--from/--to/--accounts: ${(error as Error).message}`);
    }
    const ddl = cloudTrailTableDdl(target);
    const out = (text = "") => io.stdout(`${text}\n`);
    if (values["print-sql"]) {
      out(`${ddl};`);
      out();
      out(`${query};`);
      return EXIT.ok;
    }

    const roleArn = `arn:${organization.partition}:iam::${config.logArchive.accountId}:role/${BACKTEST.readerRole}`;
    const sts = new STSClient({
      region: config.homeRegion,
      retryMode: "adaptive",
      maxAttempts: 10,
    });
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "aws-org-guardrails-backtest" }),
    );
    sts.destroy();
    if (Credentials?.AccessKeyId === undefined || Credentials.SecretAccessKey === undefined) {
      throw new Error(`AssumeRole ${roleArn} returned no credentials`);
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
    // Ctrl-C stops the query in Athena as well.
    const controller = new AbortController();
    const onInterrupt = () => controller.abort("interrupted");
    process.once("SIGINT", onInterrupt);
    try {
      const table = await runAthenaQuery(athena, ddl, {
        workgroup: BACKTEST.workgroup,
        signal: controller.signal,
        readResults: false,
      });
      const result = await runAthenaQuery(athena, query, {
        workgroup: BACKTEST.workgroup,
        signal: controller.signal,
      });
      const rows = backtestRows(result.columns, result.rows);
      const totals = Object.fromEntries(
        ROOT_DETECTIONS.map((detection) => [
          detection.name,
          rows
            .filter((row) => row.detection === detection.name)
            .reduce((sum, row) => sum + row.events, 0),
        ]),
      );
      const bytes = table.bytesScanned + result.bytesScanned;
      const cost = queryCost(table.bytesScanned) + queryCost(result.bytesScanned);
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
        `${values.from} to ${values.to}, ${accounts.length} account(s): ${(bytes / 1e9).toFixed(3)} GB scanned, about $${cost.toFixed(4)} at Athena's $5 per TB (query ${result.queryExecutionId}).`,
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
              queryExecutionId: result.queryExecutionId,
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
