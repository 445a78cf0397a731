import * as pulumi from "@pulumi/pulumi";
import { failCleanly, loadProgramInputs } from "./config/load";
import { MEMBER_ACCOUNTS_COMPONENT, resolveDeclared } from "./config/declared";
import { deriveNames } from "./config/names";
import { LogArchive } from "./components/logArchive";
import { Backtest } from "./components/backtest";
import { OrganizationTrail } from "./components/organizationTrail";
import { CentralizedRootAccess } from "./components/centralizedRootAccess";
import { MemberAccounts } from "./components/memberAccounts";
import { createAccountProviders } from "./components/providers";
import { notifierCodeArchive } from "./components/notifierCode";
import { RootActivityAlarms } from "./components/rootActivityAlarms";
import { RootActivityNotifier } from "./components/rootActivityNotifier";
import { windowsOf } from "./notifier/breakGlass";
import { FastPath } from "./components/fastPath";
import { RootMfaRule } from "./components/rootMfaRule";
import { scpOutputs, ServiceControlPolicy } from "./components/serviceControlPolicy";
import { planServiceControlPolicies } from "./policies/scpPlan";

/**
 * aws-org-guardrails: root-user guardrails for every member account of an AWS organization.
 * Everything that can be wrong with the input is found before the first resource is registered.
 */
export = async () => {
  // 1. Stack config and the organization, validated against each other.
  const { config, organization } = await loadProgramInputs();

  // 2. Every name and policy document derived, rendered and budgeted.
  const names = deriveNames(config, organization);
  const scps = failCleanly(() => planServiceControlPolicies(config, organization, names));

  // 3. One explicit provider per account.
  const providers = createAccountProviders({
    partition: organization.partition,
    region: config.homeRegion,
    managementAccountId: config.managementAccountId,
    logArchiveAccountId: config.logArchive.accountId,
    logArchiveRoleName: config.logArchive.roleName,
    stack: pulumi.getStack(),
  });

  // 4. The audit trail: archive in the log-archive account, organization trail, central log group.
  const archive = new LogArchive(
    "log-archive",
    { names, settings: config.logArchive, protectAuditData: config.protectAuditData },
    { provider: providers.logArchive },
  );
  // 4b. Optional: back-testing the detections with Athena where the archive lives.
  const backtest = config.backtest.enabled
    ? new Backtest(
        "backtest",
        { names, settings: config.backtest, archiveKeyArn: archive.key.arn },
        { provider: providers.logArchive },
      )
    : undefined;
  const trail = new OrganizationTrail("organization-trail", {
    names,
    retentionInDays: config.centralLogs.retentionInDays,
    location: config.centralLogs.location,
    archive: {
      bucketName: archive.bucketName,
      keyArn: archive.key.arn,
      bucketPolicy: archive.bucketPolicy,
    },
    managementProvider: providers.management,
    trailProvider: providers.forAccount(names.trailAccountId),
    protectAuditData: config.protectAuditData,
  });

  // 5. Detection on the central log group, in its account: root-usage alarms and per-event alerts.
  const trailAccount = { provider: trail.trailProvider };
  const alarms = new RootActivityAlarms(
    "root-activity",
    { names, logGroup: trail.logGroup, alerts: config.alerts },
    trailAccount,
  );
  const notifier = new RootActivityNotifier(
    "root-activity-notifier",
    {
      names,
      logGroup: trail.logGroup,
      topic: alarms.topic,
      pagingTopic: alarms.pagingTopic,
      topicKey: alarms.topicKey,
      assumeRootCallers: [
        config.managementAccountId,
        ...config.centralizedRootAccess.delegatedAdministrators,
      ],
      breakGlass: windowsOf(config.rootAccess.breakGlass, config.rootAccess.maxBreakGlassHours),
      code: notifierCodeArchive(),
      logRetentionInDays: config.alerts.notifierLogRetentionInDays,
      reservedConcurrency: config.alerts.notifierReservedConcurrency,
    },
    trailAccount,
  );

  // 5b. The fast path: root events from every account and region through EventBridge, seconds
  // after the call; the log group's path above stays as the backstop.
  const fastPath =
    names.fastPath === undefined
      ? undefined
      : new FastPath("fast-path", {
          fastPath: names.fastPath,
          partition: organization.partition,
          organizationId: organization.organization.id,
          managementAccountId: config.managementAccountId,
          homeRegion: config.homeRegion,
          deploymentTargets: [organization.root.id],
          notifier: notifier.function,
          busAccountId: names.trailAccountId,
          busProvider: trail.trailProvider,
          managementProvider: providers.management,
        });

  // 6. The guardrails.
  const guardrails = scps.all.map((scp) => ({
    scp,
    component: new ServiceControlPolicy(scp, { provider: providers.management }),
  }));

  // 7. Member accounts and OUs declared in config: created under the guardrails above.
  new MemberAccounts(
    MEMBER_ACCOUNTS_COMPONENT,
    {
      topology: resolveDeclared(config.organizationalUnits, config.accounts, organization),
      guardrails: guardrails.flatMap(({ component }) => component.attachments),
    },
    { provider: providers.management },
  );

  if (config.centralizedRootAccess.enabled) {
    new CentralizedRootAccess("centralized-root-access", { provider: providers.management });
  }
  if (config.rootMfaRule.enabled) {
    new RootMfaRule("root-mfa-rule", { provider: providers.management });
  }

  return {
    organizationId: organization.organization.id,
    trailArn: trail.trail.arn,
    archiveBucket: archive.bucketName,
    centralLogGroup: trail.logGroupName,
    alertTopicArn: alarms.topic.arn,
    pagingTopicArn: alarms.pagingTopic.arn,
    ...(fastPath === undefined
      ? {}
      : { fastPathBusArn: fastPath.bus.arn, fastPathStackSet: fastPath.stackSet.name }),
    ...(backtest === undefined
      ? {}
      : {
          backtestWorkgroup: backtest.workgroup.name,
          backtestReaderRoleArn: backtest.readerRole.arn,
        }),
    ...scpOutputs(guardrails),
  };
};
