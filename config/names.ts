import { OrganizationModel } from "../org/model";
import { GLOBAL_EVENTS_REGION } from "./regions";
import { DELEGATED_TRAIL_SUFFIX, GuardrailConfig, LogGroupLocation } from "./schema";

/**
 * Every name and ARN the guardrails use, derived from config and the organization alone. They are
 * known before anything exists, so policies that name them (bucket policy, key policies, SCPs)
 * are fully readable in the offline plan, with no value "known after apply".
 */
export interface GuardrailNames {
  readonly partition: string;
  readonly region: string;
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly logArchiveAccountId: string;
  /** The account that creates the trail and holds the central log group and delivery role. */
  readonly trailAccountId: string;
  readonly trailName: string;
  /** An organization trail belongs to the management account, whoever created it. */
  readonly trailArn: string;
  /**
   * While the central log group moves (`centralLogs.movingFrom`), the trail of the old location,
   * which keeps running until it is deleted by hand; undefined otherwise.
   */
  readonly retiringTrailArn: string | undefined;
  /** Every trail the archive accepts log files from: this one, and the retiring one if any. */
  readonly archiveTrailArns: readonly string[];
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly logGroupName: string;
  readonly logGroupArn: string;
  /** The role the program assumes in the log-archive account. */
  readonly logArchiveDeploymentRoleArn: string;
  /** The alert topic, the notifier function and its log group, beside the central log group. */
  readonly alertTopicName: string;
  readonly alertTopicArn: string;
  /** The topic unexplained root use pages through. */
  readonly pagingTopicName: string;
  readonly pagingTopicArn: string;
  readonly notifierFunctionName: string;
  /** The notifier's execution role (named like the function). */
  readonly notifierRoleArn: string;
  /** The role CloudTrail assumes to write to the central log group. */
  readonly deliveryRoleName: string;
  readonly deliveryRoleArn: string;
  readonly notifierFunctionArn: string;
  readonly notifierLogGroupName: string;
  readonly notifierLogGroupArn: string;
  /** The notifier's store: alerts already sent (per CloudTrail event ID) and proved AssumeRoot calls. */
  readonly alertStoreName: string;
  readonly alertStoreArn: string;
  /** The fast path (issue 16), or undefined when `fastPath.enabled` is false. */
  readonly fastPath: FastPathNames | undefined;
  /**
   * The back-test's pieces in the log-archive account (issue 18): named whether or not
   * `backtest.enabled` deploys them, since `npm run backtest -- --print-sql` prints them anyway.
   */
  readonly backtest: BacktestNames;
}

export interface BacktestNames {
  readonly database: string;
  readonly table: string;
  /** Glue's ARNs of the account's Data Catalog, the database and the table. */
  readonly catalogArn: string;
  readonly databaseArn: string;
  readonly tableArn: string;
  /** Athena reads the region's `default` database whatever a query names. */
  readonly defaultDatabaseArn: string;
  readonly workgroup: string;
  readonly workgroupArn: string;
  readonly resultsBucketName: string;
  readonly resultsBucketArn: string;
  /** Workgroups have no resource policy: back-tests run as this role, in the log-archive account. */
  readonly readerRoleName: string;
  readonly readerRoleArn: string;
}

export interface FastPathNames {
  /**
   * Every region a rule forwards from, the global-events region first: the StackSet creates the
   * forwarding role there (IAM is global), before the rules of the other regions name it.
   */
  readonly regions: readonly string[];
  readonly roleRegion: string;
  /** The central bus, beside the notifier (its account, homeRegion). */
  readonly busName: string;
  readonly busArn: string;
  /** The rule on the central bus that invokes the notifier. */
  readonly busRuleName: string;
  readonly busRuleArn: string;
  /** The central bus's rule for forwarded AssumeRoot calls. */
  readonly busAssumeRootRuleName: string;
  /** Every rule of the central bus (the notifier's invoke permission names them so). */
  readonly busRulesArn: string;
  /** The rule on each account's default bus (member accounts by the StackSet, the management account by this program). */
  readonly ruleName: string;
  /** The management account's rule forwarding its AssumeRoot calls. */
  readonly assumeRootRuleName: string;
  /** The forwarding role, one per account, the same name everywhere. */
  readonly forwarderRoleName: string;
  readonly stackSetName: string;
  /**
   * The roles StackSets' service-managed stacks are created with in each member account, as an
   * IAM role-name pattern: ordinary roles (SCPs apply to them), not service-linked ones.
   */
  readonly stackSetExecutionRolePattern: string;
}

