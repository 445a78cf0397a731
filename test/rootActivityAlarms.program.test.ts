import { describe, expect, it } from "vitest";
import { CIS_ROOT_USAGE_PATTERN, METRIC_NAMESPACE } from "../detection/patterns";
import { DEV } from "./support/fixtures";
import { accountOf, byType, one, runProgram, TYPES } from "./support/program";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("root-activity alarms (dev stack)", async () => {
  const { resources } = await runProgram();
  const filters = byType(resources, TYPES.metricFilter);
  const allAlarms = byType(resources, TYPES.alarm).filter(
    (alarm) => !alarm.name.startsWith("root-activity-notifier-"),
  );
  const alarms = allAlarms.filter((alarm) => !alarm.name.endsWith("-tampered-alarm"));
  const tampered = allAlarms.filter((alarm) => alarm.name.endsWith("-tampered-alarm"));
  const topic = one(resources, TYPES.topic, "root-activity-topic");

  it("deploys the CIS root-usage filter spelled exactly, its name equal to its metric's", () => {
    const cis = filters.find((f) => f.inputs.pattern === CIS_ROOT_USAGE_PATTERN);
    expect(cis?.inputs.pattern).toBe(
      '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    );
    expect(cis?.inputs.name).toBe("RootAccountUsage");
    expect((cis?.inputs.metricTransformation as any).name).toBe(cis?.inputs.name);
    expect(cis?.inputs.logGroupName).toBe("/aws-org-guardrails/cloudtrail");
  });

  it("has separate filters for console sign-in success and failure, credential changes and AssumeRoot calls", () => {
    expect(filters.map((f) => f.inputs.name).sort()).toEqual([
      "AssumeRootCall",
      "RootAccountUsage",
      "RootConsoleSignInFailure",
      "RootConsoleSignInSuccess",
      "RootCredentialChange",
    ]);
    for (const filter of filters) {
      expect((filter.inputs.metricTransformation as any).name).toBe(filter.inputs.name);
      expect((filter.inputs.metricTransformation as any).namespace).toBe(METRIC_NAMESPACE);
    }
    // No extra term was folded into the CIS filter: exactly one filter carries its clauses.
    expect(
      filters.filter((f) => String(f.inputs.pattern).includes("invokedBy NOT EXISTS")),
    ).toHaveLength(1);
  });

  it("every alarm watches a metric that some filter emits, same namespace and name", () => {
    expect(alarms).toHaveLength(filters.length);
    for (const alarm of alarms) {
      const emitters = filters.filter(
        (f) =>
          (f.inputs.metricTransformation as any).name === alarm.inputs.metricName &&
          (f.inputs.metricTransformation as any).namespace === alarm.inputs.namespace,
      );
      expect({ alarm: alarm.name, emitters: emitters.length }).toEqual({
        alarm: alarm.name,
        emitters: 1,
      });
    }
  });

  it("fires on a single event within 60 s and notifies the topic", () => {
    for (const alarm of alarms) {
      expect(alarm.inputs).toMatchObject({
        period: 60,
        evaluationPeriods: 1,
        threshold: 1,
        statistic: "Sum",
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions: ["arn:aws:mock::aws:sns/topic:Topic:root-activity-topic"],
      });
    }
  });

  it("pages when a root metric gets a value below 0, which no filter writes (someone feeding the metric)", () => {
    expect(tampered).toHaveLength(filters.length);
    for (const filter of filters) {
      const metric = (filter.inputs.metricTransformation as any).name;
      const alarm = tampered.find((a) => a.inputs.metricName === metric);
      expect(alarm?.inputs).toMatchObject({
        name: `aws-org-guardrails-${metric}-Tampered`,
        namespace: METRIC_NAMESPACE,
        statistic: "Minimum",
        threshold: 0,
        comparisonOperator: "LessThanThreshold",
        period: 60,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
        alarmActions: [
          "arn:aws:mock::aws:sns/topic:Topic:root-activity-topic",
          "arn:aws:mock::aws:sns/topic:Topic:root-activity-paging-topic",
        ],
      });
      expect((filter.inputs.metricTransformation as any).value).toBe("1");
    }
  });

  it("encrypts the topic with a customer managed key whose policy lets CloudWatch alarms use it", () => {
    const key = one(resources, TYPES.key, "root-activity-topic-key");
    expect(topic.inputs).toMatchObject({
      name: "aws-org-guardrails-root-activity",
      kmsMasterKeyId: "arn:aws:mock::aws:kms/key:Key:root-activity-topic-key",
    });
    const statement = JSON.parse(String(key.inputs.policy)).Statement.find(
      (s: any) => s.Sid === "AllowCloudWatchAlarmsToPublishEncrypted",
    );
    expect(statement.Principal).toEqual({ Service: "cloudwatch.amazonaws.com" });
    expect(statement.Action).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
    const topicPolicy = JSON.parse(
      String(one(resources, TYPES.topicPolicy, "root-activity-topic-policy").inputs.policy),
    );
    expect(
      topicPolicy.Statement.find((s: any) => s.Sid === "CloudWatchAlarmsPublish").Principal,
    ).toEqual({ Service: "cloudwatch.amazonaws.com" });
  });

  it("subscribes the configured e-mail addresses to both topics when no paging subscriptions are given", () => {
    expect(
      byType(resources, TYPES.topicSubscription).map((s) => [
        s.name.startsWith("root-activity-paging-") ? "paging" : "informational",
        s.inputs.protocol,
        s.inputs.endpoint,
      ]),
    ).toEqual([
      ["informational", "email", "platform-oncall@example.com"],
      ["paging", "email", "platform-oncall@example.com"],
    ]);
  });

  it("pages through its own encrypted topic, which only the account (the notifier's role) and the paging alarms publish to, never over plain HTTP", () => {
    const paging = one(resources, TYPES.topic, "root-activity-paging-topic");
    expect(paging.inputs).toMatchObject({
      name: "aws-org-guardrails-root-unexplained",
      kmsMasterKeyId: "arn:aws:mock::aws:kms/key:Key:root-activity-topic-key",
    });
    const policy = JSON.parse(
      String(one(resources, TYPES.topicPolicy, "root-activity-paging-topic-policy").inputs.policy),
    );
    expect(policy.Statement.map((s: any) => s.Sid)).toEqual([
      "AccountManagesTopic",
      "PagingAlarmsPublish",
      "DenyPublishWithoutTls",
    ]);
    // Every alarm informs (for the scanners and as backstops); the root-usage alarms only inform,
    // since the notifier pages per unexplained event; the notifier's health and tamper alarms
    // page too, because while they are in alarm nothing else pages.
    const informational = "arn:aws:mock::aws:sns/topic:Topic:root-activity-topic";
    const pagingArn = "arn:aws:mock::aws:sns/topic:Topic:root-activity-paging-topic";
    const patterns: string[] = policy.Statement[1].Condition.ArnLike["aws:SourceArn"];
    const alarmArnOf = (name: string) =>
      `arn:aws:cloudwatch:eu-west-1:${DEV.management}:alarm:${name}`;
    const matches = (name: string) =>
      patterns.some((pattern) =>
        new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`).test(alarmArnOf(name)),
      );
    for (const alarm of byType(resources, TYPES.alarm)) {
      const name = String(alarm.inputs.name);
      const pages = name.endsWith("-Tampered") || name.startsWith("aws-org-guardrails-Notifier");
      expect(alarm.inputs.alarmActions, name).toEqual(
        pages ? [informational, pagingArn] : [informational],
      );
      expect(matches(name), name).toBe(pages);
    }
  });

  it("puts filters, alarms, topic and key in the account of the central log group", () => {
    for (const resource of [
      ...filters,
      ...alarms,
      topic,
      one(resources, TYPES.key, "root-activity-topic-key"),
    ]) {
      expect(accountOf(resources, resource)).toBe(DEV.management);
    }
  });
});

describe("root-activity alarms with other subscriptions, log group in the log-archive account", async () => {
  const { resources } = await runProgram({
    config: {
      "aws-org-guardrails:centralLogs": JSON.stringify({ location: "delegatedAdministrator" }),
      "aws-org-guardrails:alerts": JSON.stringify({
        emails: ["a@example.com"],
        subscriptions: [
          { protocol: "https", endpoint: "https://events.pagerduty.com/integration/abc/enqueue" },
          { protocol: "sqs", endpoint: `arn:aws:sqs:eu-west-1:${DEV.audit}:root-alerts` },
        ],
      }),
    },
  });

  it("subscribes every protocol from config", () => {
    expect(
      byType(resources, TYPES.topicSubscription)
        .filter((s) => !s.name.startsWith("root-activity-paging-"))
        .map((s) => s.inputs.protocol),
    ).toEqual(["email", "https", "sqs"]);
  });

  it("follows the log group into the log-archive account", () => {
    for (const resource of [
      ...byType(resources, TYPES.alarm),
      ...byType(resources, TYPES.metricFilter),
      ...byType(resources, TYPES.topic),
    ]) {
      expect(accountOf(resources, resource)).toBe(DEV.logArchive);
    }
  });
});

describe("the notifier cannot be starved", async () => {
  it("reserves concurrency for the function (2 by default) and pages on its throttles", async () => {
    const { resources } = await runProgram();
    const fn = one(resources, TYPES.lambda);
    expect(fn.inputs.reservedConcurrentExecutions).toBe(2);
    const throttles = one(resources, TYPES.alarm, "root-activity-notifier-throttles-alarm");
    expect(throttles.inputs).toMatchObject({
      namespace: "AWS/Lambda",
      metricName: "Throttles",
      dimensions: { FunctionName: "aws-org-guardrails-root-activity-notifier" },
      statistic: "Sum",
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      alarmActions: [
        "arn:aws:mock::aws:sns/topic:Topic:root-activity-topic",
        "arn:aws:mock::aws:sns/topic:Topic:root-activity-paging-topic",
      ],
    });
  });

  it("reserves none when the account's quota cannot spare any (notifierReservedConcurrency: null)", async () => {
    const { resources } = await runProgram({
      config: {
        "aws-org-guardrails:alerts": JSON.stringify({
          emails: ["platform-oncall@example.com"],
          notifierReservedConcurrency: null,
        }),
      },
    });
    expect(one(resources, TYPES.lambda).inputs.reservedConcurrentExecutions).toBeUndefined();
    expect(one(resources, TYPES.alarm, "root-activity-notifier-throttles-alarm")).toBeDefined();
  });
});

describe("paging subscriptions of their own", async () => {
  it("subscribes alerts.paging to the paging topic only", async () => {
    const { resources } = await runProgram({
      config: {
        "aws-org-guardrails:alerts": JSON.stringify({
          emails: ["team@example.com"],
          paging: {
            subscriptions: [{ protocol: "https", endpoint: "https://events.pagerduty.com/x" }],
          },
        }),
      },
    });
    const subscriptions = byType(resources, TYPES.topicSubscription).map((s) => [
      String(s.inputs.topic).split(":").pop(),
      s.inputs.protocol,
    ]);
    expect(subscriptions).toEqual([
      ["root-activity-topic", "email"],
      ["root-activity-paging-topic", "https"],
    ]);
  });
});

describe("the notifier knows where to look and what is approved", async () => {
  const { resources } = await runProgram({
    config: {
      "aws-org-guardrails:rootAccess": JSON.stringify({
        targets: ["Root"],
        breakGlass: [
          {
            accountId: DEV.paymentsProd,
            reason: "INC-4711: unlock the bucket",
            expiresAt: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
          },
        ],
      }),
    },
  });
  const fn = one(resources, TYPES.lambda);
  const env = (fn.inputs.environment as any).variables;

  it("passes both topics, the central log group, the AssumeRoot callers' streams and the open windows", () => {
    expect(env.TOPIC_ARN).toBe("arn:aws:mock::aws:sns/topic:Topic:root-activity-topic");
    expect(env.PAGING_TOPIC_ARN).toBe(
      "arn:aws:mock::aws:sns/topic:Topic:root-activity-paging-topic",
    );
    expect(env.CENTRAL_LOG_GROUP).toBe("/aws-org-guardrails/cloudtrail");
    expect(JSON.parse(env.ASSUME_ROOT_CALLERS)).toEqual([DEV.management]);
    // Any region after the prefix: AssumeRoot is called on a regional STS endpoint.
    expect(JSON.parse(env.ASSUME_ROOT_STREAM_PREFIXES)).toEqual([`${DEV.management}_CloudTrail_`]);
    // Four of FilterLogEvents' five requests per second, shared by the two reserved containers.
    expect(env.ASSUME_ROOT_LOOKUPS_PER_SECOND).toBe("2");
    const [window] = JSON.parse(env.BREAK_GLASS_WINDOWS);
    expect(window).toMatchObject({
      accountId: DEV.paymentsProd,
      reason: "INC-4711: unlock the bucket",
    });
    // No openedAt in the entry: the window reaches back maxBreakGlassHours (72) from its close.
    expect(Date.parse(window.expiresAt) - Date.parse(window.opensAt)).toBe(72 * 3_600_000);
  });

  it("in the delegated location also searches the management account's organization stream, and each delegated administrator's", async () => {
    const delegated = await runProgram({
      config: {
        "aws-org-guardrails:centralLogs": JSON.stringify({ location: "delegatedAdministrator" }),
        "aws-org-guardrails:centralizedRootAccess": JSON.stringify({
          delegatedAdministrators: [DEV.audit],
        }),
        "aws-org-guardrails:alerts": JSON.stringify({
          emails: ["platform-alerts@example.com"],
          notifierReservedConcurrency: 4,
        }),
      },
    });
    const variables = (one(delegated.resources, TYPES.lambda).inputs.environment as any).variables;
    expect(JSON.parse(variables.ASSUME_ROOT_CALLERS)).toEqual([DEV.management, DEV.audit]);
    expect(JSON.parse(variables.ASSUME_ROOT_STREAM_PREFIXES)).toEqual([
      `${DEV.management}_CloudTrail_`,
      `o-7h2kq9x4mz_${DEV.management}_CloudTrail_`,
      `o-7h2kq9x4mz_${DEV.audit}_CloudTrail_`,
    ]);
    expect(variables.ASSUME_ROOT_LOOKUPS_PER_SECOND).toBe("1");
  });

  it("may look up AssumeRoot calls in the central log group only, and publish to both topics", () => {
    const policy = JSON.parse(
      String(one(resources, TYPES.rolePolicy, "root-activity-notifier-role-policy").inputs.policy),
    );
    const statement = (sid: string) => policy.Statement.find((s: any) => s.Sid === sid);
    expect(statement("LookUpAssumeRootCalls")).toEqual({
      Sid: "LookUpAssumeRootCalls",
      Effect: "Allow",
      Action: "logs:FilterLogEvents",
      Resource: [
        `arn:aws:logs:eu-west-1:${DEV.management}:log-group:/aws-org-guardrails/cloudtrail`,
        `arn:aws:logs:eu-west-1:${DEV.management}:log-group:/aws-org-guardrails/cloudtrail:*`,
      ],
    });
    expect(statement("PublishAlerts").Resource).toEqual([
      `arn:aws:sns:eu-west-1:${DEV.management}:aws-org-guardrails-root-activity`,
      `arn:aws:sns:eu-west-1:${DEV.management}:aws-org-guardrails-root-unexplained`,
    ]);
  });
});
