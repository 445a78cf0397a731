import { gzipSync } from "node:zlib";
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  FilterLogEventsCommandInput,
  ThrottlingException,
} from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { AssumeRootProver } from "../notifier/assumeRootProof";
import { createRootActivityHandler, RootActivityMessage } from "../notifier/handler";
import {
  FILTER_LOG_EVENTS_SHARE,
  LogGroupCallSource,
  lookupsPerSecond,
} from "../notifier/logGroupCallSource";
import { BenchOptions, machineLine, sized } from "./harness";

/**
 * The notifier under an audit: every member account gets one AssumeRoot session (the call in the
 * management account's stream, four root actions in the member's), as a 5,000-account audit with
 * centralized root access makes. The real handler, prover and LogGroupCallSource run against an
 * independent fake of FilterLogEvents (aws-sdk-client-mock on a real CloudWatchLogsClient): it
 * answers the filter pattern from the calls it holds and enforces the quota with its own token
 * bucket (ThrottlingException when empty). Two containers (the default reserved concurrency) take
 * deliveries from one queue.
 *
 * Time is scaled: the quota, the notifier's pacing, its retry waits and the clock the prover reads
 * all run 100 times faster than AWS and the function, so the audit runs in seconds; the time column
 * multiplies the measured time back by 100. Network latency is not modelled (10-40 ms a request is
 * small beside the 500 ms pacing). Every count (requests, throttles, messages, pages) is what the
 * code did.
 */

// Set from the options at the start of each run.
let ACCOUNTS = 0;
const MANAGEMENT = "111111111111";
const ORG = "o-exampleorgid";
const SCALE = 100;
const QUOTA_PER_SECOND = 5; // FilterLogEvents, per account and region
const CONTAINERS = 2;
const ACTIONS = ["GetBucketPolicy", "DeleteBucketPolicy", "ListBuckets", "GetBucketAcl"];
const START = Date.parse("2026-11-30T09:00:00Z");

interface Session {
  readonly account: string;
  readonly key: string;
  readonly callTime: number;
  readonly call: Record<string, unknown>;
  readonly events: Record<string, unknown>[];
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function sessions(): Session[] {
  return Array.from({ length: ACCOUNTS }, (_, index) => {
    const account = String(200_000_000_000 + index);
    const key = `ASIA${String(index).padStart(16, "0")}`;
    // An audit script calls AssumeRoot for one account after another, one every 300 ms.
    const callTime = START + index * 300;
    const call = {
      eventVersion: "1.08",
      userIdentity: {
        type: "AssumedRole",
        arn: `arn:aws:sts::${MANAGEMENT}:assumed-role/Auditor/audit`,
        accountId: MANAGEMENT,
      },
      eventTime: iso(callTime),
      eventSource: "sts.amazonaws.com",
      eventName: "AssumeRoot",
      awsRegion: "us-east-1",
      requestParameters: {
        targetPrincipal: account,
        taskPolicyArn: { arn: "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy" },
      },
      responseElements: { credentials: { accessKeyId: key } },
      eventID: `call-${index}`,
      recipientAccountId: MANAGEMENT,
    };
    const events = ACTIONS.map((eventName, step) => ({
      eventVersion: "1.10",
      userIdentity: {
        type: "Root",
        arn: `arn:aws:iam::${account}:root`,
        accountId: account,
        accessKeyId: key,
        sessionContext: { attributes: { creationDate: iso(callTime), mfaAuthenticated: "false" } },
      },
      eventTime: iso(callTime + 5_000 + step * 2_000),
      eventSource: "s3.amazonaws.com",
      eventName,
      awsRegion: "us-east-1",
      sourceIPAddress: "192.0.2.1",
      eventType: "AwsApiCall",
      eventID: `event-${index}-${step}`,
      recipientAccountId: account,
    }));
    return { account, key, callTime, call, events };
  });
}

let nextLogEventId = 1;
function delivery(account: string, records: readonly Record<string, unknown>[]) {
  const payload = {
    messageType: "DATA_MESSAGE",
    owner: MANAGEMENT,
    logGroup: "/aws-org-guardrails/cloudtrail",
    logStream: `${ORG}_${account}_CloudTrail_us-east-1`,
    subscriptionFilters: ["aws-org-guardrails-root-activity"],
    logEvents: records.map((record) => ({
      id: String(nextLogEventId++),
      timestamp: Date.parse(String(record.eventTime)),
      message: JSON.stringify(record),
    })),
  };
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(payload))).toString("base64") } };
}

