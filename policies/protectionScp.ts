import { GuardrailNames } from "../config/names";
import { METRIC_NAMESPACE } from "../detection/patterns";
import { PolicyDocument, PolicyStatement } from "./document";

/** Every KMS key the program creates carries an alias under this prefix; the SCP protects them by it. */
export const KEY_ALIAS_PREFIX = "alias/aws-org-guardrails/";
/** The archive key's alias: policies that must name the key before it exists name it by this. */
export const ARCHIVE_KEY_ALIAS = `${KEY_ALIAS_PREFIX}trail-archive`;

export interface ProtectionScpInput {
  readonly names: GuardrailNames;
  /**
   * Role ARN patterns (ArnLike) that may still change the protected resources: the role this
   * program deploys with. Never an account or a root user.
   */
  readonly exceptRoleArnPatterns: readonly string[];
  /** In the delegated-administrator mode the trail, log group and alerting sit in a member account. */
  readonly protectDetection: boolean;
  /** With `backtest.enabled`: the back-test's table, workgroup, results bucket and reader role. */
  readonly protectBacktest?: boolean;
}

/**
 * What non-exempt principals may still do on a guarded resource: reading it, and using a key
 * without changing it. Each statement below denies everything else on its resources (`NotAction`),
 * so an action AWS adds tomorrow is denied too; the sweep in the tests checks every Write,
 * Permissions management and Tagging action of AWS's reference data against these lists, and the
 * reason for each entry is given here. An entry must never be able to weaken, blind or silence.
 */
export const STILL_ALLOWED: Readonly<Record<string, readonly string[]>> = {
  // Reading the archive is what it is for (readers, auditors, Athena); it cannot change a file.
  // Restoring an archived (Glacier) file makes a temporary readable copy and changes nothing.
  s3: ["s3:Get*", "s3:List*", "s3:RestoreObject"],
  // Reading a key, and cryptographic use: using a key cannot change it or what it protects, and
  // the key policies decide who may (readers decrypt, the notifier encrypts alerts). Rotation only
  // strengthens a key.
  kms: [
    "kms:Describe*",
    "kms:Get*",
    "kms:List*",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
    "kms:EnableKeyRotation",
    "kms:RotateKeyOnDemand",
  ],
  // Reading the trail and its events.
  cloudtrail: [
    "cloudtrail:Get*",
    "cloudtrail:Describe*",
    "cloudtrail:List*",
    "cloudtrail:LookupEvents",
  ],
  // Reading and querying the log groups. Writing streams and events is allowed only to the
  // program's own writers (below); Unmask reveals masked data to a reader, it masks nothing.
  logs: [
    "logs:Describe*",
    "logs:Get*",
    "logs:List*",
    "logs:FilterLogEvents",
    "logs:StartQuery",
    "logs:StopQuery",
    "logs:StartLiveTail",
    "logs:StopLiveTail",
    "logs:TestMetricFilter",
    "logs:Unmask",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
  ],
  // Reading alarms and their history.
  cloudwatch: ["cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*"],
  // Reading the topic; publishing only for the notifier (below).
  sns: ["sns:Get*", "sns:List*", "sns:Publish"],
  // Reading the function.
  lambda: ["lambda:Get*", "lambda:List*"],
  // Reading the roles.
  iam: ["iam:Get*", "iam:List*"],
  // Reading the log-archive account's settings. Closing it, changing its primary e-mail (the
  // root user's password recovery) or contacts, or its regions, is the deployment role's alone.
  account: ["account:Get*", "account:List*"],
  // Reading the fast path's rules and bus (the forwarding roles, exempt there, put events on it).
  events: ["events:Describe*", "events:List*", "events:TestEventPattern"],
  // Reading the StackSet's stacks in each account.
  cloudformation: ["cloudformation:Describe*", "cloudformation:List*", "cloudformation:Get*"],
  // Reading the back-test's table definition: the table decides what a back-test reads (its
  // location, its projected regions and days), so changing it could make a back-test see nothing.
  glue: ["glue:Get*", "glue:BatchGet*"],
  // Reading the back-test workgroup and its queries, and running and stopping queries in it: a
  // query reads, under the workgroup's enforced settings (guarded), and only the reader role may
  // write its results (below), so anyone else's query fails; stopping one makes a back-test fail
  // loudly, never count less. Named, not `athena:Get*`, which also matches GetSessionEndpoint (a
  // Write action of Spark sessions).
  athena: [
    "athena:GetWorkGroup",
    "athena:GetQuery*",
    "athena:BatchGetQueryExecution",
    "athena:List*",
    "athena:StartQueryExecution",
    "athena:StopQueryExecution",
  ],
  // Assuming the back-test reader role: its trust policy (guarded) decides who.
  sts: ["sts:AssumeRole"],
  // Reading the notifier's store (the notifier, exempt there, writes its items).
  dynamodb: [
    "dynamodb:Describe*",
    "dynamodb:List*",
    "dynamodb:Get*",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
  ],
};

