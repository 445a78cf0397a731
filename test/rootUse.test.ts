import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isNotifiedRootEvent, matchedDetections } from "../detection/rootEvents";
import { CIS_ROOT_USAGE_PATTERN, NOTIFIER_PATTERN } from "../detection/patterns";
import {
  AssumeRootCallSource,
  AssumeRootProver,
  assumeRootCallOf,
  RecordCallSource,
} from "../notifier/assumeRootProof";
import { BreakGlassWindow } from "../notifier/breakGlass";
import {
  createRootActivityHandler,
  RootActivityHandlerOptions,
  RootActivityMessage,
} from "../notifier/handler";
import { LogGroupCallSource } from "../notifier/logGroupCallSource";
import { describeRootEvent, RootAlert } from "../notifier/rootEvent";
import { expectCleanFailure, runCommand } from "./support/cli";
import { CORPUS_EVENTS, DEV_STACK_FILE } from "./support/fixtures";

/**
 * Root alerts that tell the truth: an AssumeRoot session only with its AssumeRoot call, break-glass
 * windows at the event's time, and everything else unexplained, paged once per event.
 */

const CORPUS = CORPUS_EVENTS;
const records = readFileSync(CORPUS, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Record<string, any>);
// The pair from AWS's page on tracking privileged tasks: the call, then the session's action.
const CALL = records.find((r) => r.eventName === "AssumeRoot") as Record<string, any>;
const SESSION_EVENT = records.find((r) => r.eventName === "DeleteBucketPolicy") as Record<
  string,
  any
>;
const MANAGEMENT = "111111111111";
const MEMBER = "222222222222";
const KEY = "ASIAIOSFODNN7EXAMPLE";

let nextId = 1;
function delivery(recordsToSend: readonly unknown[]) {
  const payload = {
    messageType: "DATA_MESSAGE",
    owner: MANAGEMENT,
    logGroup: "/aws-org-guardrails/cloudtrail",
    logStream: `o-exampleorgid_${MEMBER}_CloudTrail_us-west-2`,
    subscriptionFilters: ["aws-org-guardrails-root-activity"],
    logEvents: recordsToSend.map((record) => ({
      id: String(nextId++),
      timestamp: 1,
      message: JSON.stringify(record),
    })),
  };
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(payload))).toString("base64") } };
}

function harness(
  options: {
    logGroup?: readonly unknown[];
    source?: AssumeRootCallSource;
    windows?: readonly BreakGlassWindow[];
    callers?: readonly string[];
    handlerOptions?: RootActivityHandlerOptions;
  } = {},
) {
  const calls = new RecordCallSource();
  (options.logGroup ?? []).forEach((record) => calls.add(record));
  const published: RootActivityMessage[] = [];
  const handler = createRootActivityHandler(
    {
      publish: async (message) => {
        published.push(message);
      },
      accountName: async () => undefined,
      prover: new AssumeRootProver(options.source ?? calls, {
        retryDelaysMs: [],
        allowedCallers: new Set(options.callers ?? [MANAGEMENT]),
      }),
      windows: options.windows ?? [],
    },
    options.handlerOptions,
  );
  return { handler, published, calls };
}

const withKey = (record: Record<string, any>, key: string, time?: string) => {
  const copy = structuredClone(record);
  copy.userIdentity.accessKeyId = key;
  if (time !== undefined) {
    copy.eventTime = time;
  }
  return copy;
};

