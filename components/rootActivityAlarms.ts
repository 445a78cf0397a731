import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GuardrailNames } from "../config/names";
import { GuardrailConfig } from "../config/schema";
import { METRIC_NAMESPACE, ROOT_DETECTIONS } from "../detection/patterns";
import {
  buildAlertTopicKeyPolicy,
  buildAlertTopicPolicy,
  buildPagingTopicPolicy,
  PAGING_ALARM_NAMES,
} from "../policies/alertPolicies";
import { compactJson } from "../policies/document";
import { KEY_ALIAS_PREFIX } from "../policies/protectionScp";

export interface RootActivityAlarmsArgs {
  readonly names: GuardrailNames;
  /** The central log group the organization trail streams into. */
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly alerts: GuardrailConfig["alerts"];
}

/**
 * Metric filters and alarms for root activity on the central log group, and the encrypted SNS
 * topic they notify. Every alarm fires on a single event within a minute. Create it in the
 * account of the central log group (pass that account's provider).
 */
export class RootActivityAlarms extends pulumi.ComponentResource {
  /** The informational topic: the alarms (for the scanners, and as backstops) and approved root use. */
  readonly topic: aws.sns.Topic;
  /** The paging topic: unexplained root use, one message per event, from the notifier only. */
  readonly pagingTopic: aws.sns.Topic;
  readonly topicKey: aws.kms.Key;
  readonly metricFilters: aws.cloudwatch.LogMetricFilter[];
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: RootActivityAlarmsArgs, opts: pulumi.ComponentResourceOptions) {
    super("aws-org-guardrails:detection:RootActivityAlarms", name, {}, opts);
    const { names, alerts } = args;
    const child = { parent: this };

    this.topicKey = new aws.kms.Key(
      `${name}-topic-key`,
      {
        description: `Encrypts the root-activity alert topic ${names.alertTopicName}. Managed by aws-org-guardrails.`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: compactJson(buildAlertTopicKeyPolicy(names)),
      },
      child,
    );
    new aws.kms.Alias(
      `${name}-topic-key-alias`,
      { name: `${KEY_ALIAS_PREFIX}alert-topic`, targetKeyId: this.topicKey.keyId },
      child,
    );
    this.topic = new aws.sns.Topic(
      `${name}-topic`,
      { name: names.alertTopicName, kmsMasterKeyId: this.topicKey.arn },
      child,
    );
    new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      { arn: this.topic.arn, policy: compactJson(buildAlertTopicPolicy(names)) },
      child,
    );
    const subscribe = (
      prefix: string,
      topic: aws.sns.Topic,
      emails: readonly string[],
      others: readonly { protocol: string; endpoint: string }[],
    ): void => {
      for (const subscription of [
        ...emails.map((endpoint) => ({ protocol: "email", endpoint })),
        ...others,
      ]) {
        new aws.sns.TopicSubscription(
          // Named by endpoint, not position: adding or removing one must not rename the others.
          `${prefix}-${subscription.protocol}-${subscriptionSuffix(subscription.endpoint)}`,
          { topic: topic.arn, protocol: subscription.protocol, endpoint: subscription.endpoint },
          child,
        );
      }
    };
    subscribe(name, this.topic, alerts.emails, alerts.subscriptions);

    // Unexplained root use pages through its own topic, encrypted with the same key (which lets
    // the account's IAM policies, and so the notifier's role, use it).
    this.pagingTopic = new aws.sns.Topic(
      `${name}-paging-topic`,
      { name: names.pagingTopicName, kmsMasterKeyId: this.topicKey.arn },
      child,
    );
    new aws.sns.TopicPolicy(
      `${name}-paging-topic-policy`,
      { arn: this.pagingTopic.arn, policy: compactJson(buildPagingTopicPolicy(names)) },
      child,
    );
    const paging = alerts.paging ?? { emails: alerts.emails, subscriptions: alerts.subscriptions };
    subscribe(`${name}-paging`, this.pagingTopic, paging.emails, paging.subscriptions);

    this.metricFilters = [];
    this.alarms = [];
    for (const detection of ROOT_DETECTIONS) {
      const filter = new aws.cloudwatch.LogMetricFilter(
        `${name}-${detection.id}`,
        {
          // Filter name = metric name: one CIS scanner finds the alarm through the filter's name.
          name: detection.name,
          logGroupName: args.logGroup.name,
          pattern: detection.pattern,
          metricTransformation: {
            name: detection.name,
            namespace: METRIC_NAMESPACE,
            value: "1",
            unit: "Count",
          },
        },
        child,
      );
      this.metricFilters.push(filter);
      this.alarms.push(
        new aws.cloudwatch.MetricAlarm(
          `${name}-${detection.id}-alarm`,
          {
            name: `aws-org-guardrails-${detection.name}`,
            alarmDescription: `${detection.description} Raised by aws-org-guardrails from ${names.logGroupName}.`,
            namespace: METRIC_NAMESPACE,
            metricName: detection.name,
            statistic: "Sum",
            // One event in one minute is enough: root activity is never routine.
            period: 60,
            evaluationPeriods: 1,
            threshold: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            // Minutes without root activity produce no data points; that is the good case.
            treatMissingData: "notBreaching",
            alarmActions: [this.topic.arn],
          },
          { ...child, dependsOn: [filter] },
        ),
      );
      // The filter only ever emits 1. A value below 0 means someone wrote into the namespace
      // (PutMetricData, embedded-metric-format logs, a metric filter on another log group), which
      // can hold the alarm above at OK: no honest filter produces it, so it pages.
      this.alarms.push(
        new aws.cloudwatch.MetricAlarm(
          `${name}-${detection.id}-tampered-alarm`,
          {
            name: PAGING_ALARM_NAMES.tampered(detection.name),
            alarmDescription: `Negative values in ${METRIC_NAMESPACE}/${detection.name}: something other than the metric filter is writing the root-usage metric. Raised by aws-org-guardrails.`,
            namespace: METRIC_NAMESPACE,
            metricName: detection.name,
            statistic: "Minimum",
            period: 60,
            evaluationPeriods: 1,
            threshold: 0,
            comparisonOperator: "LessThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [this.topic.arn, this.pagingTopic.arn],
          },
          { ...child, dependsOn: [filter] },
        ),
      );
    }
    this.registerOutputs({ topicArn: this.topic.arn, pagingTopicArn: this.pagingTopic.arn });
  }
}

/** A readable, stable and unique resource-name suffix for a subscription endpoint. */
function subscriptionSuffix(endpoint: string): string {
  const readable = endpoint
    .toLowerCase()
    .replace(/^https:\/\//, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40);
  return `${readable}-${createHash("sha256").update(endpoint).digest("hex").slice(0, 8)}`;
}