/**
 * Organizations actions a member account's principals could take on SCPs and resource control
 * policies when the management account delegates policy management to their account: denied, so a
 * delegated administrator cannot detach, weaken, delete or retag the guardrails, nor add an SCP
 * that denies the program's own roles, nor switch the policy types off.
 */
const POLICY_MANAGEMENT_ACTIONS = [
  "organizations:CreatePolicy",
  "organizations:UpdatePolicy",
  "organizations:DeletePolicy",
  "organizations:AttachPolicy",
  "organizations:DetachPolicy",
  "organizations:TagResource",
  "organizations:UntagResource",
  "organizations:DisablePolicyType",
  "organizations:EnablePolicyType",
] as const;

/**
 * In the accounts of the exempt roles: the identity providers a custom exception role could trust,
 * and customer-managed policy versions, through which a local administrator could become the
 * exempt role or change what it does. Role trust cannot be read offline, so this closes it here.
 */
const TAKEOVER_ACTIONS = [
  "iam:CreateSAMLProvider",
  "iam:UpdateSAMLProvider",
  "iam:DeleteSAMLProvider",
  "iam:CreateOpenIDConnectProvider",
  "iam:UpdateOpenIDConnectProviderThumbprint",
  "iam:AddClientIDToOpenIDConnectProvider",
  "iam:RemoveClientIDFromOpenIDConnectProvider",
  "iam:DeleteOpenIDConnectProvider",
  "iam:CreatePolicyVersion",
  "iam:SetDefaultPolicyVersion",
] as const;

/** What Athena does in the results bucket as the reader role: write result files, abort uploads. */
const RESULT_WRITES = ["s3:PutObject", "s3:AbortMultipartUpload"] as const;

/** Every action the protection SCP names (beyond its `NotAction` lists), for validation. */
export const PROTECTION_ACTIONS: readonly string[] = [
  ...new Set([
    "organizations:LeaveOrganization",
    ...POLICY_MANAGEMENT_ACTIONS,
    ...TAKEOVER_ACTIONS,
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:UpdateAlias",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "logs:PutAccountPolicy",
    "logs:PutResourcePolicy",
    "logs:PutDeliveryDestination",
    "logs:CreateDelivery",
    "cloudwatch:PutMetricData",
    "sns:Publish",
    "events:PutPermission",
    "events:RemovePermission",
    ...RESULT_WRITES,
    ...Object.values(STILL_ALLOWED).flat(),
  ]),
];

/**
 * The SCP that keeps the guardrails on. For every principal of a member account except the
 * deployment role: no leaving the organization; no managing SCPs or resource control policies; and
 * on each guarded resource nothing but reading it (and using its keys), whatever the action is
 * called. Guarded are the log archive (bucket, objects, key, alias, the account itself) and the
 * deployment role; in the delegated-administrator location also the trail, the central and the
 * notifier's log groups with their filters, the alarms and their metrics, the alert topic, the
 * notifier function and the program's roles; with the back-test, its table, database, workgroup,
 * results bucket and reader role. The program's runtime roles keep exactly what they
 * do: the delivery role writes the central log group, the notifier writes its own log group and
 * publishes to the topic.
 *
 * Every resource is named by a deterministic ARN, so the whole policy is known at plan time. KMS
 * keys are matched by their alias (`kms:ResourceAliases`), because a key's ARN exists only after
 * it is created; creating more aliases on a guarded key is denied, so that condition stays
 * reliable (it lists only the first aliases of a key). Exceptions are by role ARN
 * (`ArnNotLike aws:PrincipalArn`), never by account. SCPs never restrict service principals or
 * service-linked roles: CloudTrail delivery, S3 lifecycle expiry and CloudWatch Logs go on.
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases
 */