describe("an AssumeRoot session is proved by its AssumeRoot call, and only by it", () => {
  it("the corpus pair: the session is proved, told once on the informational topic, naming who, when, which task, which account", async () => {
    const { handler, published } = harness({ logGroup: [CALL] });
    const result = await handler(delivery([SESSION_EVENT]));
    expect(result).toMatchObject({ received: 1, published: 1, malformed: 0 });
    const [message] = published;
    expect(message.topic).toBe("informational");
    expect(message.attributes.rootUse).toBe("assumeRootSession");
    expect(message.subject).toBe(
      "ASSUMEROOT SESSION S3UnlockBucketPolicy in 222222222222: 1 action so far",
    );
    expect(message.body).toContain(
      "AssumeRoot session: called by arn:aws:sts::111111111111:assumed-role/JohnDoe/JohnRole1 at 2024-10-25T20:52:11Z with task policy arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy for account 222222222222",
    );
    expect(message.body).toContain("DeleteBucketPolicy: 1");
    expect(message.body).toContain("RootAccountUsage");
  });

  it("the session event alone: unexplained, and paged", async () => {
    const { handler, published } = harness();
    await handler(delivery([SESSION_EVENT]));
    expect(published.map((m) => [m.topic, m.attributes.rootUse])).toEqual([
      ["paging", "unexplained"],
    ]);
    expect(published[0].subject).toMatch(/^UNEXPLAINED ROOT DeleteBucketPolicy in 222222222222/);
    expect(published[0].body).toContain(`no AssumeRoot call issued ${KEY}`);
  });

  it("an ASIA key with no console markers and no AssumeRoot call: unexplained", async () => {
    const { handler, published } = harness({ logGroup: [CALL] });
    await handler(delivery([withKey(SESSION_EVENT, "ASIAZZZZZZZZZZZZZZZZ")]));
    expect(published[0].attributes.rootUse).toBe("unexplained");
    expect(published[0].attributes.credential).toBe("temporaryCredentials");
  });

  it("an AssumeRoot call for another key, another account, another caller or too long before: unexplained", async () => {
    const forOther = structuredClone(CALL);
    forOther.requestParameters.targetPrincipal = "333333333333";
    const fromMember = structuredClone(CALL);
    fromMember.recipientAccountId = "444444444444";
    fromMember.userIdentity.accountId = "444444444444";
    const cases: [string, unknown[], Record<string, any>][] = [
      ["another key", [CALL], withKey(SESSION_EVENT, "ASIAOTHERKEY00000000")],
      ["another account", [forOther], SESSION_EVENT],
      ["a caller not allowed to call AssumeRoot", [fromMember], SESSION_EVENT],
      [
        "more than a session's 900 s later",
        [CALL],
        withKey(SESSION_EVENT, KEY, "2024-10-25T21:30:00Z"),
      ],
    ];
    for (const [name, logGroup, event] of cases) {
      const { handler, published } = harness({ logGroup });
      await handler(delivery([event]));
      expect({ name, rootUse: published[0].attributes.rootUse, topic: published[0].topic }).toEqual(
        { name, rootUse: "unexplained", topic: "paging" },
      );
    }
  });

  it("a failed look-up never loses the alert: it goes out unexplained, saying why", async () => {
    const failing: AssumeRootCallSource = {
      find: async () => {
        throw new Error("ThrottlingException: Rate exceeded");
      },
    };
    const { handler, published } = harness({ source: failing });
    await handler(delivery([SESSION_EVENT]));
    expect(published).toHaveLength(1);
    expect(published[0].attributes.rootUse).toBe("unexplained");
    expect(published[0].body).toContain(
      "unexplained (could not check for an AssumeRoot call: ThrottlingException: Rate exceeded)",
    );
  });

  it("a hung look-up holds back nothing: other events go out at once, the waiting one at the deadline, unexplained", async () => {
    let release: () => void = () => undefined;
    const hung: AssumeRootCallSource = {
      find: () =>
        new Promise((resolve) => {
          release = () => resolve([]);
        }),
    };
    const signIn = records.find((r) => r.eventName === "ConsoleLogin") as Record<string, any>;
    const { handler, published } = harness({
      source: hung,
      handlerOptions: { lookupBudgetMs: 200 },
    });
    const started = Date.now();
    const running = handler(delivery([SESSION_EVENT, signIn]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The sign-in needs no look-up: it is paged before the look-up of the session event ends.
    expect(published.map((m) => m.attributes.eventName)).toEqual(["ConsoleLogin"]);
    const result = await running;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ received: 2, published: 2, failedToPublish: 0 });
    expect(published[1]).toMatchObject({ topic: "paging" });
    expect(published[1].attributes.rootUse).toBe("unexplained");
    expect(published[1].body).toContain(
      "could not check for an AssumeRoot call: timed out after 0.2 s",
    );
    release();
  });

  it("takes the deadline from the time the invocation has left", async () => {
    const hung: AssumeRootCallSource = { find: () => new Promise(() => undefined) };
    const { handler, published } = harness({ source: hung });
    // 15 s are kept for publishing: 15.1 s left gives the look-up 0.1 s.
    await handler(delivery([SESSION_EVENT]), { getRemainingTimeInMillis: () => 15_100 });
    expect(published[0].body).toContain("timed out after 0.1 s");
  });

  it("a session whose call arrived after its first page is told, and says the page was this session", async () => {
    const { handler, published, calls } = harness();
    await handler(delivery([SESSION_EVENT]));
    expect(published.map((m) => m.attributes.rootUse)).toEqual(["unexplained"]);
    calls.add(CALL);
    const next = { ...withKey(SESSION_EVENT, KEY, "2024-10-25T20:55:00Z"), eventID: "e-next" };
    await handler(delivery([next]));
    expect(published[1].attributes.rootUse).toBe("assumeRootSession");
    expect(published[1].body).toContain(
      "Earlier events with this key were paged as UNEXPLAINED before this AssumeRoot call reached the log group",
    );
  });

  it("approves no root event recorded in one account for the root user of another", async () => {
    const crossed = structuredClone(SESSION_EVENT);
    crossed.userIdentity.accountId = "333333333333";
    const { handler, published } = harness({
      logGroup: [CALL],
      windows: [
        {
          accountId: MEMBER,
          reason: "INC-1",
          opensAt: "2024-01-01T00:00:00Z",
          expiresAt: "2025-01-01T00:00:00Z",
        },
      ],
    });
    await handler(delivery([crossed]));
    expect(published[0].attributes.rootUse).toBe("unexplained");
    expect(published[0].body).toContain(
      "recorded in 222222222222 for the root user of 333333333333",
    );
  });

  it("tells a session once: its events in one message, later deliveries of it nothing", async () => {
    const later = (minute: string, name: string) => ({
      ...withKey(SESSION_EVENT, KEY, `2024-10-25T20:${minute}:00Z`),
      eventName: name,
      eventID: `e-${minute}`,
    });
    const { handler, published } = harness({ logGroup: [CALL] });
    const first = await handler(
      delivery([SESSION_EVENT, later("54", "GetBucketPolicy"), later("55", "GetBucketPolicy")]),
    );
    expect(first).toMatchObject({ received: 3, published: 1, summarised: 2 });
    expect(published[0].subject).toBe(
      "ASSUMEROOT SESSION S3UnlockBucketPolicy in 222222222222: 3 actions so far",
    );
    expect(published[0].body).toContain("GetBucketPolicy: 2");
    const second = await handler(delivery([later("58", "PutBucketPolicy")]));
    expect(second).toMatchObject({ received: 1, published: 0, summarised: 1 });
    expect(published).toHaveLength(1);
  });
});

