import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GuardrailNames } from "../config/names";
import { GuardrailConfig } from "../config/schema";
import { buildArchiveBucketPolicy, buildArchiveKeyPolicy } from "../policies/auditLogPolicies";
import { compactJson } from "../policies/document";
import { ownedAndPrivate } from "./buckets";
import { ARCHIVE_KEY_ALIAS } from "../policies/protectionScp";

export interface LogArchiveArgs {
  readonly names: GuardrailNames;
  readonly settings: GuardrailConfig["logArchive"];
  /** `protect` and `retainOnDelete` on the bucket and key, so audit data survives a bad destroy. */
  readonly protectAuditData: boolean;
}

/**
 * The central archive of the organization trail, in the log-archive account (pass its provider):
 * a KMS-encrypted, versioned, non-public S3 bucket whose policy lets only this trail write, only
 * under the organization's prefixes, only over TLS.
 */
export class LogArchive extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly bucket: aws.s3.Bucket;
  readonly bucketPolicy: aws.s3.BucketPolicy;
  readonly bucketName: string;

  constructor(name: string, args: LogArchiveArgs, opts: pulumi.ComponentResourceOptions) {
    super("aws-org-guardrails:logs:LogArchive", name, {}, opts);
    const { names, settings } = args;
    const keep = { protect: args.protectAuditData, retainOnDelete: args.protectAuditData };
    const child = { parent: this };
    // Every bucket sub-resource below has the bucket's name as its id: replaced the default way
    // (create, then delete), the old one's delete would remove the new setting from the same
    // bucket. Replaced delete-first instead (offline/providerFacts.ts, the S3 entries).
    const onBucket = { parent: this, deleteBeforeReplace: true };

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the organization trail ${names.trailName} in ${names.bucketName}. Managed by aws-org-guardrails.`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: compactJson(buildArchiveKeyPolicy(names, settings.readers)),
      },
      { ...child, ...keep },
    );
    new aws.kms.Alias(
      `${name}-key-alias`,
      { name: ARCHIVE_KEY_ALIAS, targetKeyId: this.key.keyId },
      child,
    );

    this.bucketName = names.bucketName;
    this.bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      {
        bucket: names.bucketName,
        // Object Lock can only be switched on when the bucket is created.
        objectLockEnabled: settings.objectLock.enabled,
        forceDestroy: false,
      },
      { ...child, ...keep },
    );
    const bucket = this.bucket.id;
    const { ownership, publicAccessBlock } = ownedAndPrivate(name, bucket, onBucket);
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket, versioningConfiguration: { status: "Enabled" } },
      onBucket,
    );
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: this.key.arn,
            },
            // A bucket key cuts the KMS requests (and their cost) of a busy trail by orders of magnitude.
            bucketKeyEnabled: true,
          },
        ],
      },
      onBucket,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket,
        rules: [
          {
            id: "archive-then-expire-trail-logs",
            status: "Enabled",
            filter: {},
            transitions: [
              { days: settings.transitionDays, storageClass: settings.transitionStorageClass },
            ],
            expiration: { days: settings.expirationDays },
            noncurrentVersionExpiration: {
              noncurrentDays: settings.noncurrentVersionExpirationDays,
            },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      { ...onBucket, dependsOn: [versioning] },
    );
    if (settings.objectLock.enabled) {
      new aws.s3.BucketObjectLockConfiguration(
        `${name}-object-lock`,
        {
          bucket,
          rule: {
            defaultRetention: {
              mode: settings.objectLock.mode as string,
              days: settings.objectLock.days as number,
            },
          },
        },
        { ...onBucket, dependsOn: [versioning] },
      );
    }
    this.bucketPolicy = new aws.s3.BucketPolicy(
      `${name}-bucket-policy`,
      { bucket, policy: compactJson(buildArchiveBucketPolicy(names, settings.readers)) },
      // S3 rejects a policy while the public-access block is being changed, and ownership
      // controls must be in place before CloudTrail writes.
      { ...onBucket, dependsOn: [publicAccessBlock, ownership, encryption] },
    );
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucket.arn,
      keyArn: this.key.arn,
    });
  }
}