export function buildProtectionScp(input: ProtectionScpInput): PolicyDocument {
  const { names } = input;
  const exempt = [...input.exceptRoleArnPatterns].sort();
  const unless = (roles: readonly string[]) => ({
    ArnNotLike: { "aws:PrincipalArn": roles.length === 1 ? roles[0] : [...roles].sort() },
  });
  const unlessDeployer = unless(exempt);
  const allButReading = (
    sid: string,
    service: keyof typeof STILL_ALLOWED,
    resources: string | string[],
    extra: Record<string, Record<string, string | string[]>> = {},
    alsoExempt: readonly string[] = [],
  ): PolicyStatement => ({
    Sid: sid,
    Effect: "Deny",
    NotAction: [...STILL_ALLOWED[service]],
    Resource: resources,
    Condition: {
      ...(alsoExempt.length > 0 ? unless([...exempt, ...alsoExempt]) : unlessDeployer),
      ...extra,
    },
  });
  const deny = (
    sid: string,
    actions: string | readonly string[],
    resources: string | string[],
    condition: Record<string, Record<string, string | string[]>> = unlessDeployer,
  ): PolicyStatement => ({
    Sid: sid,
    Effect: "Deny",
    Action: typeof actions === "string" ? actions : [...actions],
    Resource: resources,
    Condition: condition,
  });
  const arn = (service: string, account: string, rest: string): string =>
    `arn:${names.partition}:${service}:${names.region}:${account}:${rest}`;
  // Keys in the management account need no SCP (none applies there); the archive key, and in the
  // delegated-administrator mode every other key, sit in the log-archive account.
  const keyAccount = names.logArchiveAccountId;
  const exemptAccounts = [...new Set(exempt.map((pattern) => pattern.split(":")[4]))].sort();
  const inExemptAccounts = (kind: string) =>
    exemptAccounts.map((account) => `arn:${names.partition}:iam::${account}:${kind}/*`);
  const statements: PolicyStatement[] = [
    {
      Sid: "DenyLeavingTheOrganization",
      Effect: "Deny",
      Action: "organizations:LeaveOrganization",
      Resource: "*",
    },
    // Named by the policies' ARNs (the organization's and AWS's own, FullAWSAccess among them), so
    // the deny does not depend on a condition key AWS might not set; the policy types by their key.
    {
      Sid: "DenyMemberPolicyManagement",
      Effect: "Deny",
      Action: POLICY_MANAGEMENT_ACTIONS.filter((action) => !action.endsWith("PolicyType")),
      Resource: ["service_control_policy", "resource_control_policy"].flatMap((type) => [
        `arn:${names.partition}:organizations::${names.managementAccountId}:policy/${names.organizationId}/${type}/*`,
        `arn:${names.partition}:organizations::aws:policy/${type}/*`,
      ]),
    },
    {
      Sid: "DenyMemberPolicyTypeChanges",
      Effect: "Deny",
      Action: ["organizations:DisablePolicyType", "organizations:EnablePolicyType"],
      Resource: "*",
      Condition: {
        StringEquals: {
          "organizations:PolicyType": ["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY"],
        },
      },
    },
    // With its access points: an access point (or a multi-region one) of the log-archive account is
    // a second way to the archive's objects, with a policy of its own.
    allButReading("ProtectLogArchiveBucket", "s3", [
      names.bucketArn,
      `${names.bucketArn}/*`,
      `arn:${names.partition}:s3:*:${names.logArchiveAccountId}:accesspoint/*`,
    ]),
    // The account as itself, and as the organization's (what the Account Management delegated
    // administrator, a member account, acts on).
    allButReading("ProtectLogArchiveAccount", "account", [
      `arn:${names.partition}:account::${names.logArchiveAccountId}:account`,
      `arn:${names.partition}:account::${names.managementAccountId}:account/${names.organizationId}/${names.logArchiveAccountId}`,
    ]),
    allButReading("ProtectGuardrailKeys", "kms", arn("kms", keyAccount, "key/*"), {
      "ForAnyValue:StringLike": { "kms:ResourceAliases": `${KEY_ALIAS_PREFIX}*` },
    }),
    deny(
      "ProtectGuardrailKeyAliases",
      ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
      arn("kms", keyAccount, `${KEY_ALIAS_PREFIX}*`),
    ),
    // Nobody else may re-point the exempted role: changing its trust policy would let them
    // assume it, and then change everything the exemption allows.
    allButReading("ProtectDeploymentRole", "iam", exempt),
    // In both locations: a member account registered as CloudTrail delegated administrator may
    // manage every organization trail.
    allButReading("ProtectOrganizationTrail", "cloudtrail", [...names.archiveTrailArns]),
    deny("DenyExemptRoleTakeover", TAKEOVER_ACTIONS, [
      ...inExemptAccounts("saml-provider"),
      ...inExemptAccounts("oidc-provider"),
      ...inExemptAccounts("policy"),
    ]),
  ];
  const fastPath = names.fastPath;
  if (fastPath !== undefined) {
    // In every member account and region: the StackSet's rule (and its target, which is part of
    // the rule's ARN to EventBridge), its stacks, and the forwarding role, which nobody else may
    // create either (a role of that name made first would be trusted by the central bus). The
    // StackSet creates them with its execution roles (`stacksets-exec-*`, ordinary roles that
    // SCPs restrict), so those are exempt here, and nobody but the deployment role may change
    // them (their trust decides who acts with that exemption; the service-linked role that
    // creates them is beyond SCPs anyway: "SCPs don't affect service-linked roles",
    // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
    const partition = names.partition;
    const executors = `arn:${partition}:iam::*:role/${fastPath.stackSetExecutionRolePattern}`;
    const forwarders = `arn:${partition}:iam::*:role/${fastPath.forwarderRoleName}`;
    statements.push(
      // One statement for the fast path's rules (in the delegated location the central bus and
      // its rule too), stacks and forwarding role: reading each is all anyone else may do. The
      // forwarding roles are exempt as well: their guarded policy allows one call, PutEvents on
      // the central bus, and only EventBridge of their account may act as them. The execution
      // roles' exemption reaches the bus: whoever may run service-managed stack sets (the
      // management account, StackSets delegated administrators) can change every account's rule
      // through them anyway.
      {
        Sid: "ProtectFastPath",
        Effect: "Deny",
        NotAction: [...STILL_ALLOWED.events, ...STILL_ALLOWED.cloudformation, ...STILL_ALLOWED.iam],
        Resource: [
          // The fast path's rules by the program's prefix: in every account the two on the default
          // bus, in the delegated location also those of the central bus (rule/<bus>/<rule>).
          `arn:${partition}:events:*:*:rule/aws-org-guardrails-*`,
          ...(input.protectDetection ? [fastPath.busArn] : []),
          `arn:${partition}:cloudformation:*:*:stack/StackSet-${fastPath.stackSetName}-*`,
          forwarders,
        ],
        Condition: unless([...exempt, executors, forwarders]),
      },
      // The execution roles themselves, and in the delegated location the program's roles in the
      // trail account (named, so that account's own forwarding role stays the StackSet's).
      allButReading("ProtectGuardrailRoles", "iam", [
        executors,
        ...(input.protectDetection ? [names.deliveryRoleArn, names.notifierRoleArn] : []),
      ]),
    );
  }
  if (input.protectBacktest === true) {
    const backtest = names.backtest;
    // The back-test's pieces in the log-archive account: reading each, running queries and
    // assuming the reader role is all anyone may do, the reader role included; writing results is
    // the reader's alone (Athena writes them to their bucket as the caller).
    statements.push(
      {
        Sid: "ProtectBacktest",
        Effect: "Deny",
        NotAction: [
          ...STILL_ALLOWED.s3.filter((action) => action !== "s3:RestoreObject"),
          ...RESULT_WRITES,
          ...STILL_ALLOWED.glue,
          ...STILL_ALLOWED.athena,
          ...STILL_ALLOWED.iam,
          ...STILL_ALLOWED.sts,
        ],
        Resource: [
          backtest.resultsBucketArn,
          `${backtest.resultsBucketArn}/*`,
          backtest.workgroupArn,
          backtest.databaseArn,
          backtest.tableArn,
          backtest.readerRoleArn,
        ],
        Condition: unlessDeployer,
      },
      deny(
        "OnlyTheReaderWritesResults",
        RESULT_WRITES,
        `${backtest.resultsBucketArn}/*`,
        unless([...exempt, backtest.readerRoleArn]),
      ),
    );
  }
  if (input.protectDetection) {
    const account = names.trailAccountId;
    const centralLogGroup = [names.logGroupArn, `${names.logGroupArn}:*`];
    const notifierLogGroup = [names.notifierLogGroupArn, `${names.notifierLogGroupArn}:*`];
    statements.push(
      allButReading("ProtectCentralLogGroup", "logs", [...centralLogGroup, ...notifierLogGroup]),
      deny(
        "OnlyTheTrailWritesTheCentralLogGroup",
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        centralLogGroup,
        unless([...exempt, names.deliveryRoleArn]),
      ),
      deny(
        "OnlyTheNotifierWritesItsLogGroup",
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        notifierLogGroup,
        unless([...exempt, names.notifierRoleArn]),
      ),
      // Account-wide data protection (or subscription) policies reach the central log group
      // without naming it: a custom identifier matching "Root" would blind every filter.
      // Account-wide log settings reach the central log group without naming it: data protection
      // (a custom identifier matching "Root" blinds every filter), and resource policies and
      // delivery destinations that let a service write into it (forged root events).
      deny(
        "DenyAccountLogPolicies",
        [
          "logs:PutAccountPolicy",
          "logs:PutResourcePolicy",
          "logs:PutDeliveryDestination",
          "logs:CreateDelivery",
          // Event bus policies (the central bus's among them) have no resource of their own.
          ...(fastPath === undefined ? [] : ["events:PutPermission", "events:RemovePermission"]),
        ],
        "*",
        { ...unlessDeployer, StringEquals: { "aws:PrincipalAccount": account } },
      ),
      allButReading(
        "ProtectRootAlarms",
        "cloudwatch",
        arn("cloudwatch", account, "alarm:aws-org-guardrails-*"),
      ),
      // Mute rules name the alarms they silence inside the rule, and data points into the alarms'
      // namespace move them (negative ones keep Sum >= 1 at OK): both denied outright there.
      allButReading(
        "DenyAlarmMuteRules",
        "cloudwatch",
        arn("cloudwatch", account, "alarm-mute-rule:*"),
      ),
      deny("DenyFeedingTheRootMetrics", "cloudwatch:PutMetricData", "*", {
        ...unlessDeployer,
        StringEquals: { "cloudwatch:namespace": METRIC_NAMESPACE },
      }),
      // A subscription's ARN is the topic's with `:<id>`.
      allButReading("ProtectAlertTopic", "sns", [
        names.alertTopicArn,
        `${names.alertTopicArn}:*`,
        names.pagingTopicArn,
        `${names.pagingTopicArn}:*`,
      ]),
      deny(
        "OnlyTheNotifierPublishes",
        "sns:Publish",
        [names.alertTopicArn, names.pagingTopicArn],
        unless([...exempt, names.notifierRoleArn]),
      ),
      allButReading("ProtectNotifier", "lambda", [
        names.notifierFunctionArn,
        `${names.notifierFunctionArn}:*`,
      ]),
      // With the fast path, the roles' statement above covers every account.
      ...(fastPath === undefined
        ? [
            allButReading(
              "ProtectGuardrailRoles",
              "iam",
              `arn:${names.partition}:iam::${account}:role/aws-org-guardrails-*`,
            ),
          ]
        : []),
      // The notifier is exempt: it writes the items (GetItem, PutItem, DeleteItem, all its
      // policy allows), and its role and policy are guarded above.
      allButReading("ProtectAlertStore", "dynamodb", names.alertStoreArn, {}, [
        names.notifierRoleArn,
      ]),
    );
  }
  return { Version: "2012-10-17", Statement: statements };
}