const ALERT_TOPIC_NAME = "aws-org-guardrails-root-activity";
const PAGING_TOPIC_NAME = "aws-org-guardrails-root-unexplained";
const NOTIFIER_FUNCTION_NAME = "aws-org-guardrails-root-activity-notifier";
const DELIVERY_ROLE_NAME = "aws-org-guardrails-trail-to-cloudwatch";
const ALERT_STORE_NAME = "aws-org-guardrails-root-alerts";
/** Glue names: lowercase letters, digits and underscores (Athena's rule for database and table names). */
export const BACKTEST = {
  database: "aws_org_guardrails",
  table: "cloudtrail",
  workgroup: "aws-org-guardrails-backtest",
  readerRole: "aws-org-guardrails-backtest-reader",
} as const;
/** The fast path's stack set, by name (discovery reads it without a stack's config). */
export const FAST_PATH_STACK_SET_NAME = "aws-org-guardrails-root-activity-fast-path";
const FAST_PATH = {
  bus: "aws-org-guardrails-root-activity",
  busRule: "aws-org-guardrails-root-activity-to-notifier",
  busAssumeRootRule: "aws-org-guardrails-assume-root-to-notifier",
  rule: "aws-org-guardrails-root-activity-forward",
  assumeRootRule: "aws-org-guardrails-assume-root-forward",
  role: "aws-org-guardrails-root-activity-forwarder",
  stackSet: FAST_PATH_STACK_SET_NAME,
  // Service-managed stack sets deploy with a `stacksets-exec-<id>` role in each target account,
  // which the service-linked role AWSServiceRoleForCloudFormationStackSetsOrgMember creates and the
  // management account's AWSServiceRoleForCloudFormationStackSetsOrgAdmin assumes: its policy
  // allows exactly sts:AssumeRole on arn:aws:iam::*:role/stacksets-exec-*.
  // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/CloudFormationStackSetsOrgAdminServiceRolePolicy.html
  executionRole: "stacksets-exec-*",
} as const;

/**
 * The regions the fast path forwards from: the partition's global-events region first (IAM and
 * sign-in events are recorded only there, and the StackSet creates the account's one forwarding
 * role there), then homeRegion, then `fastPath.regions` in their order, each once.
 */
export function fastPathRegions(config: GuardrailConfig, partition: string): string[] {
  const global = GLOBAL_EVENTS_REGION[partition] ?? config.homeRegion;
  return [...new Set([global, config.homeRegion, ...config.fastPath.regions])];
}

