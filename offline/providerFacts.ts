/**
 * What the AWS provider does with each resource type this program creates: the API calls it makes
 * (as the IAM actions they need) to create, read, update and delete one, the inputs whose change
 * forces a replacement, the inputs it normalises (rewrites on read, suppresses, or drops), and what
 * deleting one does beyond the resource itself.
 *
 * Read from the source of the Terraform AWS provider that @pulumi/aws 7.48.0 bridges
 * (hashicorp/terraform-provider-aws, v6.4x-v6.6x; the exact upstream commit could not be pinned
 * offline), file by file as `UPSTREAM` names them, with the commit read where the index reported
 * one; plus the AWS pages cited where AWS authorizes more than the call itself (tag-on-create needs
 * the service's tag action; passing a role needs iam:PassRole). Calls the provider makes only for
 * inputs this program never sets (deprecated inline arguments, insight selectors, VPC settings,
 * code signing changes, ...) are left out, each family named in `notCalled`.
 *
 * One table for the tests that prove the deployment role sufficient (every call, on the plan's
 * resource ARNs, simulated against docs/deployment-role*.json) and the test that the program sets
 * no input the provider normalises into a perpetual diff; its `forceNew` lists are what a plan
 * diff needs to tell a replacement from an update.
 */

import { DYNAMIC_RESOURCE_TYPE } from "../components/stackSetsAccess";
import { RecordedResource } from "./engine";

const UPSTREAM = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/";

export interface ProviderCalls {
  readonly create: readonly string[];
  readonly read: readonly string[];
  readonly update: readonly string[];
  readonly delete: readonly string[];
}

export interface Normalisation {
  /** The input, as a path of the Pulumi arguments (`eventSelectors`, `rules[].filter`). */
  readonly input: string;
  readonly behaviour: string;
  /** Upstream function or file, or the issue that shows it. */
  readonly source: string;
  /**
   * For a normalisation that turns some values into a diff on every preview: why the recorded
   * resource's inputs would do that, or undefined when they do not.
   */
  readonly perpetualDiff?: (resource: RecordedResource) => string | undefined;
}

export interface ResourceTypeFacts {
  /** The upstream file(s), `@<commit>` where known. */
  readonly upstream: string;
  readonly calls: ProviderCalls;
  /** Call families left out of `calls` because this program never sets what triggers them. */
  readonly notCalled?: string;
  /** Inputs whose change replaces the resource (ForceNew), as Pulumi argument paths. */
  readonly forceNew: readonly string[];
  readonly normalised: readonly Normalisation[];
  /** What a delete does beyond removing the resource from the stack. */
  readonly deleteEffect: string;
  /** Inputs whose change the provider's diff does not report (never an update or replace). */
  readonly notDiffed?: readonly string[];
}

const isString = (value: unknown): value is string => typeof value === "string";

/** Every provider resource takes a `region` (Pulumi AWS 7); changing it replaces the resource. */
const REGION = "region";

// Tags: the providers set `defaultTags`, so every taggable resource is created with tags (which AWS
// authorizes with the service's tag action too) and listed after every create, read and update by
// the provider's tagging interceptor when the resource's own read does not return them
// (internal/provider/sdkv2/tags_interceptor.go): hence the tag actions in `calls`.

function keyArnRequired(input: string, what: string): Normalisation {
  return {
    input,
    behaviour: `stored exactly as ${what} returns it, the key ARN: a key id or alias diffs on every preview`,
    source: "no DiffSuppressFunc or StateFunc on the argument",
    perpetualDiff: (resource) => {
      const value = resource.inputs[input];
      return isString(value) && (value.includes("alias/") || !value.startsWith("arn:"))
        ? `${input} is ${value}, not a key ARN`
        : undefined;
    },
  };
}

