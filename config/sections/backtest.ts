import { z } from "zod";
import { withFieldDefaults } from "../rules";
import { bucketNameSchema, principalArnSchema } from "./logArchive";

/**
 * `backtest`: the optional Athena infrastructure beside the archive (issue 18), through which
 * `npm run backtest` counts what every deployed detection matches in a month of the organization.
 */

/**
 * The smallest per-query cutoff: Athena's API takes 10,000,000 bytes ("Minimum value of
 * 10000000", API_WorkGroupConfiguration), the provider 10,485,760 (`validation.IntAtLeast(10485760)`
 * on bytes_scanned_cutoff_per_query in internal/service/athena/workgroup.go): the stricter holds.
 * https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfiguration.html
 */
export const MIN_BYTES_SCANNED_CUTOFF = 10_485_760;

export const backtestFields = z.strictObject({
  enabled: z
    .boolean()
    .default(false)
    .describe(
      "Deploy, in the log-archive account, the Glue table over the archive, the Athena workgroup, its results bucket and the reader role that `npm run backtest` runs through. Costs nothing until a query runs (Athena bills per TB scanned).",
    ),
  readers: z
    .array(principalArnSchema)
    .default([])
    .describe(
      "IAM role or user ARNs that may assume the back-test reader role (and so read the whole archive through Athena). Empty: principals of the management account whose own policies allow sts:AssumeRole on it. Each must exist when the role is created (IAM checks the principals of a trust policy) and sit in an account of the organization.",
    ),
  bytesScannedCutoffPerQuery: z
    .number()
    .int()
    .min(MIN_BYTES_SCANNED_CUTOFF, {
      error: `must be at least ${MIN_BYTES_SCANNED_CUTOFF} (10 MiB, the provider's minimum)`,
    })
    .default(1_000_000_000_000)
    .describe(
      "The workgroup cancels a query that scans more than this many bytes: the most one query can cost (a back-test of more than a million partitions is several queries, each up to this). Default 1 TB (about $5 at Athena's $5 per TB); a month of a 5,000-account organization is about 0.25 TB (docs/benchmarks.md).",
    ),
  resultsExpirationDays: z
    .number()
    .int()
    .min(1)
    .default(7)
    .describe(
      "Days Athena's result files are kept in the results bucket (they are derived from the archive: a back-test can be run again).",
    ),
  resultsBucketName: bucketNameSchema
    .optional()
    .describe(
      "The results bucket's name. Default: aws-org-guardrails-backtest-<log-archive account>-<home region>.",
    ),
});

export const backtestSchema = withFieldDefaults(backtestFields).describe(
  "Optional: back-test the deployed detections over the archive with Amazon Athena, where the archive lives (`npm run backtest`).",
);