interface Scenario {
  readonly name: string;
  /** Deliveries per session: its four events in one, or two of two. */
  readonly deliveriesPerSession: 1 | 2;
  /** The call is in the log group only after its session's first delivery was handled. */
  readonly callLate: boolean;
}

interface Outcome {
  readonly scenario: Scenario;
  readonly deliveries: number;
  readonly requests: number;
  readonly throttled: number;
  readonly informational: number;
  readonly pages: number;
  readonly failedLookups: number;
  readonly seconds: number;
}

async function run(scenario: Scenario): Promise<Outcome> {
  const all = sessions();
  const byKey = new Map(all.map((session) => [session.key, session]));
  const visible = new Set<string>(scenario.callLate ? [] : all.map((s) => s.key));

  // The fake FilterLogEvents: a token bucket at the (scaled) quota, 10-40 ms per request.
  const rate = (QUOTA_PER_SECOND * SCALE) / 1000;
  let tokens = QUOTA_PER_SECOND;
  let refilled = performance.now();
  let requests = 0;
  let throttled = 0;
  const logs = new CloudWatchLogsClient({ region: "us-east-1" });
  const mock = mockClient(logs);
  mock.on(FilterLogEventsCommand).callsFake(async (input: FilterLogEventsCommandInput) => {
    requests += 1;
    const now = performance.now();
    tokens = Math.min(QUOTA_PER_SECOND, tokens + (now - refilled) * rate);
    refilled = now;
    await new Promise((resolve) => setImmediate(resolve));
    if (tokens < 1) {
      throttled += 1;
      throw new ThrottlingException({ message: "Rate exceeded", $metadata: {} });
    }
    tokens -= 1;
    const key = /accessKeyId = "([A-Z0-9]+)"/.exec(input.filterPattern ?? "")?.[1] ?? "";
    const session = byKey.get(key);
    const inStream = input.logStreamNamePrefix === `${MANAGEMENT}_CloudTrail_`;
    const inWindow =
      session !== undefined &&
      session.callTime >= (input.startTime ?? 0) &&
      session.callTime <= (input.endTime ?? Number.POSITIVE_INFINITY);
    return {
      events:
        session !== undefined && inStream && inWindow && visible.has(key)
          ? [{ message: JSON.stringify(session.call), timestamp: session.callTime }]
          : [],
    };
  });

  // The prover's clock: deliveries start two minutes after the audit's first call (CloudTrail's
  // delivery), then run at the scaled speed.
  let started = performance.now();
  const virtualNow = () => START + 120_000 + (performance.now() - started) * SCALE;
  const published: RootActivityMessage[] = [];
  const handlers = Array.from({ length: CONTAINERS }, () =>
    createRootActivityHandler({
      publish: async (message) => {
        published.push(message);
      },
      accountName: async () => undefined,
      prover: new AssumeRootProver(
        new LogGroupCallSource(logs, {
          logGroupName: "/aws-org-guardrails/cloudtrail",
          streamPrefixes: [`${MANAGEMENT}_CloudTrail_`],
          requestsPerSecond: lookupsPerSecond(CONTAINERS) * SCALE,
          // The function's burst (the unscaled rate's), not the scaled rate's.
          burst: Math.max(1, Math.floor(lookupsPerSecond(CONTAINERS))),
        }),
        {
          allowedCallers: new Set([MANAGEMENT]),
          retryDelaysMs: [2_000 / SCALE, 8_000 / SCALE],
          now: virtualNow,
        },
      ),
      windows: [],
    }),
  );

  // Deliveries in time order: every session's first delivery, then (two per session) the second.
  const queue: { session: Session; records: Record<string, unknown>[]; first: boolean }[] = [];
  for (const session of all) {
    if (scenario.deliveriesPerSession === 1) {
      queue.push({ session, records: session.events, first: true });
    } else {
      queue.push({ session, records: session.events.slice(0, 2), first: true });
    }
  }
  if (scenario.deliveriesPerSession === 2) {
    for (const session of all) {
      queue.push({ session, records: session.events.slice(2), first: false });
    }
  }
  started = performance.now();
  let next = 0;
  await Promise.all(
    handlers.map(async (handler) => {
      while (next < queue.length) {
        const item = queue[next++];
        await handler(delivery(item.session.account, item.records));
        if (item.first && scenario.callLate) {
          visible.add(item.session.key);
        }
      }
    }),
  );
  const seconds = ((performance.now() - started) / 1000) * SCALE;
  mock.restore();
  return {
    scenario,
    deliveries: queue.length,
    requests,
    throttled,
    informational: published.filter((m) => m.topic === "informational").length,
    pages: published.filter((m) => m.topic === "paging").length,
    failedLookups: published.filter((m) => m.body.includes("could not check for an AssumeRoot"))
      .length,
    seconds,
  };
}