describe("break-glass windows, judged at the event's time", () => {
  const window = (expiresAt: string, opensAt = "2000-01-01T00:00:00Z"): BreakGlassWindow => ({
    accountId: "111122223333",
    reason: "INC-4711: unlock the bucket",
    opensAt,
    expiresAt,
  });
  const signIn = records.find(
    (r) => r.eventName === "ConsoleLogin" && r.recipientAccountId === "111122223333",
  ) as Record<string, any>;

  it("inside: approved, on the informational topic, with the reason and when it closes", async () => {
    const at = signIn.eventTime as string;
    const { handler, published } = harness({ windows: [window(at)] });
    await handler(delivery([signIn]));
    expect(published[0].topic).toBe("informational");
    expect(published[0].attributes.rootUse).toBe("breakGlass");
    expect(published[0].subject).toMatch(/^BREAK-GLASS ROOT ConsoleLogin/);
    expect(published[0].body).toContain(
      `inside break-glass window: INC-4711: unlock the bucket, closes ${at}`,
    );
  });

  it("closed one second before the event, opened one second after it, or for another account: unexplained", async () => {
    const second = (offset: number) =>
      new Date(Date.parse(signIn.eventTime) + offset * 1000).toISOString().replace(/\.000Z$/, "Z");
    const { handler: atOpening, published: opened } = harness({
      windows: [window(second(3600), signIn.eventTime)],
    });
    await atOpening(delivery([signIn]));
    expect(opened[0].attributes.rootUse).toBe("breakGlass");
    for (const windows of [
      [window(second(-1))],
      [window(second(3600), second(1))],
      [{ ...window("2099-01-01T00:00:00Z"), accountId: "999999999999" }],
    ]) {
      const { handler, published } = harness({ windows });
      await handler(delivery([signIn]));
      expect(published[0].attributes.rootUse).toBe("unexplained");
    }
  });
});

