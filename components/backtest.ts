import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GuardrailNames } from "../config/names";
import { GuardrailConfig } from "../config/schema";
import { cloudTrailTable } from "../detection/athena";
import {
  buildBacktestReaderPolicy,
  buildBacktestReaderTrustPolicy,
  buildBacktestResultsBucketPolicy,
} from "../policies/backtestPolicies";
import { compactJson } from "../policies/document";
import { ownedAndPrivate } from "./buckets";

export interface BacktestArgs {
  readonly names: GuardrailNames;
  readonly settings: GuardrailConfig["backtest"];
  /** The archive key: Athena's results are encrypted with it, under the results bucket's context. */
  readonly archiveKeyArn: pulumi.Input<string>;
}

/**
 * Back-testing where the archive lives (issue 18), in the log-archive account (pass its provider):
 * the Glue database and the CloudTrail table over the organization's log files (the same
 * definition `npm run backtest -- --print-sql` prints as DDL), an Athena workgroup whose settings
 * every query must use (results location, encryption, the bytes-scanned cutoff), its results
 * bucket, and the role back-tests run as. Nothing here costs money until a query runs.
 * https://docs.aws.amazon.com/athena/latest/ug/cloudtrail-logs.html
 * https://docs.aws.amazon.com/athena/latest/ug/workgroups-settings-override.html
 */
export class Backtest extends pulumi.ComponentResource {
  readonly workgroup: aws.athena.Workgroup;
  readonly readerRole: aws.iam.Role;
  readonly table: aws.glue.CatalogTable;

  constructor(name: string, args: BacktestArgs, opts: pulumi.ComponentResourceOptions) {
    super("aws-org-guardrails:backtest:Backtest", name, {}, opts);
    const { names, settings } = args;
    const backtest = names.backtest;
    const child = { parent: this };
    // As for the archive: the bucket's sub-resources have its name as their id (replaced delete-first).
    const onBucket = { parent: this, deleteBeforeReplace: true };

    const database = new aws.glue.CatalogDatabase(
      `${name}-database`,
      {
        name: backtest.database,
        catalogId: names.logArchiveAccountId,
        description:
          "The organization trail's archive, for back-testing the root detections. Managed by aws-org-guardrails.",
      },
      child,
    );
    const definition = cloudTrailTable({
      database: backtest.database,
      table: backtest.table,
      bucketName: names.bucketName,
      organizationId: names.organizationId,
      partition: names.partition,
    });
    this.table = new aws.glue.CatalogTable(
      `${name}-table`,
      {
        name: definition.name,
        databaseName: database.name,
        catalogId: names.logArchiveAccountId,
        description:
          "CloudTrail log files of every account of the organization, projected by account, region and day.",
        tableType: "EXTERNAL_TABLE",
        // What Athena's CREATE EXTERNAL TABLE stores, and the projection as TBLPROPERTIES.
        parameters: { EXTERNAL: "TRUE", ...definition.properties },
        partitionKeys: definition.partitionKeys.map((key) => ({ ...key })),
        storageDescriptor: {
          location: definition.location,
          inputFormat: definition.inputFormat,
          outputFormat: definition.outputFormat,
          serDeInfo: { serializationLibrary: definition.serializationLibrary },
          columns: definition.columns.map((column) => ({ ...column })),
        },
      },
      child,
    );

    const results = new aws.s3.Bucket(
      `${name}-results`,
      {
        bucket: backtest.resultsBucketName,
        // Query results are derived from the archive and can be computed again: turning the
        // back-test off removes them with the bucket.
        forceDestroy: true,
      },
      child,
    );
    const bucket = results.id;
    const { ownership, publicAccessBlock } = ownedAndPrivate(`${name}-results`, bucket, onBucket);
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-results-encryption`,
      {
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: args.archiveKeyArn,
            },
            bucketKeyEnabled: true,
          },
        ],
      },
      onBucket,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-results-lifecycle`,
      {
        bucket,
        rules: [
          {
            id: "expire-query-results",
            status: "Enabled",
            filter: {},
            expiration: { days: settings.resultsExpirationDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      onBucket,
    );
    new aws.s3.BucketPolicy(
      `${name}-results-policy`,
      { bucket, policy: compactJson(buildBacktestResultsBucketPolicy(names)) },
      { ...onBucket, dependsOn: [publicAccessBlock, ownership] },
    );

    this.workgroup = new aws.athena.Workgroup(
      `${name}-workgroup`,
      {
        name: backtest.workgroup,
        description:
          "Back-tests of the root detections over the organization trail's archive. Managed by aws-org-guardrails.",
        state: "ENABLED",
        // Saved queries and query history go with it when the back-test is turned off.
        forceDestroy: true,
        configuration: {
          // Every query runs with these settings, whatever the client asks for.
          enforceWorkgroupConfiguration: true,
          publishCloudwatchMetricsEnabled: true,
          bytesScannedCutoffPerQuery: settings.bytesScannedCutoffPerQuery,
          requesterPaysEnabled: false,
          engineVersion: { selectedEngineVersion: "Athena engine version 3" },
          resultConfiguration: {
            outputLocation: `s3://${backtest.resultsBucketName}/athena/`,
            expectedBucketOwner: names.logArchiveAccountId,
            encryptionConfiguration: {
              encryptionOption: "SSE_KMS",
              kmsKeyArn: args.archiveKeyArn,
            },
          },
        },
      },
      { ...child, dependsOn: [encryption] },
    );

    this.readerRole = new aws.iam.Role(
      `${name}-reader`,
      {
        name: backtest.readerRoleName,
        description:
          "Runs back-tests of the root detections in Athena over the archive. Managed by aws-org-guardrails.",
        assumeRolePolicy: compactJson(buildBacktestReaderTrustPolicy(names, settings.readers)),
        maxSessionDuration: 3600,
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-reader-policy`,
      {
        role: this.readerRole.name,
        name: "run-backtests",
        policy: compactJson(buildBacktestReaderPolicy(names)),
      },
      child,
    );
    this.registerOutputs({
      workgroup: this.workgroup.name,
      readerRoleArn: this.readerRole.arn,
      table: pulumi.interpolate`${database.name}.${this.table.name}`,
    });
  }
}
