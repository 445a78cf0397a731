import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * What every bucket of the program has: the owner owns every object (ACLs disabled, so only
 * policies grant access) and no public access of any kind. Named `<prefix>-ownership` and
 * `<prefix>-public-access-block`. Both have the bucket's name as their id: pass options with
 * `deleteBeforeReplace` (offline/providerFacts.ts, the S3 entries).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 */
export function ownedAndPrivate(
  prefix: string,
  bucket: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): {
  ownership: aws.s3.BucketOwnershipControls;
  publicAccessBlock: aws.s3.BucketPublicAccessBlock;
} {
  const ownership = new aws.s3.BucketOwnershipControls(
    `${prefix}-ownership`,
    { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
    opts,
  );
  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
    `${prefix}-public-access-block`,
    {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  return { ownership, publicAccessBlock };
}