describe("one definition of root activity", () => {
  it("the notifier decides on NOTIFIER_PATTERN, which is the CIS filter, unchanged", () => {
    expect(NOTIFIER_PATTERN).toBe(CIS_ROOT_USAGE_PATTERN);
    for (const record of records) {
      expect(isNotifiedRootEvent(record)).toBe(
        matchedDetections(record).includes("RootAccountUsage"),
      );
    }
  });

  it("every record the pattern matches yields an alert, whatever else it holds or lacks", () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    const recordArb = fc.record(
      {
        userIdentity: fc.record(
          {
            type: fc.constant("Root"),
            accessKeyId: fc.oneof(fc.constant("ASIAIOSFODNN7EXAMPLE"), fc.string()),
            accountId: fc.string(),
            arn: fc.string(),
          },
          { requiredKeys: ["type"] },
        ),
        eventName: fc.string(),
        eventSource: fc.string(),
        eventTime: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
        ),
        eventType: fc.oneof(
          fc.constant("AwsApiCall"),
          fc.constant("AwsConsoleSignIn"),
          fc.string(),
        ),
        sourceIPAddress: fc.string(),
        recipientAccountId: fc.string(),
        errorCode: fc.string(),
        responseElements: fc.oneof(fc.constant(null), fc.dictionary(fc.string(), value)),
        additionalEventData: fc.dictionary(fc.string(), value),
      },
      { requiredKeys: ["userIdentity"] },
    );
    fc.assert(
      fc.property(recordArb, (record) => {
        if (!isNotifiedRootEvent(record)) {
          return true;
        }
        const alert = describeRootEvent(record);
        return alert.kind === "rootAlert" && (alert as RootAlert).subject.length <= 100;
      }),
      { numRuns: 500 },
    );
  });

  it("every message carries the rootUse attribute and names the detections the event matched", async () => {
    const positives = records.filter(isNotifiedRootEvent);
    const { handler, published } = harness({ logGroup: [CALL] });
    await handler(delivery(positives));
    expect(published.length).toBeGreaterThan(20);
    for (const message of published) {
      expect(["unexplained", "breakGlass", "assumeRootSession"]).toContain(
        message.attributes.rootUse,
      );
      expect(message.attributes.detections).toContain("RootAccountUsage");
    }
  });
});