export async function runNotifierBenchmark(options: BenchOptions): Promise<string> {
  ACCOUNTS = sized(options, 5_000, 200);
  const scenarios: Scenario[] = [
    {
      name: "calls delivered before their sessions' events",
      deliveriesPerSession: 1,
      callLate: false,
    },
    {
      name: "each call delivered after its session's first two events",
      deliveriesPerSession: 2,
      callLate: true,
    },
  ];
  const outcomes: Outcome[] = [];
  for (const scenario of scenarios) {
    outcomes.push(await run(scenario));
  }
  const rows = outcomes.map(
    (o) =>
      `| ${o.scenario.name} | ${o.deliveries.toLocaleString("en-US")} | ${o.requests.toLocaleString("en-US")} (${(o.requests / ACCOUNTS).toFixed(2)}) | ${o.throttled} | ${o.informational.toLocaleString("en-US")} | ${o.pages.toLocaleString("en-US")} | ${o.failedLookups} | ${Math.round(o.seconds).toLocaleString("en-US")} |`,
  );
  const floor = ACCOUNTS / FILTER_LOG_EVENTS_SHARE;
  const [onTime] = outcomes;
  return [
    "## The notifier under an AssumeRoot audit",
    "",
    `Command: \`npm run bench -- notifier\`. Machine: ${machineLine()}.`,
    `Data: ${ACCOUNTS.toLocaleString("en-US")} AssumeRoot sessions (one per member account, calls 300 ms apart), ${ACTIONS.length} root actions each (${(ACCOUNTS * ACTIONS.length).toLocaleString("en-US")} root events); every session is approved work, so every page is a false page.`,
    `Service: a fake FilterLogEvents (aws-sdk-client-mock on a real CloudWatchLogsClient) that answers from the calls it holds and enforces ${QUOTA_PER_SECOND} requests/s with its own token bucket; network latency not modelled. Notifier: the real handler, prover and LogGroupCallSource, ${CONTAINERS} containers (the default reserved concurrency), each pacing itself at ${FILTER_LOG_EVENTS_SHARE} / ${CONTAINERS} requests/s, retry waits 2 s and 8 s.`,
    `Time scaled ${SCALE}x: quota, pacing and waits run ${SCALE} times faster, and the measured time is multiplied back by ${SCALE}.`,
    "",
    "| scenario | deliveries | FilterLogEvents requests (per session) | throttled | informational messages | pages | failed look-ups | time (s) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    `Floor: one look-up per session at the notifier's share of the quota, ${ACCOUNTS.toLocaleString("en-US")} / ${FILTER_LOG_EVENTS_SHARE} = ${Math.round(floor).toLocaleString("en-US")} s; measured ${Math.round(onTime.seconds).toLocaleString("en-US")} s with the calls on time.`,
    "A call that reaches the log group after its session's first events costs those events a page each (after three look-ups and 10 s of waits); the session's message, once proved, says so.",
  ].join("\n");
}
