import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GuardrailNames } from "../config/names";
import {
  buildLogGroupKeyPolicy,
  buildTrailDeliveryRolePolicy,
  buildTrailDeliveryTrustPolicy,
} from "../policies/auditLogPolicies";
import { compactJson } from "../policies/document";
import { KEY_ALIAS_PREFIX } from "../policies/protectionScp";
import { ORGANIZATION_WIDE, trustedAccess as enableTrustedAccess } from "./organizationSettings";

export interface OrganizationTrailArgs {
  readonly names: GuardrailNames;
  readonly retentionInDays: number;
  /** Where the trail, its log group and delivery role are created. */
  readonly location: "management" | "delegatedAdministrator";
  /** The archive bucket and key (from LogArchive); the trail waits for the bucket policy. */
  readonly archive: {
    readonly bucketName: string;
    readonly keyArn: pulumi.Input<string>;
    readonly bucketPolicy: pulumi.Resource;
  };
  /** Provider of the management account: trusted access and delegated-admin registration. */
  readonly managementProvider: aws.Provider;
  /** Provider of the account that creates the trail: management, or the delegated administrator. */
  readonly trailProvider: aws.Provider;
  readonly protectAuditData: boolean;
}

/**
 * The organization trail (all regions, global service events, log file validation, KMS) and the
 * central CloudWatch Logs group it streams into. CloudTrail requires the log group and its role
 * to be in the account that creates the trail: the management account, or the CloudTrail
 * delegated administrator in that mode.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html
 */
export class OrganizationTrail extends pulumi.ComponentResource {
  readonly trail: aws.cloudtrail.Trail;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly logGroupName: string;
  readonly logGroupArn: string;
  /** The provider of the account holding the trail and the log group, for resources beside it. */
  readonly trailProvider: aws.Provider;

  constructor(
    name: string,
    args: OrganizationTrailArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("aws-org-guardrails:logs:OrganizationTrail", name, {}, opts);
    const { names } = args;
    const keep = { protect: args.protectAuditData, retainOnDelete: args.protectAuditData };
    const inManagement = { parent: this, provider: args.managementProvider };
    this.trailProvider = args.trailProvider;
    const inTrailAccount = { parent: this, provider: args.trailProvider };

    // Trusted access through its own resource: taking over aws.organizations.Organization would
    // put the whole organization's settings under this stack.
    const trustedAccess = enableTrustedAccess(
      `${name}-trusted-access`,
      "cloudtrail.amazonaws.com",
      this,
      { provider: args.managementProvider },
    );
    const prerequisites: pulumi.Resource[] = [trustedAccess, args.archive.bucketPolicy];
    if (args.location === "delegatedAdministrator") {
      prerequisites.push(
        new aws.cloudtrail.OrganizationDelegatedAdminAccount(
          `${name}-delegated-admin`,
          { accountId: names.trailAccountId },
          // Organization-wide like trusted access: other tools may use the registration, and a
          // destroy must not take it from them (components/organizationSettings.ts).
          { ...inManagement, dependsOn: [trustedAccess], ...ORGANIZATION_WIDE },
        ),
      );
    }

    const logGroupKey = new aws.kms.Key(
      `${name}-log-group-key`,
      {
        description: `Encrypts the central log group ${names.logGroupName}. Managed by aws-org-guardrails.`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: compactJson(buildLogGroupKeyPolicy(names)),
      },
      { ...inTrailAccount, ...keep },
    );
    // The alias is how the protection SCP recognises the key (its ARN is not known at plan time).
    new aws.kms.Alias(
      `${name}-log-group-key-alias`,
      { name: `${KEY_ALIAS_PREFIX}central-log-group`, targetKeyId: logGroupKey.keyId },
      inTrailAccount,
    );
    this.logGroupName = names.logGroupName;
    this.logGroupArn = names.logGroupArn;
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-log-group`,
      {
        name: names.logGroupName,
        retentionInDays: args.retentionInDays,
        kmsKeyId: logGroupKey.arn,
      },
      { ...inTrailAccount, ...keep },
    );

    const deliveryRole = new aws.iam.Role(
      `${name}-delivery-role`,
      {
        name: names.deliveryRoleName,
        description:
          "Lets the organization trail write to the central log group. Managed by aws-org-guardrails.",
        assumeRolePolicy: compactJson(buildTrailDeliveryTrustPolicy()),
      },
      inTrailAccount,
    );
    const deliveryPolicy = new aws.iam.RolePolicy(
      `${name}-delivery-policy`,
      { role: deliveryRole.name, policy: compactJson(buildTrailDeliveryRolePolicy(names)) },
      inTrailAccount,
    );

    this.trail = new aws.cloudtrail.Trail(
      `${name}-trail`,
      {
        name: names.trailName,
        isOrganizationTrail: true,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        enableLogging: true,
        s3BucketName: args.archive.bucketName,
        kmsKeyId: args.archive.keyArn,
        // CloudTrail takes the log group ARN with the ":*" suffix.
        cloudWatchLogsGroupArn: `${names.logGroupArn}:*`,
        cloudWatchLogsRoleArn: deliveryRole.arn,
        // No eventSelectors: a trail without them logs every management event, read and write,
        // and GetEventSelectors reports exactly that basic selector (ReadWriteType All,
        // IncludeManagementEvents true), which is what CIS scanners look for. Setting that default
        // explicitly would diff on every preview: the provider reads it back as an empty list
        // (offline/providerFacts.ts, aws:cloudtrail/trail:Trail).
      },
      { ...inTrailAccount, ...keep, dependsOn: [...prerequisites, this.logGroup, deliveryPolicy] },
    );
    this.registerOutputs({ trailArn: this.trail.arn, logGroupArn: this.logGroupArn });
  }
}