describe("the look-up in the central log group (LogGroupCallSource)", () => {
  const logs = mockClient(CloudWatchLogsClient);
  afterEach(() => logs.reset());
  const source = () =>
    new LogGroupCallSource(new CloudWatchLogsClient({ region: "us-west-2" }), {
      logGroupName: "/aws-org-guardrails/cloudtrail",
      streamPrefixes: [`${MANAGEMENT}_CloudTrail_`],
      requestsPerSecond: 1_000,
    });

  it("makes exactly one FilterLogEvents walk: the callers' streams, the session's window, a pattern on the issued key; it follows an empty page's token", async () => {
    const inputs: Record<string, unknown>[] = [];
    const pages = [
      { events: [], nextToken: "page-2" },
      { events: [{ message: JSON.stringify(CALL) }] },
    ];
    logs.on(FilterLogEventsCommand).callsFake((input) => {
      inputs.push({ ...input });
      return pages.shift();
    });
    const prover = new AssumeRootProver(source(), { retryDelaysMs: [] });
    const proof = await prover.prove(KEY, MEMBER, SESSION_EVENT.eventTime);
    expect(proof.kind).toBe("proved");
    const eventTime = Date.parse(SESSION_EVENT.eventTime);
    const first = {
      logGroupName: "/aws-org-guardrails/cloudtrail",
      logStreamNamePrefix: `${MANAGEMENT}_CloudTrail_`,
      // A session's lifetime and the skew before the event; the skew after it, and 15 minutes
      // for the call's delivery.
      startTime: eventTime - 960_000,
      endTime: eventTime + 60_000 + 900_000,
      filterPattern: `{ ($.eventName = "AssumeRoot") && ($.responseElements.credentials.accessKeyId = "${KEY}") }`,
    };
    expect(inputs).toEqual([first, { ...first, nextToken: "page-2" }]);
    // The session's other events cost no look-up.
    await prover.prove(KEY, MEMBER, "2024-10-25T20:58:00Z");
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(2);
  });

  it("narrows the window to the session's creation when the event names it, and checks the call against it", async () => {
    const inputs: Record<string, unknown>[] = [];
    logs.on(FilterLogEventsCommand).callsFake((input) => {
      inputs.push({ ...input });
      return { events: [{ message: JSON.stringify(CALL) }] };
    });
    const createdAt = new Date(SESSION_EVENT.userIdentity.sessionContext.attributes.creationDate);
    const proof = await new AssumeRootProver(source(), { retryDelaysMs: [] }).prove(
      KEY,
      MEMBER,
      SESSION_EVENT.eventTime,
      { createdAt },
    );
    expect(proof.kind).toBe("proved");
    expect(inputs).toMatchObject([
      { startTime: createdAt.getTime() - 60_000, endTime: createdAt.getTime() + 60_000 + 900_000 },
    ]);
    // A session created five minutes after the call is not the call's session.
    logs.reset();
    logs.on(FilterLogEventsCommand).resolves({ events: [{ message: JSON.stringify(CALL) }] });
    const later = await new AssumeRootProver(source(), { retryDelaysMs: [] }).prove(
      KEY,
      MEMBER,
      SESSION_EVENT.eventTime,
      { createdAt: new Date(createdAt.getTime() - 300_000) },
    );
    expect(later.kind).toBe("notProved");
  });

  it("calls a scan cut short a failed look-up, never 'no call'", async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [], nextToken: "more" });
    const limited = new LogGroupCallSource(new CloudWatchLogsClient({ region: "us-west-2" }), {
      logGroupName: "/aws-org-guardrails/cloudtrail",
      streamPrefixes: [`${MANAGEMENT}_CloudTrail_`],
      maxPages: 3,
      requestsPerSecond: 1_000,
    });
    const proof = await new AssumeRootProver(limited, { retryDelaysMs: [] }).prove(
      KEY,
      MEMBER,
      SESSION_EVENT.eventTime,
    );
    expect(proof).toEqual({
      kind: "lookupFailed",
      reason: `the scan of ${MANAGEMENT}_CloudTrail_* was not complete after 3 FilterLogEvents pages`,
    });
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(3);
  });

  it("paces its requests: at 2 per second, the fifth request of a walk waits 1.5 s", async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [], nextToken: "more" });
    let clock = 0;
    const sent: number[] = [];
    logs.on(FilterLogEventsCommand).callsFake(() => {
      sent.push(clock);
      return { events: [], nextToken: "more" };
    });
    const paced = new LogGroupCallSource(new CloudWatchLogsClient({ region: "us-west-2" }), {
      logGroupName: "/aws-org-guardrails/cloudtrail",
      streamPrefixes: [`${MANAGEMENT}_CloudTrail_`],
      maxPages: 5,
      requestsPerSecond: 2,
      now: () => clock,
    });
    vi.useFakeTimers();
    try {
      const walk = paced
        .find({ accessKeyId: KEY, from: new Date(0), to: new Date(1) })
        .catch((error: Error) => error.message);
      await vi.advanceTimersByTimeAsync(0);
      for (let step = 0; step < 40 && sent.length < 5; step++) {
        clock += 100;
        await vi.advanceTimersByTimeAsync(100);
      }
      expect(await walk).toMatch(/not complete after 5 FilterLogEvents pages/);
    } finally {
      vi.useRealTimers();
    }
    // A burst of 2, then one every 500 ms.
    expect(sent.map((at) => Math.round(at / 100) * 100)).toEqual([0, 0, 500, 1000, 1500]);
  });

  it("stops a walk when the deadline aborts it", async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [], nextToken: "more" });
    const controller = new AbortController();
    controller.abort(new Error("timed out after 20 s"));
    await expect(
      source().find({ accessKeyId: KEY, from: new Date(0), to: new Date(1) }, controller.signal),
    ).rejects.toThrow();
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(0);
  });

  it("retries briefly while the call may not have arrived, then reports it not proved; an event old enough for its call to be there, or a key already missed, gets one look-up", async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    const waits: number[] = [];
    const eventTime = Date.parse(SESSION_EVENT.eventTime);
    let now = eventTime + 60_000;
    const prover = new AssumeRootProver(source(), {
      retryDelaysMs: [2000, 8000],
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const proof = await prover.prove(KEY, MEMBER, SESSION_EVENT.eventTime);
    expect(proof.kind).toBe("notProved");
    expect(waits).toEqual([2000, 8000]);
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(3);
    // The same key again (the next delivery): one more look-up, no waits.
    await prover.prove(KEY, MEMBER, "2024-10-25T20:54:00Z");
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(4);
    expect(waits).toHaveLength(2);
    // A backlog: the event is 20 minutes old, its call would be there by now.
    now = eventTime + 20 * 60_000;
    await prover.prove("ASIAOTHERKEY00000000", MEMBER, SESSION_EVENT.eventTime);
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(5);
    expect(waits).toHaveLength(2);
  });

  it("never puts anything but an access key id into the pattern", async () => {
    const found = await source().find({
      accessKeyId: 'ASIA" } || { $.x = "',
      from: new Date(0),
      to: new Date(1),
    });
    expect(found).toEqual([]);
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(0);
  });

  it("reads the AWS example call as a successful AssumeRoot call", () => {
    expect(assumeRootCallOf(CALL)).toEqual({
      eventId: undefined,
      eventTime: "2024-10-25T20:52:11Z",
      callerArn: "arn:aws:sts::111111111111:assumed-role/JohnDoe/JohnRole1",
      callerAccountId: MANAGEMENT,
      targetAccountId: MEMBER,
      taskPolicyArn: "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy",
      accessKeyId: KEY,
      region: "us-west-2",
    });
    expect(assumeRootCallOf({ ...CALL, errorCode: "AccessDenied" })).toBeUndefined();
  });

  it("reads a target given as the member's principal ARN, and refuses calls AWS cannot have recorded", () => {
    const withTarget = (target: string) => {
      const copy = structuredClone(CALL);
      copy.requestParameters.targetPrincipal = target;
      return copy;
    };
    expect(assumeRootCallOf(withTarget(`arn:aws:iam::${MEMBER}:root`))?.targetAccountId).toBe(
      MEMBER,
    );
    expect(
      assumeRootCallOf(withTarget(`arn:aws-us-gov:iam::${MEMBER}:root`))?.targetAccountId,
    ).toBe(MEMBER);
    expect(assumeRootCallOf(withTarget(`arn:aws:iam::${MEMBER}:user/alice`))).toBeUndefined();
    expect(assumeRootCallOf(withTarget("22222222222"))).toBeUndefined();
    // AssumeRoot cannot be called with root credentials, nor for the caller's own account.
    const byRoot = structuredClone(CALL);
    byRoot.userIdentity = {
      type: "Root",
      arn: `arn:aws:iam::${MANAGEMENT}:root`,
      accountId: MANAGEMENT,
    };
    expect(assumeRootCallOf(byRoot)).toBeUndefined();
    expect(assumeRootCallOf(withTarget(MANAGEMENT))).toBeUndefined();
    // Recorded in one account for a caller of another: not an STS record.
    expect(assumeRootCallOf({ ...CALL, recipientAccountId: "333333333333" })).toBeUndefined();
  });
});

