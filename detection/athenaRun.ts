import {
  AthenaClient,
  GetQueryExecutionCommand,
  paginateGetQueryResults,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";

/**
 * One Athena query, start to rows: StartQueryExecution in the workgroup (whose settings, results
 * location and bytes-scanned cutoff included, the workgroup enforces), GetQueryExecution polled
 * with backoff until it ends, GetQueryResults through the SDK's paginator. An abort (Ctrl-C) stops
 * the query in Athena too, so nothing goes on scanning after the command has gone.
 * https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html
 */

export interface QueryResult {
  readonly queryExecutionId: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly bytesScanned: number;
}

/** Waits between polls: short first (small queries end in seconds), then every 5 s. */
export const POLL_DELAYS_MS: readonly number[] = [500, 1_000, 2_000, 4_000, 5_000];

export interface RunOptions {
  readonly workgroup: string;
  /** The query's database in the AWS Glue Data Catalog (AwsDataCatalog). */
  readonly database?: string;
  readonly signal?: AbortSignal;
  readonly delaysMs?: readonly number[];
  readonly sleep?: (ms: number) => Promise<void>;
}

export class QueryFailedError extends Error {}

/**
 * Athena's price for SQL queries: $5 per TB scanned, at least 10 MB per query
 * (https://aws.amazon.com/athena/pricing/).
 */
export function queryCost(bytesScanned: number): number {
  return (Math.max(bytesScanned, 10 * 1024 * 1024) / 1e12) * 5;
}

export async function runAthenaQuery(
  athena: AthenaClient,
  sql: string,
  options: RunOptions,
): Promise<QueryResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const delays = options.delaysMs ?? POLL_DELAYS_MS;
  const { QueryExecutionId: id } = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: options.workgroup,
      ...(options.database === undefined
        ? {}
        : { QueryExecutionContext: { Catalog: "AwsDataCatalog", Database: options.database } }),
    }),
  );
  if (id === undefined) {
    throw new QueryFailedError("Athena started no query (no QueryExecutionId)");
  }
  let bytesScanned = 0;
  let ended = false;
  try {
    for (let attempt = 0; ; attempt++) {
      if (options.signal?.aborted) {
        throw new QueryFailedError(
          `stopped query ${id}: ${String(options.signal.reason ?? "aborted")}`,
        );
      }
      const { QueryExecution } = await athena.send(
        new GetQueryExecutionCommand({ QueryExecutionId: id }),
      );
      const state = QueryExecution?.Status?.State;
      bytesScanned = QueryExecution?.Statistics?.DataScannedInBytes ?? bytesScanned;
      if (state === "SUCCEEDED") {
        ended = true;
        break;
      }
      if (state === "FAILED" || state === "CANCELLED") {
        ended = true;
        throw new QueryFailedError(
          `query ${id} ${state.toLowerCase()}: ${QueryExecution?.Status?.StateChangeReason ?? "Athena gave no reason"}`,
        );
      }
      await sleep(delays[Math.min(attempt, delays.length - 1)]);
    }
  } finally {
    // Whatever ends the wait (Ctrl-C, expired credentials, the network), a query that is still
    // running is stopped, so nothing goes on scanning and billing after the command has gone.
    if (!ended) {
      try {
        await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
      } catch {
        // Best effort: the error that ended the wait is the one to report.
      }
    }
  }
  const rows: string[][] = [];
  let named: string[] | undefined;
  for await (const page of paginateGetQueryResults({ client: athena }, { QueryExecutionId: id })) {
    named ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo?.map((info) => info.Name ?? "");
    for (const row of page.ResultSet?.Rows ?? []) {
      rows.push((row.Data ?? []).map((datum) => datum.VarCharValue ?? ""));
    }
  }
  // The first row of a SELECT's results is its header; the column names are the metadata's.
  const [header = [], ...data] = rows;
  return { queryExecutionId: id, columns: named ?? header, rows: data, bytesScanned };
}