export function deriveNames(
  config: GuardrailConfig,
  organization: OrganizationModel,
): GuardrailNames {
  const partition = organization.partition;
  const region = config.homeRegion;
  const trailAccountId =
    config.centralLogs.location === "delegatedAdministrator"
      ? config.logArchive.accountId
      : config.managementAccountId;
  const trailName = (location: LogGroupLocation): string =>
    location === "delegatedAdministrator"
      ? `${config.trail.name}${DELEGATED_TRAIL_SUFFIX}`
      : config.trail.name;
  // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html
  // ("the management account remains the owner of organization trails a delegated administrator creates")
  const trailArn = (location: LogGroupLocation): string =>
    `arn:${partition}:cloudtrail:${region}:${config.managementAccountId}:trail/${trailName(location)}`;
  const movingFrom = config.centralLogs.movingFrom;
  const retiringTrailArn = movingFrom === undefined ? undefined : trailArn(movingFrom);
  const bucketName =
    config.logArchive.bucketName ??
    `aws-org-guardrails-trail-${config.logArchive.accountId}-${region}`;
  const logGroupName = config.centralLogs.logGroupName;
  return {
    partition,
    region,
    organizationId: organization.organization.id,
    managementAccountId: config.managementAccountId,
    logArchiveAccountId: config.logArchive.accountId,
    trailAccountId,
    trailName: trailName(config.centralLogs.location),
    trailArn: trailArn(config.centralLogs.location),
    retiringTrailArn,
    archiveTrailArns: [
      trailArn(config.centralLogs.location),
      ...(retiringTrailArn === undefined ? [] : [retiringTrailArn]),
    ],
    bucketName,
    bucketArn: `arn:${partition}:s3:::${bucketName}`,
    logGroupName,
    logGroupArn: `arn:${partition}:logs:${region}:${trailAccountId}:log-group:${logGroupName}`,
    logArchiveDeploymentRoleArn: `arn:${partition}:iam::${config.logArchive.accountId}:role/${config.logArchive.roleName}`,
    alertTopicName: ALERT_TOPIC_NAME,
    alertTopicArn: `arn:${partition}:sns:${region}:${trailAccountId}:${ALERT_TOPIC_NAME}`,
    pagingTopicName: PAGING_TOPIC_NAME,
    pagingTopicArn: `arn:${partition}:sns:${region}:${trailAccountId}:${PAGING_TOPIC_NAME}`,
    notifierFunctionName: NOTIFIER_FUNCTION_NAME,
    notifierRoleArn: `arn:${partition}:iam::${trailAccountId}:role/${NOTIFIER_FUNCTION_NAME}`,
    deliveryRoleName: DELIVERY_ROLE_NAME,
    deliveryRoleArn: `arn:${partition}:iam::${trailAccountId}:role/${DELIVERY_ROLE_NAME}`,
    notifierFunctionArn: `arn:${partition}:lambda:${region}:${trailAccountId}:function:${NOTIFIER_FUNCTION_NAME}`,
    notifierLogGroupName: `/aws/lambda/${NOTIFIER_FUNCTION_NAME}`,
    notifierLogGroupArn: `arn:${partition}:logs:${region}:${trailAccountId}:log-group:/aws/lambda/${NOTIFIER_FUNCTION_NAME}`,
    alertStoreName: ALERT_STORE_NAME,
    alertStoreArn: `arn:${partition}:dynamodb:${region}:${trailAccountId}:table/${ALERT_STORE_NAME}`,
    fastPath: config.fastPath.enabled
      ? fastPathNames(config, partition, trailAccountId)
      : undefined,
    backtest: backtestNames(config, partition),
  };
}

function backtestNames(config: GuardrailConfig, partition: string): BacktestNames {
  const account = config.logArchive.accountId;
  const region = config.homeRegion;
  const glue = `arn:${partition}:glue:${region}:${account}`;
  const resultsBucketName =
    config.backtest.resultsBucketName ?? `aws-org-guardrails-backtest-${account}-${region}`;
  return {
    database: BACKTEST.database,
    table: BACKTEST.table,
    // https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html
    catalogArn: `${glue}:catalog`,
    databaseArn: `${glue}:database/${BACKTEST.database}`,
    tableArn: `${glue}:table/${BACKTEST.database}/${BACKTEST.table}`,
    defaultDatabaseArn: `${glue}:database/default`,
    workgroup: BACKTEST.workgroup,
    workgroupArn: `arn:${partition}:athena:${region}:${account}:workgroup/${BACKTEST.workgroup}`,
    resultsBucketName,
    resultsBucketArn: `arn:${partition}:s3:::${resultsBucketName}`,
    readerRoleName: BACKTEST.readerRole,
    readerRoleArn: `arn:${partition}:iam::${account}:role/${BACKTEST.readerRole}`,
  };
}

function fastPathNames(
  config: GuardrailConfig,
  partition: string,
  busAccountId: string,
): FastPathNames {
  const regions = fastPathRegions(config, partition);
  const busArn = `arn:${partition}:events:${config.homeRegion}:${busAccountId}:event-bus/${FAST_PATH.bus}`;
  return {
    regions,
    roleRegion: regions[0],
    busName: FAST_PATH.bus,
    busArn,
    busRuleName: FAST_PATH.busRule,
    // A rule on a custom bus: rule/<bus>/<rule> (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html#amazoneventbridge-resources-for-iam-policies).
    busRuleArn: `arn:${partition}:events:${config.homeRegion}:${busAccountId}:rule/${FAST_PATH.bus}/${FAST_PATH.busRule}`,
    busAssumeRootRuleName: FAST_PATH.busAssumeRootRule,
    busRulesArn: `arn:${partition}:events:${config.homeRegion}:${busAccountId}:rule/${FAST_PATH.bus}/*`,
    ruleName: FAST_PATH.rule,
    assumeRootRuleName: FAST_PATH.assumeRootRule,
    forwarderRoleName: FAST_PATH.role,
    stackSetName: FAST_PATH.stackSet,
    stackSetExecutionRolePattern: FAST_PATH.executionRole,
  };
}