describe("npm run explain", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "explain-"));
  const file = path.join(dir, "trail.json.gz");
  writeFileSync(file, gzipSync(JSON.stringify({ Records: records })));

  it("shows what the notifier would publish for each root event, an AssumeRoot call in the files proving its session", () => {
    const out = path.join(dir, "alerts.json");
    const result = runCommand("explain", ["--json", out, file]);
    expect(result.status).toBe(0);
    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(report.badFiles).toEqual([]);
    expect(report.alerts).toHaveLength(records.filter(isNotifiedRootEvent).length);
    const session = report.alerts.filter((a: any) => a.kind === "assumeRootSession");
    expect(session).toEqual([
      {
        eventId: SESSION_EVENT.eventID,
        accountId: MEMBER,
        eventName: "DeleteBucketPolicy",
        eventTime: SESSION_EVENT.eventTime,
        sourceIPAddress: "192.0.2.1",
        kind: "assumeRootSession",
        assumeRootEventId: "2024-10-25T20:52:11Z",
        detections: ["RootAccountUsage"],
        subject: "ASSUMEROOT SESSION S3UnlockBucketPolicy in 222222222222: 1 action so far",
      },
    ]);
    expect(report.alerts.filter((a: any) => a.kind === "unexplained")).toHaveLength(
      report.alerts.length - 1,
    );
    expect(result.stdout).toContain("1 in AssumeRoot sessions");
    // Without --stack, the JSON says that a call of any account counted.
    expect(report.assumeRootCallers).toBeNull();
    // Every field of the contract is present, null when the record has none.
    const timeless = report.alerts.find((a: any) => a.eventTime === null);
    expect(timeless).toBeDefined();
    for (const alert of report.alerts) {
      for (const field of ["eventId", "accountId", "eventTime", "sourceIPAddress"]) {
        expect(alert, field).toHaveProperty(field);
      }
    }
  });

  it("without --stack still refuses a forged call: by the target's own root, or for the caller's own account", () => {
    const forged = structuredClone(CALL);
    forged.userIdentity = { type: "Root", arn: `arn:aws:iam::${MEMBER}:root`, accountId: MEMBER };
    const self = structuredClone(CALL);
    self.userIdentity.accountId = MEMBER;
    self.userIdentity.arn = `arn:aws:sts::${MEMBER}:assumed-role/Admin/x`;
    for (const call of [forged, self]) {
      const forgedFile = path.join(dir, "forged.json");
      writeFileSync(forgedFile, JSON.stringify({ Records: [call, SESSION_EVENT] }));
      const out = path.join(dir, "forged-alerts.json");
      expect(runCommand("explain", ["--json", out, forgedFile]).status).toBe(0);
      const report = JSON.parse(readFileSync(out, "utf8"));
      expect(report.alerts.map((a: any) => [a.eventName, a.kind])).toEqual(
        expect.arrayContaining([["DeleteBucketPolicy", "unexplained"]]),
      );
    }
  });

  it("counts AssumeRoot calls only from the stack's management account with --stack, and uses its windows at each event's time", () => {
    const stacks = path.join(dir, "stacks");
    mkdirSync(stacks, { recursive: true });
    const stack = readFileSync(DEV_STACK_FILE, "utf8").replace(
      "breakGlass: []",
      'breakGlass:\n      - accountId: "111122223333"\n        reason: "INC-1: expired long ago"\n        expiresAt: "2022-11-10T17:00:00Z"',
    );
    writeFileSync(path.join(stacks, "Pulumi.dev.yaml"), stack);
    const out = path.join(dir, "stack-alerts.json");
    const result = runCommand("explain", [
      "--stack",
      "dev",
      "--stacks",
      stacks,
      "--json",
      out,
      file,
    ]);
    expect(result.status).toBe(0);
    const report = JSON.parse(readFileSync(out, "utf8"));
    // dev's management account is not the example's caller: the session is not proved.
    expect(report.alerts.some((a: any) => a.kind === "assumeRootSession")).toBe(false);
    const inWindow = report.alerts.filter((a: any) => a.kind === "breakGlass");
    expect(inWindow.length).toBeGreaterThan(0);
    for (const alert of inWindow) {
      expect(alert.accountId).toBe("111122223333");
      expect(alert.breakGlassReason).toBe("INC-1: expired long ago");
      expect(Date.parse(alert.eventTime)).toBeLessThanOrEqual(Date.parse("2022-11-10T17:00:00Z"));
    }
    // The entry has no openedAt: the window reaches back maxBreakGlassHours (72) before it closes,
    // never to the account's root events of 2021.
    const before = report.alerts.filter(
      (a: any) => a.accountId === "111122223333" && a.eventTime?.startsWith("2021-"),
    );
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((a: any) => a.kind === "unexplained")).toBe(true);
  });

  it("reports bad files like replay (exit 1) and bad arguments (exit 2, one line)", () => {
    const bad = path.join(dir, "bad.json.gz");
    writeFileSync(bad, "not gzip");
    const withBad = runCommand("explain", [file, bad]);
    expect(withBad.status).toBe(1);
    expect(withBad.stderr).toContain(`explain: skipped ${bad}: not gzip data (or corrupt)`);
    const noArgs = runCommand("explain", []);
    expectCleanFailure(noArgs);
    expect(noArgs.status).toBe(2);
    expect(noArgs.stderr.trim().split("\n")).toHaveLength(1);
    // --json naming a folder is a bad argument, found before anything is read.
    const toFolder = runCommand("explain", ["--json", dir, file]);
    expectCleanFailure(toFolder);
    expect(toFolder.status).toBe(2);
    expect(toFolder.stderr).toContain(`--json: ${dir} is a folder; name a file`);
  });
});