export const PROVIDER_FACTS: Readonly<Record<string, ResourceTypeFacts>> = {
  "aws:organizations/awsServiceAccess:AwsServiceAccess": {
    upstream: `${UPSTREAM}organizations/aws_service_access.go (read at commit 0d27b6c394cd)`,
    calls: {
      create: [
        "organizations:EnableAWSServiceAccess",
        "organizations:ListAWSServiceAccessForOrganization",
      ],
      read: ["organizations:ListAWSServiceAccessForOrganization"],
      update: [],
      delete: ["organizations:DisableAWSServiceAccess"],
    },
    forceNew: ["servicePrincipal"],
    normalised: [],
    deleteEffect:
      "DisableAWSServiceAccess: trusted access ends for the whole organization (this program retains these on delete)",
  },
  "aws:organizations/policy:Policy": {
    upstream: `${UPSTREAM}organizations/policy.go (read at commit 00a35305dc1b)`,
    calls: {
      create: [
        "organizations:CreatePolicy",
        "organizations:TagResource",
        "organizations:DescribePolicy",
        "organizations:ListTagsForResource",
      ],
      read: ["organizations:DescribePolicy", "organizations:ListTagsForResource"],
      update: [
        "organizations:UpdatePolicy",
        "organizations:TagResource",
        "organizations:UntagResource",
        "organizations:DescribePolicy",
        "organizations:ListTagsForResource",
      ],
      delete: ["organizations:DeletePolicy"],
    },
    forceNew: ["type"],
    normalised: [
      {
        input: "content",
        behaviour:
          "JSON-equivalence only (whitespace, key order): a policy AWS returns with arrays reordered or a string for a one-item list would diff; the program sends compact JSON built once",
        source: "organizations/policy.go (verify.SuppressEquivalentJSONDiffs)",
        perpetualDiff: (resource) => {
          const content = resource.inputs.content;
          if (!isString(content)) {
            return undefined;
          }
          try {
            return JSON.stringify(JSON.parse(content)) === content
              ? undefined
              : "content is not compact JSON, which every character of the SCP quota counts";
          } catch {
            return "content is not JSON";
          }
        },
      },
    ],
    deleteEffect:
      "DeletePolicy; refused while attached, so the attachments are detached first (the SCP stops applying)",
  },
  "aws:organizations/policyAttachment:PolicyAttachment": {
    upstream: `${UPSTREAM}organizations/policy_attachment.go`,
    calls: {
      create: ["organizations:AttachPolicy", "organizations:ListTargetsForPolicy"],
      read: ["organizations:ListTargetsForPolicy"],
      update: ["organizations:ListTargetsForPolicy"],
      delete: ["organizations:DetachPolicy"],
    },
    forceNew: ["policyId", "targetId"],
    normalised: [],
    deleteEffect: "DetachPolicy: every account below the target loses the SCP at once",
  },
  "aws:organizations/account:Account": {
    upstream: `${UPSTREAM}organizations/account.go (read at commit 01f431114674)`,
    calls: {
      create: [
        "organizations:CreateAccount",
        "organizations:TagResource",
        "organizations:DescribeCreateAccountStatus",
        "organizations:ListParents",
        "organizations:MoveAccount",
        "organizations:DescribeAccount",
        "organizations:ListTagsForResource",
      ],
      read: [
        "organizations:DescribeAccount",
        "organizations:ListParents",
        "organizations:ListTagsForResource",
      ],
      update: [
        "organizations:MoveAccount",
        "organizations:TagResource",
        "organizations:UntagResource",
        "organizations:DescribeAccount",
        "organizations:ListParents",
        "organizations:ListTagsForResource",
      ],
      delete: [
        "organizations:RemoveAccountFromOrganization",
        "organizations:CloseAccount",
        "organizations:DescribeAccount",
      ],
    },
    notCalled: "CreateGovCloudAccount (createGovcloud is never set)",
    forceNew: ["email", "name", "iamUserAccessToBilling", "roleName"],
    normalised: [
      {
        input: "roleName",
        behaviour: "never read back (no API returns it): differs after every import",
        source: "organizations/account.go resourceAccountRead",
        perpetualDiff: (resource) =>
          resource.inputs.roleName !== undefined && !resource.ignoreChanges.includes("roleName")
            ? "roleName is set without ignoreChanges"
            : undefined,
      },
      {
        input: "iamUserAccessToBilling",
        behaviour: "never read back: differs after every import",
        source: "organizations/account.go resourceAccountRead",
        perpetualDiff: (resource) =>
          resource.inputs.iamUserAccessToBilling !== undefined &&
          !resource.ignoreChanges.includes("iamUserAccessToBilling")
            ? "iamUserAccessToBilling is set without ignoreChanges"
            : undefined,
      },
      {
        input: "closeOnDeletion",
        behaviour: "state only, never sent to AWS",
        source: "organizations/account.go",
      },
    ],
    deleteEffect:
      "RemoveAccountFromOrganization (or CloseAccount with closeOnDeletion): the account leaves every SCP; this program retains accounts unless closeOnDeletion",
  },
  "aws:organizations/organizationalUnit:OrganizationalUnit": {
    upstream: `${UPSTREAM}organizations/organizational_unit.go`,
    calls: {
      create: [
        "organizations:CreateOrganizationalUnit",
        "organizations:TagResource",
        "organizations:DescribeOrganizationalUnit",
        "organizations:ListParents",
        "organizations:ListAccountsForParent",
        "organizations:ListTagsForResource",
      ],
      read: [
        "organizations:DescribeOrganizationalUnit",
        "organizations:ListParents",
        "organizations:ListAccountsForParent",
        "organizations:ListTagsForResource",
      ],
      update: [
        "organizations:UpdateOrganizationalUnit",
        "organizations:TagResource",
        "organizations:UntagResource",
      ],
      delete: ["organizations:DeleteOrganizationalUnit"],
    },
    forceNew: ["parentId"],
    normalised: [],
    deleteEffect:
      "DeleteOrganizationalUnit, refused while it holds accounts or OUs; moving an OU (parentId) is a replacement",
  },
  "aws:iam/role:Role": {
    upstream: `${UPSTREAM}iam/role.go`,
    calls: {
      create: [
        "iam:CreateRole",
        "iam:TagRole",
        "iam:GetRole",
        "iam:ListRolePolicies",
        "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies",
      ],
      read: [
        "iam:GetRole",
        "iam:ListRolePolicies",
        "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies",
      ],
      update: [
        "iam:UpdateAssumeRolePolicy",
        "iam:UpdateRoleDescription",
        "iam:UpdateRole",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:GetRole",
      ],
      delete: ["iam:ListInstanceProfilesForRole", "iam:DeleteRole"],
    },
    notCalled:
      "inline/managed policy and permissions-boundary calls (inlinePolicies, managedPolicyArns, permissionsBoundary are never set; the inline policy is its own RolePolicy)",
    forceNew: ["name", "namePrefix", "path"],
    normalised: [
      {
        input: "assumeRolePolicy",
        behaviour: "IAM-policy equivalence: an equivalent document AWS rewrites does not diff",
        source: "iam/role.go (verify.SuppressEquivalentPolicyDiffs, PolicyToSet)",
      },
      {
        input: "inlinePolicies / managedPolicyArns",
        behaviour:
          "Optional+Computed and exclusive when set: they would fight the separate RolePolicy",
        source: "iam/role.go",
        perpetualDiff: (resource) =>
          resource.inputs.inlinePolicies !== undefined ||
          resource.inputs.managedPolicyArns !== undefined
            ? "inlinePolicies or managedPolicyArns set beside a RolePolicy"
            : undefined,
      },
    ],
    deleteEffect: "DeleteRole (IAM is global in the account)",
  },
  "aws:iam/rolePolicy:RolePolicy": {
    upstream: `${UPSTREAM}iam/role_policy.go`,
    calls: {
      create: ["iam:PutRolePolicy", "iam:GetRolePolicy"],
      read: ["iam:GetRolePolicy"],
      update: ["iam:PutRolePolicy", "iam:GetRolePolicy"],
      delete: ["iam:DeleteRolePolicy"],
    },
    forceNew: ["name", "namePrefix", "role"],
    normalised: [
      {
        input: "policy",
        behaviour: "IAM-policy equivalence: no diff for an equivalent document",
        source: "iam/role_policy.go (SuppressEquivalentPolicyDiffs, LegacyPolicyToSet)",
      },
    ],
    deleteEffect: "DeleteRolePolicy: the role loses the permissions at once",
  },
  "aws:iam/organizationsFeatures:OrganizationsFeatures": {
    upstream: `${UPSTREAM}iam/organizations_features.go`,
    calls: {
      create: [
        "iam:EnableOrganizationsRootCredentialsManagement",
        "iam:EnableOrganizationsRootSessions",
        "iam:ListOrganizationsFeatures",
      ],
      read: ["iam:ListOrganizationsFeatures"],
      update: [
        "iam:EnableOrganizationsRootCredentialsManagement",
        "iam:EnableOrganizationsRootSessions",
        "iam:DisableOrganizationsRootCredentialsManagement",
        "iam:DisableOrganizationsRootSessions",
      ],
      delete: [
        "iam:DisableOrganizationsRootCredentialsManagement",
        "iam:DisableOrganizationsRootSessions",
      ],
    },
    forceNew: [],
    normalised: [
      {
        input: "enabledFeatures",
        behaviour:
          "when AWS reports none enabled the resource leaves the state and is created again",
        source: "iam/organizations_features.go read",
      },
    ],
    deleteEffect:
      "disables centralized root access for the whole organization (this program retains it on delete)",
  },
  "aws:kms/key:Key": {
    upstream: `${UPSTREAM}kms/key.go (read at commit 00a35305dc1b)`,
    calls: {
      create: [
        "kms:CreateKey",
        "kms:TagResource",
        "kms:EnableKeyRotation",
        "kms:GetKeyRotationStatus",
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:ListResourceTags",
      ],
      read: [
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:ListResourceTags",
      ],
      update: [
        "kms:UpdateKeyDescription",
        "kms:PutKeyPolicy",
        "kms:EnableKeyRotation",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:ListResourceTags",
      ],
      delete: ["kms:ScheduleKeyDeletion", "kms:DescribeKey"],
    },
    notCalled: "EnableKey/DisableKey (isEnabled is never set)",
    forceNew: [
      "customKeyStoreId",
      "customerMasterKeySpec",
      "keyUsage",
      "multiRegion",
      "xksKeyId",
      REGION,
    ],
    normalised: [
      {
        input: "policy",
        behaviour: "IAM-policy equivalence after waiting for the policy to propagate",
        source: "kms/key.go (SuppressEquivalentIAMPolicyDocuments)",
      },
      {
        input: "deletionWindowInDays",
        behaviour: "never read back: changing it is an update that calls nothing",
        source: "kms/key.go",
      },
    ],
    deleteEffect:
      "ScheduleKeyDeletion: the key is unusable at once (PendingDeletion) and destroyed after the window; what it encrypts can no longer be read",
  },
  "aws:kms/alias:Alias": {
    upstream: `${UPSTREAM}kms/alias.go (read at commit 01c08000ddb1)`,
    calls: {
      create: ["kms:CreateAlias", "kms:ListAliases"],
      read: ["kms:ListAliases"],
      update: ["kms:UpdateAlias", "kms:ListAliases"],
      delete: ["kms:DeleteAlias"],
    },
    forceNew: ["name", "namePrefix", REGION],
    normalised: [
      {
        input: "targetKeyId",
        behaviour: "a key id and the same key's ARN do not diff",
        source: "kms/alias.go (suppressEquivalentKeyARNOrID)",
      },
    ],
    deleteEffect: "DeleteAlias: the protection SCP no longer recognises the key by it",
  },
  "aws:cloudtrail/trail:Trail": {
    upstream: `${UPSTREAM}cloudtrail/trail.go (read at commit 0a9af16a9784)`,
    calls: {
      create: [
        "cloudtrail:CreateTrail",
        "cloudtrail:AddTags",
        "iam:PassRole",
        // What CloudTrail checks for an organization trail: the organization, trusted access and
        // its service-linked role (created on the first organization trail).
        // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-an-organizational-trail-prepare.html
        "organizations:DescribeOrganization",
        "organizations:ListAWSServiceAccessForOrganization",
        "iam:GetRole",
        "iam:CreateServiceLinkedRole",
        "cloudtrail:StartLogging",
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
        "cloudtrail:ListTags",
      ],
      read: [
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
        "cloudtrail:ListTags",
      ],
      update: [
        "cloudtrail:UpdateTrail",
        "iam:PassRole",
        "cloudtrail:StartLogging",
        // Removing eventSelectors (a stack deployed before they were dropped) sends the default.
        "cloudtrail:PutEventSelectors",
        "cloudtrail:AddTags",
        "cloudtrail:RemoveTags",
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:ListTags",
      ],
      delete: ["cloudtrail:DeleteTrail"],
    },
    notCalled:
      "PutInsightSelectors/GetInsightSelectors (insightSelectors is never set); StopLogging (enableLogging stays true)",
    forceNew: ["name", REGION],
    normalised: [
      {
        input: "eventSelectors",
        behaviour:
          "one basic selector without data resources and ReadWriteType All reads back as an empty list, so setting the default (all management events) diffs on every preview and calls PutEventSelectors on every up; leave eventSelectors unset for it",
        source:
          "cloudtrail/trail.go flattenEventSelector; https://github.com/hashicorp/terraform-provider-aws/issues/3697",
        perpetualDiff: (resource) => {
          const selectors = resource.inputs.eventSelectors;
          if (!Array.isArray(selectors) || selectors.length !== 1) {
            return undefined;
          }
          const [selector] = selectors as Record<string, unknown>[];
          const noData =
            !Array.isArray(selector.dataResources) || selector.dataResources.length === 0;
          const noExclusions =
            !Array.isArray(selector.excludeManagementEventSources) ||
            selector.excludeManagementEventSources.length === 0;
          const all = selector.readWriteType === undefined || selector.readWriteType === "All";
          return noData && noExclusions && all
            ? "eventSelectors is the default basic selector, which the provider reads back as empty"
            : undefined;
        },
      },
      {
        input: "snsTopicName",
        behaviour:
          "read back as a bare name for a topic of the same account and region, else as its ARN",
        source: "cloudtrail/trail.go resourceTrailRead",
        perpetualDiff: (resource) =>
          resource.inputs.snsTopicName !== undefined
            ? "snsTopicName is set (the program delivers notifications through the log group instead)"
            : undefined,
      },
      keyArnRequired("kmsKeyId", "DescribeTrails"),
    ],
    deleteEffect:
      "DeleteTrail: the organization trail stops for every account (this program protects and retains it)",
  },
  "aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount": {
    upstream: `${UPSTREAM}cloudtrail/organization_delegated_admin_account.go (read at commit 0a3cb2c7978e)`,
    // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator-permissions.html
    calls: {
      create: [
        "cloudtrail:RegisterOrganizationDelegatedAdmin",
        "organizations:RegisterDelegatedAdministrator",
        "organizations:ListAWSServiceAccessForOrganization",
        "iam:CreateServiceLinkedRole",
        "iam:GetRole",
        "organizations:ListDelegatedAdministrators",
      ],
      read: ["organizations:ListDelegatedAdministrators"],
      update: [],
      delete: [
        "cloudtrail:DeregisterOrganizationDelegatedAdmin",
        "organizations:DeregisterDelegatedAdministrator",
      ],
    },
    forceNew: ["accountId"],
    normalised: [],
    deleteEffect:
      "deregisters the CloudTrail delegated administrator; trails it created stay, owned by the management account",
  },
  "aws:s3/bucket:Bucket": {
    upstream: `${UPSTREAM}s3/bucket.go`,
    calls: {
      create: [
        "s3:ListBucket",
        "s3:CreateBucket",
        "s3:GetBucketTagging",
        "s3:PutBucketTagging",
        "s3:GetBucketPolicy",
        "s3:GetBucketAcl",
        "s3:GetBucketCORS",
        "s3:GetBucketWebsite",
        "s3:GetBucketVersioning",
        "s3:GetAccelerateConfiguration",
        "s3:GetBucketRequestPayment",
        "s3:GetBucketLogging",
        "s3:GetLifecycleConfiguration",
        "s3:GetReplicationConfiguration",
        "s3:GetEncryptionConfiguration",
        "s3:GetBucketObjectLockConfiguration",
      ],
      read: [
        "s3:ListBucket",
        "s3:GetBucketPolicy",
        "s3:GetBucketAcl",
        "s3:GetBucketCORS",
        "s3:GetBucketWebsite",
        "s3:GetBucketVersioning",
        "s3:GetAccelerateConfiguration",
        "s3:GetBucketRequestPayment",
        "s3:GetBucketLogging",
        "s3:GetLifecycleConfiguration",
        "s3:GetReplicationConfiguration",
        "s3:GetEncryptionConfiguration",
        "s3:GetBucketObjectLockConfiguration",
        "s3:GetBucketTagging",
      ],
      update: ["s3:GetBucketTagging", "s3:PutBucketTagging"],
      // With forceDestroy (the back-test's results bucket only), emptyBucket first lists every
      // object version and deletes them in batches (DeleteObjects with version ids):
      // s3/delete.go (emptyBucket, deleteAllObjectVersions).
      delete: [
        "s3:DeleteBucket",
        "s3:ListBucket",
        "s3:ListBucketVersions",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
      ],
    },
    notCalled:
      "every deprecated inline setting (acl, policy, versioning, lifecycle, ...: separate resources here); s3:BypassGovernanceRetention (forceDestroy is set only on the results bucket, which has no Object Lock); PutBucketObjectLockConfiguration and PutBucketVersioning at creation only with objectLockEnabled",
    forceNew: ["bucket", "bucketPrefix", "objectLockEnabled", REGION],
    normalised: [
      {
        input: "acl, policy, versioning, lifecycleRules, serverSideEncryptionConfiguration, ...",
        behaviour:
          "the deprecated inline settings are Optional+Computed: set beside the separate Bucket* resources they fight them on every up",
        source: "s3/bucket.go",
        perpetualDiff: (resource) => {
          const inline = [
            "acl",
            "grants",
            "corsRules",
            "website",
            "versioning",
            "logging",
            "lifecycleRules",
            "policy",
            "replicationConfiguration",
            "serverSideEncryptionConfiguration",
            "objectLockConfiguration",
            "accelerationStatus",
            "requestPayer",
          ].filter((name) => resource.inputs[name] !== undefined);
          return inline.length > 0 ? `inline settings ${inline.join(", ")}` : undefined;
        },
      },
    ],
    deleteEffect:
      "DeleteBucket, refused while it holds objects (forceDestroy false: the archive); with forceDestroy (the back-test's results, derived data) every object version is deleted first",
  },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
    upstream: `${UPSTREAM}s3/bucket_ownership_controls.go`,
    calls: {
      create: ["s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"],
      read: ["s3:GetBucketOwnershipControls"],
      update: ["s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"],
      delete: ["s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"],
    },
    forceNew: ["bucket", REGION],
    normalised: [],
    deleteEffect:
      "DeleteBucketOwnershipControls: ACLs count again. Its id is the bucket, so a create-before-delete replacement would delete the new setting: replaced delete-first",
  },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
    upstream: `${UPSTREAM}s3/bucket_public_access_block.go (read at commit 01606926a0c0)`,
    calls: {
      create: ["s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"],
      read: ["s3:GetBucketPublicAccessBlock"],
      update: ["s3:PutBucketPublicAccessBlock"],
      delete: ["s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"],
    },
    forceNew: ["bucket", REGION],
    normalised: [
      {
        input: "blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets",
        behaviour: "each defaults to false and all four are always sent",
        source: "s3/bucket_public_access_block.go",
      },
    ],
    deleteEffect:
      "DeletePublicAccessBlock (id = bucket: replaced delete-first, like every bucket sub-resource)",
  },
  "aws:s3/bucketVersioning:BucketVersioning": {
    upstream: `${UPSTREAM}s3/bucket_versioning.go`,
    calls: {
      create: ["s3:PutBucketVersioning", "s3:GetBucketVersioning"],
      read: ["s3:GetBucketVersioning"],
      update: ["s3:PutBucketVersioning", "s3:GetBucketVersioning"],
      delete: ["s3:PutBucketVersioning"],
    },
    forceNew: ["bucket", "expectedBucketOwner", REGION],
    normalised: [
      {
        input: "versioningConfiguration.status",
        behaviour: "an unversioned bucket reads back as the pseudo-status Disabled",
        source: "s3/bucket_versioning.go",
      },
    ],
    deleteEffect: "suspends versioning (existing versions stay)",
  },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
    upstream: `${UPSTREAM}s3/bucket_server_side_encryption_configuration.go (read at commit 01606926a0c0)`,
    calls: {
      create: ["s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"],
      read: ["s3:GetEncryptionConfiguration"],
      update: ["s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"],
      delete: ["s3:PutEncryptionConfiguration"],
    },
    forceNew: ["bucket", "expectedBucketOwner", REGION],
    normalised: [
      {
        input: "rules[].applyServerSideEncryptionByDefault.kmsMasterKeyId",
        behaviour: "read back exactly as S3 stores it: give the key ARN",
        source: "s3/bucket_server_side_encryption_configuration.go",
        perpetualDiff: (resource) => {
          const rules = resource.inputs.rules;
          const ids = Array.isArray(rules)
            ? rules.map(
                (rule) =>
                  (rule as { applyServerSideEncryptionByDefault?: { kmsMasterKeyId?: unknown } })
                    .applyServerSideEncryptionByDefault?.kmsMasterKeyId,
              )
            : [];
          const bad = ids.find(
            (id) => isString(id) && (id.includes("alias/") || !id.startsWith("arn:")),
          );
          return bad === undefined ? undefined : `kmsMasterKeyId ${String(bad)} is not a key ARN`;
        },
      },
    ],
    deleteEffect: "DeleteBucketEncryption: new objects fall back to SSE-S3",
  },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
    upstream: `${UPSTREAM}s3/bucket_lifecycle_configuration_fw.go (read at commit 058f28fcaf12)`,
    calls: {
      create: ["s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"],
      read: ["s3:GetLifecycleConfiguration"],
      update: ["s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"],
      delete: ["s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"],
    },
    forceNew: ["bucket", "expectedBucketOwner", REGION],
    normalised: [
      {
        input: "transitionDefaultMinimumObjectSize",
        behaviour: "unset plans AWS's default (all_storage_classes_128K): no diff",
        source: "s3/bucket_lifecycle_configuration_fw.go (#41126)",
      },
      {
        input: "rules[].filter",
        behaviour:
          "an empty filter ({}) applies the rule to every object; its handling was fixed upstream in 2025",
        source: "https://github.com/hashicorp/terraform-provider-aws/pull/42624",
      },
      {
        input: "rules[].expiration.days, rules[].noncurrentVersionExpiration.noncurrentDays",
        behaviour:
          "Optional+Computed with UseStateForUnknown: removing one from the program keeps the deployed value",
        source: "https://github.com/hashicorp/terraform-provider-aws/pull/44442",
      },
    ],
    deleteEffect: "DeleteBucketLifecycle: nothing expires any more",
  },
  "aws:s3/bucketPolicy:BucketPolicy": {
    upstream: `${UPSTREAM}s3/bucket_policy.go (read at commit 0073593e7d69)`,
    calls: {
      create: ["s3:PutBucketPolicy", "s3:GetBucketPolicy"],
      read: ["s3:GetBucketPolicy"],
      update: ["s3:PutBucketPolicy", "s3:GetBucketPolicy"],
      delete: ["s3:DeleteBucketPolicy", "s3:GetBucketPolicy"],
    },
    forceNew: ["bucket", REGION],
    normalised: [
      {
        input: "policy",
        behaviour: "IAM-policy equivalence: no diff for an equivalent document",
        source: "s3/bucket_policy.go (SuppressEquivalentIAMPolicyDocuments)",
      },
    ],
    deleteEffect: "DeleteBucketPolicy: CloudTrail can no longer deliver to the archive",
  },
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": {
    upstream: `${UPSTREAM}s3/bucket_object_lock_configuration.go`,
    calls: {
      create: ["s3:PutBucketObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration"],
      read: ["s3:GetBucketObjectLockConfiguration"],
      update: ["s3:PutBucketObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration"],
      delete: ["s3:PutBucketObjectLockConfiguration"],
    },
    forceNew: ["bucket", "expectedBucketOwner", "objectLockEnabled", REGION],
    normalised: [],
    deleteEffect: "removes only the default retention; Object Lock stays on for good",
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    upstream: `${UPSTREAM}logs/group.go`,
    calls: {
      create: [
        "logs:CreateLogGroup",
        "logs:TagResource",
        // A log group created with kmsKeyId: "you give the CloudWatch Logs service principal and
        // the caller role permission to use the key" (through kms:ViaService logs.<region>).
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "kms:DescribeKey",
        "logs:PutRetentionPolicy",
        "logs:DescribeLogGroups",
        "logs:ListTagsForResource",
      ],
      read: ["logs:DescribeLogGroups", "logs:ListTagsForResource"],
      update: [
        "logs:PutRetentionPolicy",
        "logs:AssociateKmsKey",
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "kms:DescribeKey",
        "logs:TagResource",
        "logs:UntagResource",
        "logs:DescribeLogGroups",
        "logs:ListTagsForResource",
      ],
      delete: ["logs:DeleteLogGroup"],
    },
    notCalled:
      "DeleteRetentionPolicy (retention is never 0), DisassociateKmsKey (the key is never removed), PutLogGroupDeletionProtection",
    forceNew: ["name", "namePrefix", "logGroupClass", REGION],
    normalised: [keyArnRequired("kmsKeyId", "DescribeLogGroups")],
    deleteEffect: "DeleteLogGroup: every event in it is gone",
  },
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": {
    upstream: `${UPSTREAM}logs/metric_filter.go (read at commit 0f14e6f61f91)`,
    calls: {
      create: ["logs:PutMetricFilter", "logs:DescribeMetricFilters"],
      read: ["logs:DescribeMetricFilters"],
      update: ["logs:PutMetricFilter", "logs:DescribeMetricFilters"],
      delete: ["logs:DeleteMetricFilter"],
    },
    forceNew: ["logGroupName", "name", REGION],
    normalised: [
      {
        input: "pattern",
        behaviour: "leading and trailing whitespace is trimmed before it is sent and in state",
        source: "logs/metric_filter.go (TrimSpaceSchemaStateFunc)",
      },
      {
        input: "metricTransformation.defaultValue",
        behaviour: "read back as a formatted number: 1.50 would come back as 1.5",
        source: "logs/metric_filter.go (flex.Float64ToStringValue)",
        perpetualDiff: (resource) => {
          const value = (resource.inputs.metricTransformation as { defaultValue?: unknown })
            ?.defaultValue;
          return isString(value) && String(Number(value)) !== value
            ? `defaultValue ${value} reads back as ${String(Number(value))}`
            : undefined;
        },
      },
    ],
    deleteEffect: "DeleteMetricFilter: its metric gets no more data points",
  },
  "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": {
    upstream: `${UPSTREAM}logs/subscription_filter.go (read at commit 07c8fe26c096)`,
    calls: {
      create: ["logs:PutSubscriptionFilter"],
      read: ["logs:DescribeSubscriptionFilters"],
      update: ["logs:PutSubscriptionFilter"],
      delete: ["logs:DeleteSubscriptionFilter"],
    },
    notCalled: "iam:PassRole (only with roleArn, for Kinesis and Firehose destinations)",
    forceNew: ["destinationArn", "logGroup", "name", REGION],
    normalised: [
      {
        input: "filterPattern",
        behaviour: "read back verbatim, no trimming (unlike a metric filter's pattern)",
        source: "logs/subscription_filter.go",
        perpetualDiff: (resource) => {
          const pattern = resource.inputs.filterPattern;
          return isString(pattern) && pattern !== pattern.trim()
            ? "filterPattern has leading or trailing whitespace"
            : undefined;
        },
      },
    ],
    deleteEffect: "DeleteSubscriptionFilter: the notifier gets no more events",
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    upstream: `${UPSTREAM}cloudwatch/metric_alarm.go`,
    calls: {
      create: [
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:TagResource",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:ListTagsForResource",
      ],
      read: ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"],
      update: [
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:TagResource",
        "cloudwatch:UntagResource",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:ListTagsForResource",
      ],
      delete: ["cloudwatch:DeleteAlarms"],
    },
    forceNew: ["name", REGION],
    normalised: [
      {
        input: "treatMissingData",
        behaviour:
          "validated case-insensitively but compared as written: anything but AWS's spelling diffs",
        source: "cloudwatch/metric_alarm.go",
        perpetualDiff: (resource) => {
          const value = resource.inputs.treatMissingData;
          return isString(value) &&
            !["missing", "ignore", "breaching", "notBreaching"].includes(value)
            ? `treatMissingData ${value} is not spelled as AWS returns it`
            : undefined;
        },
      },
    ],
    deleteEffect: "DeleteAlarms",
  },
  "aws:sns/topic:Topic": {
    upstream: `${UPSTREAM}sns/topic.go (read at commit 00a35305dc1b)`,
    calls: {
      create: [
        "sns:CreateTopic",
        "sns:TagResource",
        "sns:SetTopicAttributes",
        "sns:GetTopicAttributes",
        "sns:ListTagsForResource",
      ],
      read: ["sns:GetTopicAttributes", "sns:ListTagsForResource"],
      update: [
        "sns:SetTopicAttributes",
        "sns:TagResource",
        "sns:UntagResource",
        "sns:GetTopicAttributes",
        "sns:ListTagsForResource",
      ],
      delete: ["sns:DeleteTopic"],
    },
    notCalled: "iam:PassRole (delivery-status feedback roles are never set)",
    forceNew: ["name", "namePrefix", "fifoTopic", REGION],
    normalised: [
      {
        input: "policy",
        behaviour:
          "Optional+Computed: the program leaves it to the TopicPolicy resource, as two writers of one attribute would fight",
        source: "sns/topic.go",
        perpetualDiff: (resource) =>
          resource.inputs.policy !== undefined
            ? "policy is set on the topic beside a TopicPolicy"
            : undefined,
      },
      keyArnRequired("kmsMasterKeyId", "GetTopicAttributes"),
    ],
    deleteEffect: "DeleteTopic: its subscriptions go with it",
  },
  "aws:sns/topicPolicy:TopicPolicy": {
    upstream: `${UPSTREAM}sns/topic_policy.go (read at commit 00a35305dc1b)`,
    calls: {
      create: ["sns:SetTopicAttributes", "sns:GetTopicAttributes"],
      read: ["sns:GetTopicAttributes"],
      update: ["sns:SetTopicAttributes", "sns:GetTopicAttributes"],
      delete: ["sns:SetTopicAttributes"],
    },
    forceNew: ["arn", REGION],
    normalised: [
      {
        input: "policy",
        behaviour: "IAM-policy equivalence: no diff for an equivalent document",
        source: "sns/topic_policy.go",
      },
    ],
    deleteEffect:
      "writes AWS's default topic policy back (a topic policy cannot be removed): CloudWatch alarms can no longer publish",
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    upstream: `${UPSTREAM}sns/topic_subscription.go`,
    calls: {
      create: ["sns:Subscribe", "sns:GetSubscriptionAttributes"],
      read: ["sns:GetSubscriptionAttributes"],
      update: ["sns:SetSubscriptionAttributes", "sns:GetSubscriptionAttributes"],
      delete: ["sns:Unsubscribe", "sns:GetSubscriptionAttributes"],
    },
    notCalled: "iam:PassRole (subscriptionRoleArn, for Firehose only)",
    forceNew: ["endpoint", "protocol", "topic", REGION],
    normalised: [
      {
        input: "endpoint (email)",
        behaviour:
          "a subscription still pending confirmation cannot be unsubscribed: the delete succeeds and AWS drops it after 3 days",
        source: "sns/topic_subscription.go delete",
      },
    ],
    deleteEffect: "Unsubscribe: that endpoint gets no more alerts",
  },
  "aws:lambda/function:Function": {
    upstream: `${UPSTREAM}lambda/function.go (read at commit 0156d84e6bb4)`,
    calls: {
      create: [
        "lambda:CreateFunction",
        "lambda:TagResource",
        "iam:PassRole",
        // reservedConcurrentExecutions (alerts.notifierReservedConcurrency) is set by default.
        "lambda:PutFunctionConcurrency",
        "lambda:GetFunction",
        "lambda:ListTags",
        "lambda:ListVersionsByFunction",
        "lambda:GetFunctionCodeSigningConfig",
      ],
      read: [
        "lambda:GetFunction",
        "lambda:ListTags",
        "lambda:ListVersionsByFunction",
        "lambda:GetFunctionCodeSigningConfig",
      ],
      update: [
        "lambda:UpdateFunctionConfiguration",
        "lambda:UpdateFunctionCode",
        "iam:PassRole",
        "lambda:PutFunctionConcurrency",
        "lambda:DeleteFunctionConcurrency",
        "lambda:TagResource",
        "lambda:UntagResource",
        "lambda:GetFunction",
        "lambda:ListTags",
        "lambda:ListVersionsByFunction",
        "lambda:GetFunctionCodeSigningConfig",
      ],
      delete: ["lambda:DeleteFunction", "lambda:GetFunction"],
    },
    notCalled:
      "code-signing, version publishing, VPC security-group and durable-execution calls (none of those inputs is set)",
    forceNew: ["name", "packageType", REGION],
    normalised: [
      {
        input: "sourceCodeHash",
        behaviour: "never refreshed; the code archive's hash drives UpdateFunctionCode",
        source: "lambda/function.go",
      },
      {
        input: "reservedConcurrentExecutions",
        behaviour: "-1 (the default) means unreserved",
        source: "lambda/function.go",
      },
    ],
    deleteEffect: "DeleteFunction: no per-event alerts until it exists again",
  },
  "aws:lambda/permission:Permission": {
    upstream: `${UPSTREAM}lambda/permission.go (read at commit 04592f03e5d8)`,
    calls: {
      create: ["lambda:AddPermission", "lambda:GetPolicy"],
      read: ["lambda:GetPolicy"],
      update: ["lambda:GetPolicy"],
      delete: ["lambda:RemovePermission", "lambda:GetPolicy"],
    },
    forceNew: [
      "action",
      "eventSourceToken",
      "function",
      "functionUrlAuthType",
      "principal",
      "principalOrgId",
      "qualifier",
      "sourceAccount",
      "sourceArn",
      "statementId",
      "statementIdPrefix",
      REGION,
    ],
    normalised: [
      {
        input: "principal",
        behaviour:
          "read back from the statement with no suppression: a service principal round-trips, an account id comes back as arn:...:root and would replace the permission on every up",
        source: "lambda/permission.go read",
        perpetualDiff: (resource) =>
          isString(resource.inputs.principal) && /^\d{12}$/.test(resource.inputs.principal)
            ? "principal is an account id"
            : undefined,
      },
    ],
    deleteEffect: "RemovePermission: CloudWatch Logs can no longer invoke the notifier",
  },
  "aws:cloudwatch/eventBus:EventBus": {
    upstream: `${UPSTREAM}events/bus.go`,
    calls: {
      create: [
        "events:CreateEventBus",
        "events:TagResource",
        "events:DescribeEventBus",
        "events:ListTagsForResource",
      ],
      read: ["events:DescribeEventBus", "events:ListTagsForResource"],
      update: [
        "events:UpdateEventBus",
        "events:TagResource",
        "events:UntagResource",
        "events:DescribeEventBus",
        "events:ListTagsForResource",
      ],
      delete: ["events:DeleteEventBus"],
    },
    notCalled: "kms and logs calls (kmsKeyIdentifier, logConfig and deadLetterConfig are not set)",
    forceNew: ["name", "eventSourceName", REGION],
    normalised: [],
    deleteEffect:
      "DeleteEventBus: its rules must be gone first; forwarded root events are refused until it exists again",
  },
  "aws:cloudwatch/eventBusPolicy:EventBusPolicy": {
    upstream: `${UPSTREAM}events/bus_policy.go`,
    calls: {
      create: ["events:PutPermission", "events:DescribeEventBus"],
      read: ["events:DescribeEventBus"],
      update: ["events:PutPermission", "events:DescribeEventBus"],
      delete: ["events:RemovePermission", "events:DescribeEventBus"],
    },
    forceNew: ["eventBusName", REGION],
    normalised: [
      {
        input: "policy",
        behaviour: "IAM-policy equivalence: no diff for an equivalent document",
        source: "events/bus_policy.go policy DiffSuppressFunc",
      },
    ],
    deleteEffect:
      "RemovePermission with RemoveAllPermissions: no member account can forward to the bus any more",
  },
  "aws:cloudwatch/eventRule:EventRule": {
    upstream: `${UPSTREAM}events/rule.go (read at commit 0cdab4ae09a9)`,
    calls: {
      create: [
        "events:PutRule",
        "events:TagResource",
        "events:DescribeRule",
        "events:ListTagsForResource",
      ],
      read: ["events:DescribeRule", "events:ListTagsForResource"],
      update: [
        "events:PutRule",
        "events:TagResource",
        "events:UntagResource",
        "events:DescribeRule",
        "events:ListTagsForResource",
      ],
      delete: ["events:DeleteRule"],
    },
    notCalled: "iam:PassRole (roleArn of the rule itself, which is not set)",
    forceNew: ["name", "namePrefix", "eventBusName", REGION],
    normalised: [
      {
        input: "eventPattern",
        behaviour:
          "JSON-equivalence: a StateFunc re-encodes the pattern (Go's json.Marshal: keys sorted, no whitespace, <>& unescaped) in config and on read, so key order and whitespace do not diff",
        source: "events/rule.go event_pattern StateFunc ruleEventPatternJSONDecoder",
      },
    ],
    deleteEffect:
      "DeleteRule, retried for 5 minutes while the rule still has targets (its targets are deleted first): the rule's root events are no longer forwarded",
  },
  "aws:cloudwatch/eventTarget:EventTarget": {
    upstream: `${UPSTREAM}events/target.go`,
    calls: {
      create: ["events:PutTargets", "iam:PassRole", "events:ListTargetsByRule"],
      read: ["events:ListTargetsByRule"],
      update: ["events:PutTargets", "iam:PassRole", "events:ListTargetsByRule"],
      delete: ["events:RemoveTargets"],
    },
    forceNew: ["rule", "targetId", "eventBusName", REGION],
    normalised: [],
    deleteEffect: "RemoveTargets: the rule matches and delivers nowhere",
  },
  // The back-test (issue 18). Read from the provider's current files by content (the index gave no
  // commit for them; the table's file predates the one 7.48.0 bridges in its Iceberg and view
  // blocks, which this program never sets).
  "aws:glue/catalogDatabase:CatalogDatabase": {
    upstream: `${UPSTREAM}glue/catalog_database.go`,
    calls: {
      create: ["glue:CreateDatabase", "glue:TagResource", "glue:GetDatabase", "glue:GetTags"],
      read: ["glue:GetDatabase", "glue:GetTags"],
      update: [
        "glue:UpdateDatabase",
        "glue:TagResource",
        "glue:UntagResource",
        "glue:GetDatabase",
        "glue:GetTags",
      ],
      delete: ["glue:DeleteDatabase"],
    },
    notCalled: "no Lake Formation call (createTableDefaultPermissions is never set)",
    forceNew: ["name", "catalogId", "targetDatabase", REGION],
    normalised: [
      {
        input: "parameters",
        behaviour:
          "Optional, not Computed: read back whole, so a parameter AWS or another tool adds diffs",
        source: "glue/catalog_database.go (resourceCatalogDatabaseRead sets parameters)",
        perpetualDiff: (resource) =>
          resource.inputs.parameters !== undefined
            ? "parameters set on the database: anything added to them diffs"
            : undefined,
      },
    ],
    deleteEffect:
      "DeleteDatabase: Glue drops the database's tables too, asynchronously (the table is deleted first within the stack)",
  },
  "aws:glue/catalogTable:CatalogTable": {
    upstream: `${UPSTREAM}glue/catalog_table.go`,
    calls: {
      create: ["glue:CreateTable", "glue:GetTable", "glue:GetPartitionIndexes"],
      // GetPartitionIndexes on every read, with or without partition indexes; an AccessDenied on
      // it fails the read (findPartitionIndexes).
      read: ["glue:GetTable", "glue:GetPartitionIndexes"],
      update: ["glue:GetTable", "glue:UpdateTable", "glue:GetPartitionIndexes"],
      delete: ["glue:DeleteTable"],
    },
    notCalled: "no tag call (Glue tables are not taggable in the provider)",
    forceNew: ["name", "databaseName", "catalogId", "partitionIndices", "targetTable", REGION],
    normalised: [
      {
        input: "storageDescriptor.columns[].type, partitionKeys[].type",
        behaviour:
          "sent and read back as the string given (no case folding): Hive type names in lowercase, as Athena's DDL stores them",
        source: "glue/catalog_table.go (expandColumns, flattenColumn)",
        perpetualDiff: (resource) => {
          const descriptor = resource.inputs.storageDescriptor as
            { columns?: { name: string; type?: string }[] } | undefined;
          const keys = (resource.inputs.partitionKeys ?? []) as { name: string; type?: string }[];
          const upper = [...(descriptor?.columns ?? []), ...keys].filter(
            (column) => column.type !== undefined && column.type !== column.type.toLowerCase(),
          );
          return upper.length > 0
            ? `column types not in lowercase: ${upper.map((column) => column.name).join(", ")}`
            : undefined;
        },
      },
      {
        input: "parameters, storageDescriptor, tableType",
        behaviour:
          "Optional+Computed: leaving one out never diffs, and removing one from the program does not clear it in Glue",
        source: "glue/catalog_table.go (schema)",
      },
      {
        input: "openTableFormatInput",
        behaviour: "never read back, and not sent on update: a change would never reach Glue",
        source: "glue/catalog_table.go (resourceCatalogTableRead, resourceCatalogTableUpdate)",
        perpetualDiff: (resource) =>
          resource.inputs.openTableFormatInput !== undefined
            ? "openTableFormatInput set: later changes are silently dropped"
            : undefined,
      },
    ],
    deleteEffect:
      "DeleteTable: back-tests fail with a missing table until it is created again (the log files are untouched)",
  },
  "aws:athena/workgroup:Workgroup": {
    upstream: `${UPSTREAM}athena/workgroup.go`,
    calls: {
      create: [
        "athena:CreateWorkGroup",
        "athena:TagResource",
        "athena:GetWorkGroup",
        "athena:ListTagsForResource",
      ],
      read: ["athena:GetWorkGroup", "athena:ListTagsForResource"],
      update: [
        "athena:TagResource",
        "athena:UntagResource",
        "athena:UpdateWorkGroup",
        "athena:GetWorkGroup",
        "athena:ListTagsForResource",
      ],
      delete: ["athena:DeleteWorkGroup"],
    },
    notCalled:
      "the extra UpdateWorkGroup after create (only for state DISABLED); no KMS, S3 or IAM call for the result location and key (validated as ARNs only)",
    forceNew: ["name", REGION],
    normalised: [
      {
        input: "configuration (and every block in it)",
        behaviour:
          "SuppressMissingOptionalConfigurationBlock applies to every nested block: removing a block from the program (engineVersion, encryptionConfiguration) is no diff and AWS keeps the old value; change a value instead",
        source: "athena/workgroup.go (verify.SuppressMissingOptionalConfigurationBlock)",
      },
      {
        input: "configuration.engineVersion.selectedEngineVersion",
        behaviour: 'defaults to "AUTO" when the block is given without it',
        source: "athena/workgroup.go (schema)",
      },
      {
        input: "configuration.resultConfiguration.encryptionConfiguration.kmsKeyArn",
        behaviour: "must be a key ARN (verify.ValidARN): an alias or key id is refused at preview",
        source: "athena/workgroup.go (schema)",
        perpetualDiff: (resource) => {
          const key = (resource.inputs.configuration as any)?.resultConfiguration
            ?.encryptionConfiguration?.kmsKeyArn;
          return isString(key) && !key.startsWith("arn:")
            ? `kmsKeyArn is ${key}, not a key ARN`
            : undefined;
        },
      },
      {
        input: "configuration.bytesScannedCutoffPerQuery",
        behaviour:
          "at least 10,485,760 (or 0); unset or 0 removes the cutoff on update (config/sections/backtest.ts enforces the minimum)",
        source: "athena/workgroup.go (validation.IntAtLeast(10485760))",
      },
    ],
    deleteEffect:
      "DeleteWorkGroup, with RecursiveDeleteOption when forceDestroy is true (its saved queries go with it); query history and results stay in the results bucket until they expire",
  },
  "aws:dynamodb/table:Table": {
    upstream: `${UPSTREAM}dynamodb/table.go`,
    calls: {
      create: [
        "dynamodb:CreateTable",
        "dynamodb:TagResource",
        "dynamodb:DescribeTable",
        "dynamodb:UpdateTimeToLive",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:ListTagsOfResource",
      ],
      read: [
        "dynamodb:DescribeTable",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:ListTagsOfResource",
      ],
      update: [
        "dynamodb:UpdateTable",
        "dynamodb:UpdateTimeToLive",
        "dynamodb:TagResource",
        "dynamodb:UntagResource",
        "dynamodb:DescribeTable",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:ListTagsOfResource",
      ],
      delete: ["dynamodb:DeleteTable", "dynamodb:DescribeTable"],
    },
    notCalled:
      "stream, replica, global-secondary-index, import, point-in-time-recovery and KMS calls (none of those inputs is set)",
    forceNew: ["name", "hashKey", "rangeKey", REGION],
    normalised: [],
    deleteEffect:
      "refused while deletionProtectionEnabled is true; otherwise DeleteTable: the notifier forgets which alerts it sent and the AssumeRoot calls it kept",
  },
  "aws:cloudformation/stackSet:StackSet": {
    upstream: `${UPSTREAM}cloudformation/stack_set.go (read at commit 01e31657e16f)`,
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-activate-trusted-access.html
    calls: {
      create: [
        "cloudformation:CreateStackSet",
        "cloudformation:TagResource",
        "cloudformation:DescribeStackSet",
        "cloudformation:DescribeStackSetOperation",
      ],
      read: ["cloudformation:DescribeStackSet"],
      update: [
        "cloudformation:UpdateStackSet",
        "cloudformation:TagResource",
        "cloudformation:DescribeStackSetOperation",
        "cloudformation:DescribeStackSet",
      ],
      delete: ["cloudformation:DeleteStackSet"],
    },
    notCalled:
      "iam:PassRole (administrationRoleArn, self-managed stack sets only) and organizations:ListDelegatedAdministrators (callAs DELEGATED_ADMIN only)",
    forceNew: ["name", "autoDeployment", REGION],
    normalised: [
      {
        input: "templateBody",
        behaviour:
          "JSON-equivalence: SuppressEquivalentJSONOrYAMLDiffs on read and plan, so only a different document diffs",
        source: "cloudformation/stack_set.go template_body",
      },
      {
        input: "administrationRoleArn",
        behaviour:
          "not read back when autoDeployment is set (AWS returns one for a service-managed stack set)",
        source: "cloudformation/stack_set.go resourceStackSetRead",
      },
    ],
    deleteEffect:
      "DeleteStackSet, refused while the stack set has instances (the StackInstances resource, which depends on it, is deleted first)",
  },
  "aws:cloudformation/stackInstances:StackInstances": {
    upstream: `${UPSTREAM}cloudformation/stack_instances.go (read at commit 0de0d32612df)`,
    calls: {
      create: [
        "cloudformation:CreateStackInstances",
        "cloudformation:DescribeStackSetOperation",
        "cloudformation:ListStackInstances",
        "cloudformation:DescribeStackSet",
      ],
      read: ["cloudformation:ListStackInstances", "cloudformation:DescribeStackSet"],
      update: [
        "cloudformation:CreateStackInstances",
        "cloudformation:DeleteStackInstances",
        "cloudformation:UpdateStackInstances",
        "cloudformation:DescribeStackSetOperation",
        "cloudformation:ListStackInstances",
        "cloudformation:DescribeStackSet",
      ],
      delete: ["cloudformation:DeleteStackInstances", "cloudformation:DescribeStackSetOperation"],
    },
    // regions and deploymentTargets change in place: removed regions or OUs get
    // DeleteStackInstances, added ones CreateStackInstances (resourceStackInstancesUpdate).
    forceNew: ["stackSetName", "deploymentTargets.accountFilterType", REGION],
    normalised: [
      {
        input: "regions",
        behaviour:
          "a set: the order of regions never diffs (the rollout order is operationPreferences.regionOrders)",
        source: "cloudformation/stack_instances.go regions TypeSet",
      },
    ],
    deleteEffect:
      "DeleteStackInstances (retainStacks false): every member account's forwarding rule and role is deleted, and root events reach the notifier only through the log group again",
  },
  [DYNAMIC_RESOURCE_TYPE]: {
    upstream:
      "components/stackSetsAccess.ts (this program's dynamic provider; @pulumi/pulumi cmd/dynamic-provider/index.js diff delegates to it)",
    // ActivateOrganizationsAccess enables trusted access for StackSets and creates the
    // management account's service-linked role AWSServiceRoleForCloudFormationStackSetsOrgAdmin:
    // the caller needs the Organizations and IAM permissions for that, as for
    // EnableAWSServiceAccess (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services.html#orgs_trusted_access_perms).
    calls: {
      create: [
        "cloudformation:DescribeOrganizationsAccess",
        "cloudformation:ActivateOrganizationsAccess",
        "organizations:EnableAWSServiceAccess",
        "organizations:ListAWSServiceAccessForOrganization",
        "iam:CreateServiceLinkedRole",
      ],
      read: ["cloudformation:DescribeOrganizationsAccess"],
      update: [
        "cloudformation:DescribeOrganizationsAccess",
        "cloudformation:ActivateOrganizationsAccess",
        "organizations:EnableAWSServiceAccess",
        "organizations:ListAWSServiceAccessForOrganization",
        "iam:CreateServiceLinkedRole",
      ],
      delete: [],
    },
    notCalled:
      "cloudformation:DeactivateOrganizationsAccess: never, on delete the stack forgets it",
    forceNew: ["managementAccountId"],
    normalised: [],
    notDiffed: ["__provider"],
    deleteEffect:
      "none: trusted access for StackSets stays activated (retainOnDelete, and the provider's delete does nothing)",
  },
  "aws:cfg/organizationManagedRule:OrganizationManagedRule": {
    upstream: `${UPSTREAM}configservice/organization_managed_rule.go (read at commit 0cd6b58a5617)`,
    // https://docs.aws.amazon.com/config/latest/APIReference/API_PutOrganizationConfigRule.html
    calls: {
      create: [
        "config:PutOrganizationConfigRule",
        "organizations:EnableAWSServiceAccess",
        "organizations:ListAWSServiceAccessForOrganization",
        "iam:CreateServiceLinkedRole",
        "iam:GetRole",
        "config:DescribeOrganizationConfigRuleStatuses",
        "config:GetOrganizationConfigRuleDetailedStatus",
        "config:DescribeOrganizationConfigRules",
      ],
      read: ["config:DescribeOrganizationConfigRules"],
      update: [
        "config:PutOrganizationConfigRule",
        "config:DescribeOrganizationConfigRuleStatuses",
        "config:GetOrganizationConfigRuleDetailedStatus",
        "config:DescribeOrganizationConfigRules",
      ],
      delete: [
        "config:DeleteOrganizationConfigRule",
        "config:DescribeOrganizationConfigRuleStatuses",
      ],
    },
    notCalled:
      "organizations:ListDelegatedAdministrators (only when a delegated administrator calls)",
    forceNew: ["name", REGION],
    normalised: [
      {
        input: "excludedAccounts",
        behaviour: "a set: order does not matter",
        source: "configservice/organization_managed_rule.go",
      },
    ],
    deleteEffect: "DeleteOrganizationConfigRule: the rule leaves every account",
  },
};

/** The provider's calls at configure time, per provider (pulumi-aws provider/config.go). */
export const PROVIDER_CONFIGURE_CALLS = {
  /** Credentials validation (skipCredentialsValidation is false) and allowedAccountIds. */
  always: ["sts:GetCallerIdentity"],
  /** A provider with assumeRoles: AssumeRole from the ambient credentials, then as the role. */
  assumeRole: ["sts:AssumeRole"],
} as const;
