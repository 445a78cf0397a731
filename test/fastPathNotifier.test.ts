import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { DescribeAccountCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";
import { cloudTrailEventOf } from "../detection/eventPattern";
import { lambdaContainer, useEnvironment } from "./support/notifierEnv";
import { CORPUS_EVENTS } from "./support/fixtures";

/**
 * The notifier behind both paths (issue 16): the central bus's rule (EventBridge events, seconds
 * after the call) and the log group's subscription (minutes after). One message per event across
 * paths and containers, through the DynamoDB store; AssumeRoot calls forwarded by the management
 * account's rule prove a session without the log group.
 */

const records = readFileSync(CORPUS_EVENTS, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Record<string, any>);
const SIGN_IN = records.find(
  (r) => r.eventName === "ConsoleLogin" && r.userIdentity?.type === "Root" && r.eventID,
) as Record<string, any>;
// AWS's pair from the privileged-task page: the AssumeRoot call, then the session's action.
const CALL = records.find((r) => r.eventName === "AssumeRoot") as Record<string, any>;
const SESSION_EVENT = records.find((r) => r.eventName === "DeleteBucketPolicy") as Record<
  string,
  any
>;
const TABLE = "aws-org-guardrails-root-alerts";

/**
 * AWS's pair, the call a minute ago and the session's action 30 s after it: the store keeps a call
 * only while its session can be in use.
 */
function recentSession() {
  const calledAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString();
  const call = { ...structuredClone(CALL), eventTime: calledAt.replace(".000", "") };
  const session = structuredClone(SESSION_EVENT);
  session.eventTime = new Date(Date.parse(calledAt) + 30_000).toISOString();
  session.userIdentity.sessionContext.attributes.creationDate = call.eventTime;
  return { calledAt, call, session };
}

/**
 * An independent fake of the DynamoDB table: items by `pk`, PutItem's condition
 * `attribute_not_exists(pk) OR expiresAt < :now` evaluated as DynamoDB documents it.
 */
function fakeTable(dynamo: AwsClientStub<DynamoDBClient>) {
  const items = new Map<string, Record<string, AttributeValue>>();
  dynamo.on(PutItemCommand).callsFake((input: any) => {
    const pk = input.Item.pk.S as string;
    if (input.ConditionExpression !== undefined) {
      expect(input.ConditionExpression).toBe("attribute_not_exists(pk) OR expiresAt < :now");
      const held = items.get(pk);
      const now = Number(input.ExpressionAttributeValues[":now"].N);
      if (held !== undefined && !(Number(held.expiresAt.N) < now)) {
        throw new ConditionalCheckFailedException({
          message: "The conditional request failed",
          $metadata: {},
        });
      }
    }
    items.set(pk, input.Item);
    return {};
  });
  dynamo.on(DeleteItemCommand).callsFake((input: any) => {
    items.delete(input.Key.pk.S);
    return {};
  });
  dynamo.on(GetItemCommand).callsFake((input: any) => ({ Item: items.get(input.Key.pk.S) }));
  return items;
}

describe("the notifier on both paths (EventBridge and the log group's subscription)", () => {
  const sns = mockClient(SNSClient);
  const organizations = mockClient(OrganizationsClient);
  const logs = mockClient(CloudWatchLogsClient);
  const dynamo = mockClient(DynamoDBClient);
  let items: Map<string, Record<string, AttributeValue>>;
  const ENV = {
    TOPIC_ARN: "arn:aws:sns:us-east-1:111111111111:aws-org-guardrails-root-activity",
    PAGING_TOPIC_ARN: "arn:aws:sns:us-east-1:111111111111:aws-org-guardrails-root-unexplained",
    CENTRAL_LOG_GROUP: "/aws-org-guardrails/cloudtrail",
    ASSUME_ROOT_STREAM_PREFIXES: JSON.stringify(["111111111111_CloudTrail_"]),
    ASSUME_ROOT_CALLERS: JSON.stringify(["111111111111"]),
    ASSUME_ROOT_LOOKUPS_PER_SECOND: "2",
    BREAK_GLASS_WINDOWS: "[]",
    ALERT_STORE_TABLE: TABLE,
  };

  beforeEach(() => {
    sns.reset();
    organizations.reset();
    logs.reset();
    dynamo.reset();
    items = fakeTable(dynamo);
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    organizations.on(DescribeAccountCommand).resolves({ Account: { Name: "payments-prod" } });
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
  });
  useEnvironment(ENV);

  /** One container of the function. */
  const container = lambdaContainer;
  const viaLogs = (record: unknown) => ({
    awslogs: {
      data: gzipSync(
        Buffer.from(
          JSON.stringify({
            messageType: "DATA_MESSAGE",
            owner: "111111111111",
            logGroup: ENV.CENTRAL_LOG_GROUP,
            logStream: "o-exampleorgid_111122223333_CloudTrail_us-east-1",
            subscriptionFilters: ["aws-org-guardrails-root-activity"],
            logEvents: [{ id: "3700000001", timestamp: 1, message: JSON.stringify(record) }],
          }),
        ),
      ).toString("base64"),
    },
  });
  const viaEventBridge = (record: Record<string, unknown>) => cloudTrailEventOf(record);
  const subjects = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input.Subject);

  it("pages an event that came through EventBridge, saying so and how long after the event", async () => {
    const result = await container()(viaEventBridge(SIGN_IN));
    expect(result).toMatchObject({ received: 1, published: 1, alreadySent: 0 });
    const input = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(input.TopicArn).toBe(ENV.PAGING_TOPIC_ARN);
    expect(input.Message).toMatch(/\nDelivery: +EventBridge, \d+ s after the event\n/);
    expect(input.MessageAttributes?.deliveredBy).toEqual({
      DataType: "String",
      StringValue: "EventBridge",
    });
  });

  it("sends one message when the same event arrives by both paths, in two containers", async () => {
    const first = await container()(viaEventBridge(SIGN_IN));
    const second = await container()(viaLogs(SIGN_IN));
    expect(first).toMatchObject({ published: 1, alreadySent: 0 });
    expect(second).toMatchObject({ received: 1, published: 0, alreadySent: 1 });
    expect(subjects()).toHaveLength(1);
    expect([...items.keys()].filter((key) => key.startsWith("sent#event:"))).toHaveLength(1);
  });

  it("marks a sent alert for a day, and a claim whose holder died lapses after its lease", async () => {
    await container()(viaEventBridge(SIGN_IN));
    const [key] = [...items.keys()].filter((k) => k.startsWith("sent#"));
    expect(items.get(key)?.state).toEqual({ S: "sent" });
    const day = Number(items.get(key)?.expiresAt.N) - Date.now() / 1000;
    expect(day).toBeGreaterThan(86_000);
    expect(day).toBeLessThanOrEqual(86_401);

    // An invocation that claimed and then timed out: its lease has lapsed, the next one sends.
    sns.resetHistory();
    items.set(key, {
      pk: { S: key },
      state: { S: "pending" },
      expiresAt: { N: String(Math.floor(Date.now() / 1000) - 1) },
    });
    expect(await container()(viaLogs(SIGN_IN))).toMatchObject({ published: 1, alreadySent: 0 });
    // One still within its lease is left to its holder.
    sns.resetHistory();
    items.set(key, {
      pk: { S: key },
      state: { S: "pending" },
      expiresAt: { N: String(Math.floor(Date.now() / 1000) + 100) },
    });
    expect(await container()(viaLogs(SIGN_IN))).toMatchObject({ published: 0, alreadySent: 1 });
  });

  it("the log path's copy is the alert when EventBridge's never came, and says so", async () => {
    await container()(viaLogs(SIGN_IN));
    expect(sns.commandCalls(PublishCommand)[0].args[0].input.Message).toMatch(
      /\nDelivery: +CloudWatch Logs subscription, \d+ s after the event\n/,
    );
  });

  it("gives the claim back when the publish fails, so the other path's delivery sends it", async () => {
    sns.on(PublishCommand).rejectsOnce(new Error("SNS is down")).resolves({ MessageId: "m-2" });
    await expect(container()(viaEventBridge(SIGN_IN))).rejects.toThrow(/could not be published/);
    expect([...items.keys()].filter((key) => key.startsWith("sent#"))).toEqual([]);
    const later = await container()(viaLogs(SIGN_IN));
    expect(later).toMatchObject({ published: 1, alreadySent: 0 });
  });

  it("still alerts when the store fails, at the risk of a second copy", async () => {
    dynamo.on(PutItemCommand).rejects(new Error("ProvisionedThroughputExceededException"));
    const lines: string[] = [];
    const result = await container(lines)(viaEventBridge(SIGN_IN));
    expect(result).toMatchObject({ published: 1 });
    expect(lines.join("\n")).toMatch(/could not record .* sending anyway/);
  });

  it("keeps a forwarded AssumeRoot call and proves its session's event with it, without the log group", async () => {
    const { calledAt, call, session } = recentSession();
    const kept = await container()(viaEventBridge(call));
    expect(kept).toMatchObject({ received: 1, published: 0 });
    const key = `assumeRoot#${CALL.responseElements.credentials.accessKeyId}`;
    expect(items.get(key)).toBeDefined();
    // Expires with the session and the log path's hour of delay, in epoch seconds.
    expect(Number(items.get(key)?.expiresAt.N)).toBe(
      Math.ceil((Date.parse(calledAt) + (900 + 3600) * 1000) / 1000),
    );

    // Another container, the session's first action: proved from the store.
    await container()(viaEventBridge(session));
    const input = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(input.TopicArn).toBe(ENV.TOPIC_ARN);
    expect(input.Subject).toMatch(/^ASSUMEROOT SESSION S3UnlockBucketPolicy in 222222222222/);
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(0);
  });

  it("without the store's call, looks in the log group as before", async () => {
    await container()(viaEventBridge(SESSION_EVENT));
    expect(logs.commandCalls(FilterLogEventsCommand).length).toBeGreaterThan(0);
    expect(sns.commandCalls(PublishCommand)[0].args[0].input.TopicArn).toBe(ENV.PAGING_TOPIC_ARN);
  });

  it("keeps a call the log group proved, so another container proves the session without a walk", async () => {
    const { calledAt, call, session } = recentSession();
    logs.on(FilterLogEventsCommand).resolves({
      events: [
        { message: JSON.stringify(call), logStreamName: "111111111111_CloudTrail_us-west-2" },
      ],
    });
    await container()(viaEventBridge(session));
    const walks = logs.commandCalls(FilterLogEventsCommand).length;
    expect(walks).toBeGreaterThan(0);
    expect(items.get(`assumeRoot#${CALL.responseElements.credentials.accessKeyId}`)).toBeDefined();
    // The same session's next action, in another container: proved from the store.
    const next = structuredClone(session);
    next.eventID = "b1b2c3d4-5678-90ab-cdef-EXAMPLE22222";
    next.eventTime = new Date(Date.parse(calledAt) + 45_000).toISOString();
    await container()(viaEventBridge(next));
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(walks);
  });

  it("refuses an event that is neither a subscription delivery nor an EventBridge event", async () => {
    await expect(container()({ hello: "world" } as never)).rejects.toThrow();
  });
});
