import {
  AccessDeniedException,
  DescribeAccountCommand,
  OrganizationsClient,
  TooManyRequestsException,
} from "@aws-sdk/client-organizations";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { AssumeRootProver, RecordCallSource } from "../notifier/assumeRootProof";
import { BreakGlassWindow } from "../notifier/breakGlass";
import {
  CloudWatchLogsEvent,
  createRootActivityHandler,
  PublishFailedError,
  RootActivityHandlerOptions,
  RootActivityMessage,
} from "../notifier/handler";
import { handler as lambdaHandler } from "../notifier/lambda";
import { decodeSubscriptionPayload, SubscriptionPayloadError } from "../notifier/payload";
import {
  CREDENTIAL_LABELS,
  describeRootEvent,
  MAX_SUBJECT_LENGTH,
  RootAlert,
} from "../notifier/rootEvent";
import { lambdaContainer, useEnvironment } from "./support/notifierEnv";
import { CORPUS_DIR } from "./support/fixtures";

// ---------------------------------------------------------------------------------------------
// The labelled corpus (see its README.md): AWS documentation, Panther and Stratus Red Team records.

function readJsonLines(file: string): Record<string, any>[] {
  return readFileSync(path.join(CORPUS_DIR, file), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, any>);
}

interface CorpusEntry {
  readonly id: string;
  readonly line: string;
  readonly record: Record<string, any>;
  readonly label: Record<string, any>;
}

const eventLines = readFileSync(path.join(CORPUS_DIR, "events.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "");
const labels = readJsonLines("labels.jsonl");
const corpus: CorpusEntry[] = eventLines.map((line, index) => ({
  id: labels[index].id as string,
  line,
  record: JSON.parse(line),
  label: labels[index],
}));
const positives = corpus.filter((entry) => entry.label.is_root_activity_cis === true);
const byId = (id: string): CorpusEntry => {
  const entry = corpus.find((candidate) => candidate.id === id);
  if (entry === undefined) {
    throw new Error(`no corpus record ${id}`);
  }
  return entry;
};

/** Inside an AssumeRoot session: the label says so, or the root identity used an ASIA key. */
function isAssumeRootSession(entry: CorpusEntry): boolean {
  const said = /AssumeRoot-session/.test(entry.label.category ?? "");
  const asia = String(entry.record.userIdentity?.accessKeyId ?? "").startsWith("ASIA");
  return said || (asia && entry.record.sessionCredentialFromConsole !== "true");
}
const consoleLogin = (entry: CorpusEntry, result: "Success" | "Failure"): boolean =>
  entry.record.eventName === "ConsoleLogin" &&
  (entry.label.category ?? "").includes(`ConsoleLogin=${result}`) &&
  entry.record.responseElements?.ConsoleLogin === result;

function expectedAccountId(record: Record<string, any>): string {
  return record.recipientAccountId ?? record.userIdentity?.accountId;
}

// ---------------------------------------------------------------------------------------------
// Subscription deliveries, built the way CloudWatch Logs builds them.

let nextLogEventId = 1;

function delivery(
  messages: readonly string[],
  messageType: "DATA_MESSAGE" | "CONTROL_MESSAGE" = "DATA_MESSAGE",
): CloudWatchLogsEvent {
  const payload = {
    messageType,
    owner: "111111111111",
    logGroup: "aws-org-guardrails/organization-trail",
    logStream: "o-exampleorgid_111122223333_CloudTrail_us-east-1",
    subscriptionFilters: ["aws-org-guardrails-root-activity"],
    logEvents: messages.map((message) => ({
      id: String(
        37_000_000_000_000_000_000_000_000_000_000_000_000_000_000n + BigInt(nextLogEventId++),
      ),
      timestamp: 1_700_000_000_000 + nextLogEventId,
      message,
    })),
  };
  return encode(payload);
}

function encode(payload: unknown): CloudWatchLogsEvent {
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(payload))).toString("base64") } };
}

/** A prover over these records as the central log group (AssumeRoot calls among them count). */
function proverOver(records: readonly unknown[] = [], callers?: readonly string[]) {
  const source = new RecordCallSource();
  records.forEach((record) => source.add(record));
  return new AssumeRootProver(source, {
    retryDelaysMs: [],
    ...(callers === undefined ? {} : { allowedCallers: new Set(callers) }),
  });
}

function recorder(
  options: {
    names?: Record<string, string>;
    failWhen?: (message: RootActivityMessage) => boolean;
    handlerOptions?: RootActivityHandlerOptions;
    /** Records the central log group holds (AssumeRoot calls). */
    logGroup?: readonly unknown[];
    windows?: readonly BreakGlassWindow[];
  } = {},
) {
  const published: RootActivityMessage[] = [];
  const attempts: RootActivityMessage[] = [];
  const lookups: string[] = [];
  const logs: string[] = [];
  const handler = createRootActivityHandler(
    {
      publish: async (message) => {
        attempts.push(message);
        if (options.failWhen?.(message)) {
          throw new Error("SNS is having a bad night");
        }
        published.push(message);
      },
      accountName: async (accountId) => {
        lookups.push(accountId);
        return options.names?.[accountId];
      },
      prover: proverOver(options.logGroup),
      windows: options.windows ?? [],
      log: (line) => logs.push(line),
    },
    options.handlerOptions,
  );
  return { handler, published, attempts, lookups, logs };
}

function alertOf(record: unknown, accountName?: string): RootAlert {
  const alert = describeRootEvent(record, { accountName });
  if (alert.kind !== "rootAlert") {
    throw new Error(`expected a root alert, got: ${alert.reason}`);
  }
  return alert;
}

const PRINTABLE_ONE_LINE = /^[\x20-\x7e]+$/;

// ---------------------------------------------------------------------------------------------

describe("the labelled corpus", () => {
  it("has the records these tests rely on", () => {
    expect(labels).toHaveLength(eventLines.length);
    expect(positives).toHaveLength(26);
    expect(positives.filter(isAssumeRootSession).map((e) => e.id)).toEqual(["ev-030"]);
    expect(positives.filter((e) => consoleLogin(e, "Success")).length).toBeGreaterThanOrEqual(5);
    expect(positives.filter((e) => consoleLogin(e, "Failure")).length).toBeGreaterThanOrEqual(4);
  });
});

describe("every CIS-positive corpus record through the handler", () => {
  it.each(positives.map((entry) => [entry.id, entry] as const))(
    "%s: one message naming account, event, region, source IP and credential",
    async (_id, entry) => {
      const { handler, published, logs } = recorder();
      const result = await handler(delivery([entry.line]));

      expect(result).toEqual({
        received: 1,
        published: 1,
        summarised: 0,
        malformed: 0,
        failedToPublish: 0,
        alreadySent: 0,
      });
      expect(published).toHaveLength(1);
      const [message] = published;
      // No AssumeRoot call and no window: every one of them is unexplained, and pages.
      expect(message.topic).toBe("paging");
      expect(message.attributes.rootUse).toBe("unexplained");
      expect(message.subject.startsWith("UNEXPLAINED ROOT ")).toBe(true);
      const record = entry.record;

      const accountId = expectedAccountId(record);
      expect(message.attributes.accountId).toBe(accountId);
      expect(message.subject).toContain(` in ${accountId}`);
      expect(message.body).toMatch(new RegExp(`^Account: +${accountId}$`, "m"));
      expect(message.attributes.eventName).toBe(record.eventName);
      expect(message.subject).toContain(`ROOT ${record.eventName}`);
      expect(message.body).toMatch(
        new RegExp(
          `^Action: +${record.eventName} \\(${record.eventSource.replace(/\./g, "\\.")}\\)$`,
          "m",
        ),
      );
      expect(message.body).toMatch(new RegExp(`^Region: +${record.awsRegion}$`, "m"));
      if (record.sourceIPAddress === undefined) {
        expect(message.body).toMatch(/^Source IP: +\(not in the record\)$/m);
        expect(message.subject).not.toContain(" from ");
      } else {
        expect(message.body).toContain(`Source IP:   ${record.sourceIPAddress}\n`);
        expect(message.subject.endsWith(` from ${record.sourceIPAddress}`)).toBe(true);
      }

      expect(message.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
      expect(message.subject).toMatch(PRINTABLE_ONE_LINE);

      const credential = /^Credential: +(.*)$/m.exec(message.body)?.[1];
      const outcome = /^Outcome: +(.*)$/m.exec(message.body)?.[1];
      if (isAssumeRootSession(entry)) {
        // Its AssumeRoot call is not in this delivery's log group: no proof, no AssumeRoot label.
        expect(credential).toBe(CREDENTIAL_LABELS.temporaryCredentials);
        expect(message.attributes.credential).toBe("temporaryCredentials");
        expect(message.body).toContain(
          `no AssumeRoot call issued access key ${record.userIdentity.accessKeyId}`,
        );
      }
      expect(message.subject).not.toContain("AssumeRoot");
      if (consoleLogin(entry, "Success")) {
        expect(credential).toBe("console sign-in with the root password");
        expect(outcome).toBe("success");
        expect(message.subject).not.toContain("FAILED");
      }
      if (consoleLogin(entry, "Failure")) {
        expect(credential).toBe("console sign-in with the root password");
        expect(outcome).toMatch(/^failure/);
        expect(message.subject).toContain("ConsoleLogin FAILED");
      }
      if (String(record.userIdentity.accessKeyId ?? "").startsWith("AKIA")) {
        expect(credential).toBe(
          `long-term root credentials (access key ${record.userIdentity.accessKeyId})`,
        );
      }
      if (record.errorCode !== undefined) {
        expect(outcome).toBe(`failure: ${record.errorCode}: ${record.errorMessage}`);
      }
      expect(message.body).toMatch(/^What to do: .+/m);
      expect(logs.some((line) => line.includes("published=1"))).toBe(true);
    },
  );

  it("publishes all of them from one delivery, one message each", async () => {
    const { handler, published } = recorder();
    const result = await handler(delivery(positives.map((entry) => entry.line)));
    expect(result).toEqual({
      received: positives.length,
      published: positives.length,
      summarised: 0,
      malformed: 0,
      failedToPublish: 0,
      alreadySent: 0,
    });
    // Events needing no look-up go out first; every event is published once.
    expect(published.map((m) => m.attributes.eventName).sort()).toEqual(
      positives.map((entry) => entry.record.eventName).sort(),
    );
  });

  it("keeps every subject within 100 printable ASCII characters, even with a long odd account name", () => {
    const longName = `Zahlungsverkehr-Prüfung ${"x".repeat(120)}\nsecond line`;
    for (const entry of positives) {
      for (const name of [undefined, "payments-prod", longName]) {
        const { subject } = alertOf(entry.record, name);
        expect(subject.length, `${entry.id} ${subject}`).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
        expect(subject, entry.id).toMatch(PRINTABLE_ONE_LINE);
        if (entry.record.sourceIPAddress !== undefined) {
          // The name gives way first: where the call came from stays readable.
          expect(subject.endsWith(` from ${entry.record.sourceIPAddress}`), subject).toBe(true);
        }
      }
    }
    expect(alertOf(byId("ev-001").record, longName).subject).toMatch(
      /^UNEXPLAINED ROOT ConsoleLogin in 111122223333 \(Zahlungsverkehr-Prufung x+\.\.\.\) from 192\.0\.2\.0$/,
    );
  });
});

describe("describeRootEvent", () => {
  it("renders the example subject of the design", () => {
    expect(alertOf(byId("ev-001").record, "payments-prod").subject).toBe(
      "UNEXPLAINED ROOT ConsoleLogin in 111122223333 (payments-prod) from 192.0.2.0",
    );
  });

  it("reads MFA from the sign-in event, else from the session context", () => {
    expect(alertOf(byId("ev-001").record).mfaUsed).toBe("no");
    expect(alertOf(byId("ev-002").record).mfaUsed).toBe("yes"); // "MFAUsed": "YES"
    expect(alertOf(byId("ev-004").record).mfaUsed).toBe("no"); // mfaAuthenticated "false"
    expect(alertOf(byId("ev-021").record).mfaUsed).toBe("unknown"); // access key, no session
    const withMfa = structuredClone(byId("ev-031").record);
    withMfa.userIdentity.sessionContext.attributes.mfaAuthenticated = "true";
    expect(alertOf(withMfa).mfaUsed).toBe("yes");
  });

  it("reports failures from errorCode/errorMessage and from the sign-in result", () => {
    expect(alertOf(byId("ev-003").record).outcome).toEqual({
      status: "failure",
      error: "Failed authentication",
    });
    expect(alertOf(byId("ev-036").record).outcome).toEqual({
      status: "failure",
      error: "ConsoleLogin = Failure (the record carries no error message)",
    });
    expect(alertOf(byId("ev-038").record).outcome.status).toBe("failure"); // PasswordUpdated
    expect(alertOf(byId("ev-055").record).outcome).toEqual({
      status: "failure",
      error: "NotOrganizationMasterAccountException: Cannot stop trail, not master trail.",
    });
    expect(alertOf(byId("ev-056").record).outcome).toEqual({ status: "success" });
  });

  it("does not call a console session with temporary root credentials an AssumeRoot session", () => {
    // A root password sign-in also gets ASIA keys; CloudTrail marks such calls as from the console.
    const consoleSession = { ...byId("ev-030").record, sessionCredentialFromConsole: "true" };
    const alert = alertOf(consoleSession);
    expect(alert.credentialKind).toBe("consoleSession");
    expect(alert.credential).toBe(CREDENTIAL_LABELS.consoleSession);
    expect(alert.subject).not.toContain("AssumeRoot");
    expect(alert.body).toContain("root ConsoleLogin in this account");
  });

  it("recognises an older root console session by its signin.amazonaws.com markers", () => {
    // ev-023 (2018, CIS-negative because of invokedBy): an ASIA key years before AssumeRoot existed.
    const alert = alertOf(byId("ev-023").record);
    expect(alert.accessKeyId?.startsWith("ASIA")).toBe(true);
    expect(alert.credentialKind).toBe("consoleSession");
    expect(alert.subject).not.toContain("AssumeRoot");
  });

  it("never calls a temporary key an AssumeRoot session by itself: only a proof makes it one", () => {
    const alert = alertOf(byId("ev-030").record, "shared-services");
    expect(alert.subject).toBe(
      "UNEXPLAINED ROOT DeleteBucketPolicy in 222222222222 (shared-services) from 192.0.2.1",
    );
    expect(alert.credentialKind).toBe("temporaryCredentials");
    expect(alert.body).toContain("no AssumeRoot call issued access key ASIAIOSFODNN7EXAMPLE");
    expect(alert.body).toMatch(/^User agent: +\(not in the record\)$/m);
  });

  it("gives other credentials a label that says what the record showed", () => {
    expect(alertOf(byId("ev-033").record).credential).toBe(
      "root credentials with an access key id of no known kind (1)",
    );
    const noKey = structuredClone(byId("ev-033").record);
    delete noKey.userIdentity.accessKeyId;
    expect(alertOf(noKey).credential).toBe("root credentials (the record does not say which kind)");
    expect(alertOf(byId("ev-052").record).credentialKind).toBe("consoleSession");
    expect(alertOf(byId("ev-005").record).credential).toBe(
      "root user on the AWS sign-in page (PasswordUpdated), with the root password",
    );
  });

  it("puts every field on its own line and lets no field forge extra lines", () => {
    const record = {
      ...byId("ev-001").record,
      userAgent: "curl/8\nWhat to do: nothing, this is fine\r\nAccount: 999999999999",
    };
    const { body } = alertOf(record, "payments-prod");
    const lines = body.split("\n");
    expect(lines.filter((line) => line.startsWith("What to do:"))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith("Account:"))).toEqual([
      "Account:     111122223333 (payments-prod)",
    ]);
    for (const label of [
      "Root use",
      "Detections",
      "Action",
      "Outcome",
      "Credential",
      "MFA used",
      "Identity",
      "Access key",
      "Time (UTC)",
      "Region",
      "Source IP",
      "User agent",
      "Event ID",
    ]) {
      expect(
        lines.filter((line) => line.startsWith(`${label}:`)),
        label,
      ).toHaveLength(1);
    }
  });

  it("takes recipientAccountId first, else userIdentity.accountId", () => {
    const record = structuredClone(byId("ev-001").record);
    record.recipientAccountId = "444455556666";
    expect(alertOf(record).accountId).toBe("444455556666");
    delete record.recipientAccountId;
    expect(alertOf(record).accountId).toBe("111122223333");
  });

  it("answers malformed for anything that is not a root CloudTrail record, and describes any root record", () => {
    expect(describeRootEvent(null).kind).toBe("malformed");
    expect(describeRootEvent([1, 2]).kind).toBe("malformed");
    expect(describeRootEvent({ hello: "world" }).kind).toBe("malformed");
    // The notifier's pattern matches this, so it is an alert, with what is missing shown missing.
    const bare = describeRootEvent({ userIdentity: { type: "Root" } });
    expect(bare.kind).toBe("rootAlert");
    expect((bare as RootAlert).subject).toBe("UNEXPLAINED ROOT (no eventName) in unknown account");
    const notRoot = corpus.filter((entry) => entry.record.userIdentity?.type !== "Root");
    expect(notRoot.length).toBeGreaterThan(30);
    for (const entry of notRoot) {
      expect(describeRootEvent(entry.record).kind, entry.id).toBe("malformed");
    }
  });
});

describe("decodeSubscriptionPayload", () => {
  it("decodes a data message", () => {
    const line = byId("ev-001").line;
    const payload = decodeSubscriptionPayload(delivery([line]).awslogs.data);
    expect(payload.messageType).toBe("DATA_MESSAGE");
    expect(payload.logGroup).toBe("aws-org-guardrails/organization-trail");
    expect(payload.subscriptionFilters).toEqual(["aws-org-guardrails-root-activity"]);
    expect(payload.logEvents).toHaveLength(1);
    expect(payload.logEvents[0].message).toBe(line);
  });

  it("yields no events for a CONTROL_MESSAGE", () => {
    // What CloudWatch Logs sends to check the destination: one log event that is not a record.
    const control = encode({
      messageType: "CONTROL_MESSAGE",
      owner: "CloudwatchLogs",
      logGroup: "",
      logStream: "",
      subscriptionFilters: [],
      logEvents: [
        {
          id: "",
          timestamp: 1_700_000_000_000,
          message: "CWL CONTROL MESSAGE: Checking health of destination Lambda function.",
        },
      ],
    });
    const payload = decodeSubscriptionPayload(control.awslogs.data);
    expect(payload.messageType).toBe("CONTROL_MESSAGE");
    expect(payload.logEvents).toEqual([]);
  });

  it.each([
    ["empty", "", "base64"],
    ["not base64", "this is not base64!", "base64"],
    ["not gzip", Buffer.from("plain text").toString("base64"), "gunzip"],
    ["not JSON", gzipSync("{not json").toString("base64"), "json"],
    ["not an object", gzipSync("[1,2,3]").toString("base64"), "shape"],
    [
      "unknown messageType",
      gzipSync(JSON.stringify({ messageType: "OTHER", logEvents: [] })).toString("base64"),
      "shape",
    ],
    [
      "no logEvents",
      gzipSync(JSON.stringify({ messageType: "DATA_MESSAGE" })).toString("base64"),
      "shape",
    ],
    [
      "a log event without message",
      gzipSync(JSON.stringify({ messageType: "DATA_MESSAGE", logEvents: [{ id: "1" }] })).toString(
        "base64",
      ),
      "shape",
    ],
  ])("throws a SubscriptionPayloadError for %s input", (_name, data, stage) => {
    let caught: unknown;
    try {
      decodeSubscriptionPayload(data);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SubscriptionPayloadError);
    expect((caught as SubscriptionPayloadError).stage).toBe(stage);
  });
});

describe("createRootActivityHandler", () => {
  it("publishes nothing for a CONTROL_MESSAGE", async () => {
    const { handler, attempts, lookups } = recorder();
    const control = encode({
      messageType: "CONTROL_MESSAGE",
      owner: "CloudwatchLogs",
      logGroup: "",
      logStream: "",
      subscriptionFilters: [],
      logEvents: [
        {
          id: "",
          timestamp: 1,
          message: "CWL CONTROL MESSAGE: Checking health of destination Lambda function.",
        },
      ],
    });
    expect(await handler(control)).toEqual({
      received: 0,
      published: 0,
      summarised: 0,
      malformed: 0,
      failedToPublish: 0,
      alreadySent: 0,
    });
    expect(attempts).toEqual([]);
    expect(lookups).toEqual([]);
  });

  it("counts malformed messages, logs their first 200 characters and still publishes the others", async () => {
    const { handler, published, logs } = recorder();
    const garbage = `not json ${"#".repeat(300)}`;
    const result = await handler(
      delivery([
        garbage,
        byId("ev-001").line,
        JSON.stringify({ hello: "world" }),
        byId("ev-006").line, // an IAM user's sign-in: not root activity
        "",
        byId("ev-030").line,
      ]),
    );
    expect(result).toEqual({
      received: 6,
      published: 2,
      summarised: 0,
      malformed: 4,
      failedToPublish: 0,
      alreadySent: 0,
    });
    expect(published.map((m) => m.attributes.eventName)).toEqual([
      "ConsoleLogin",
      "DeleteBucketPolicy",
    ]);
    const garbageLog = logs.find((line) => line.includes("not JSON"));
    expect(garbageLog).toContain(JSON.stringify(garbage.slice(0, 200)));
    expect(garbageLog).not.toContain(garbage.slice(0, 201));
    expect(logs.filter((line) => line.startsWith("malformed log event"))).toHaveLength(2);
    expect(
      logs.filter((line) => line.includes("does not match the notifier's pattern")),
    ).toHaveLength(2);
  });

  it("rejects a delivery it cannot decode", async () => {
    const { handler, attempts } = recorder();
    await expect(handler({ awslogs: { data: "bm90IGd6aXA=" } })).rejects.toBeInstanceOf(
      SubscriptionPayloadError,
    );
    expect(attempts).toEqual([]);
  });

  it("publishes the rest when one publish fails, then rejects; a retry re-sends only the failed one", async () => {
    let snsDown = true;
    const { handler, attempts, published } = recorder({
      failWhen: (message) => snsDown && message.attributes.eventName === "EnableMFADevice",
    });
    const batch = delivery([byId("ev-001").line, byId("ev-004").line, byId("ev-030").line]);

    let caught: unknown;
    try {
      await handler(batch);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PublishFailedError);
    const failure = caught as PublishFailedError;
    expect(failure.result).toEqual({
      received: 3,
      published: 2,
      summarised: 0,
      malformed: 0,
      failedToPublish: 1,
      alreadySent: 0,
    });
    expect(failure.failures.map((f) => f.subject)).toEqual([
      alertOf(byId("ev-004").record).subject,
    ]);
    expect(attempts.map((m) => m.attributes.eventName)).toEqual([
      "ConsoleLogin",
      "EnableMFADevice",
      "DeleteBucketPolicy",
    ]);
    expect(published.map((m) => m.attributes.eventName)).toEqual([
      "ConsoleLogin",
      "DeleteBucketPolicy",
    ]);

    // Lambda retries the same delivery; this warm container skips what it already sent.
    snsDown = false;
    expect(await handler(batch)).toEqual({
      received: 3,
      published: 3,
      summarised: 0,
      malformed: 0,
      failedToPublish: 0,
      alreadySent: 0,
    });
    expect(published.map((m) => m.attributes.eventName)).toEqual([
      "ConsoleLogin",
      "DeleteBucketPolicy",
      "EnableMFADevice",
    ]);
  });

  it("looks each account's name up once per batch and keeps it across invocations", async () => {
    const { handler, published, lookups } = recorder({
      names: { "111122223333": "payments-prod", "123456789012": "sandbox" },
    });
    const batch = [
      byId("ev-001"),
      byId("ev-002"),
      byId("ev-003"),
      byId("ev-031"),
      byId("ev-033"),
    ].map((e) => e.line);
    await handler(delivery(batch));
    expect(lookups.sort()).toEqual(["111122223333", "123456789012"]);
    expect(published[0].subject).toBe(
      "UNEXPLAINED ROOT ConsoleLogin in 111122223333 (payments-prod) from 192.0.2.0",
    );
    expect(published[3].body).toMatch(/^Account: +123456789012 \(sandbox\)$/m);

    await handler(delivery(batch));
    expect(lookups).toHaveLength(2);
  });

  it("bounds the name cache and expires its entries", async () => {
    let clock = 1_000_000;
    const { handler, lookups } = recorder({
      names: { "111122223333": "payments-prod" },
      handlerOptions: { accountNameCacheSize: 1, accountNameTtlMs: 1000, now: () => clock },
    });
    const a = byId("ev-001").line; // 111122223333
    const b = byId("ev-031").line; // 123456789012
    await handler(delivery([a]));
    await handler(delivery([a]));
    expect(lookups).toEqual(["111122223333"]);
    await handler(delivery([b])); // evicts a
    await handler(delivery([a]));
    expect(lookups).toEqual(["111122223333", "123456789012", "111122223333"]);
    clock += 1001; // a's entry has expired
    await handler(delivery([a]));
    expect(lookups).toEqual(["111122223333", "123456789012", "111122223333", "111122223333"]);
  });

  it("does not look names up for ids that are not account ids", async () => {
    const { handler, published, lookups } = recorder();
    await handler(delivery([byId("ev-035").line])); // accountId "redacted"
    expect(lookups).toEqual([]);
    expect(published[0].subject).toBe(
      "UNEXPLAINED ROOT ExternalIdPDirectoryLogin FAILED in redacted from redacted",
    );
  });

  it("publishes without a name when the name lookup throws, and asks again next time", async () => {
    const logs: string[] = [];
    const published: RootActivityMessage[] = [];
    let calls = 0;
    const handler = createRootActivityHandler({
      publish: async (message) => {
        published.push(message);
      },
      accountName: async () => {
        calls += 1;
        throw new Error("throttled");
      },
      prover: proverOver(),
      windows: [],
      log: (line) => logs.push(line),
    });
    await handler(delivery([byId("ev-001").line]));
    await handler(delivery([byId("ev-001").line]));
    expect(calls).toBe(2);
    expect(published[0].subject).toBe(
      "UNEXPLAINED ROOT ConsoleLogin in 111122223333 from 192.0.2.0",
    );
    expect(logs.some((line) => line.includes("account name lookup failed for 111122223333"))).toBe(
      true,
    );
  });
});

describe("notifier/lambda.ts wiring", () => {
  const TOPIC_ARN = "arn:aws:sns:us-east-1:111111111111:aws-org-guardrails-root-activity";
  const PAGING_TOPIC_ARN = "arn:aws:sns:us-east-1:111111111111:aws-org-guardrails-root-unexplained";
  const sns = mockClient(SNSClient);
  const organizations = mockClient(OrganizationsClient);
  const logsMock = mockClient(CloudWatchLogsClient);
  const ENV = {
    TOPIC_ARN,
    PAGING_TOPIC_ARN,
    CENTRAL_LOG_GROUP: "/aws-org-guardrails/cloudtrail",
    ASSUME_ROOT_STREAM_PREFIXES: JSON.stringify(["111111111111_CloudTrail_us-east-1"]),
    ASSUME_ROOT_CALLERS: JSON.stringify(["111111111111"]),
    ASSUME_ROOT_LOOKUPS_PER_SECOND: "2",
    BREAK_GLASS_WINDOWS: "[]",
  };

  beforeEach(() => {
    sns.reset();
    organizations.reset();
    logsMock.reset();
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    logsMock.on(FilterLogEventsCommand).resolves({ events: [] });
  });
  useEnvironment(ENV);

  const wiring = lambdaContainer;

  it("the exported handler pages unexplained root use through PAGING_TOPIC_ARN, with attributes and the account name", async () => {
    organizations
      .on(DescribeAccountCommand, { AccountId: "111122223333" })
      .resolves({ Account: { Id: "111122223333", Name: "payments-prod" } });
    const result = await lambdaHandler(delivery([byId("ev-001").line]));
    expect(result).toEqual({
      received: 1,
      published: 1,
      summarised: 0,
      malformed: 0,
      failedToPublish: 0,
      alreadySent: 0,
    });

    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0].args[0].input;
    expect(input.TopicArn).toBe(PAGING_TOPIC_ARN);
    expect(input.Subject).toBe(
      "UNEXPLAINED ROOT ConsoleLogin in 111122223333 (payments-prod) from 192.0.2.0",
    );
    expect(input.Message).toContain("Credential:  console sign-in with the root password");
    expect(input.MessageAttributes).toMatchObject({
      accountId: { DataType: "String", StringValue: "111122223333" },
      eventName: { DataType: "String", StringValue: "ConsoleLogin" },
      credential: { DataType: "String", StringValue: "consoleSignIn" },
      rootUse: { DataType: "String", StringValue: "unexplained" },
    });
    // No temporary key: nothing to look up.
    expect(logsMock.commandCalls(FilterLogEventsCommand)).toHaveLength(0);
    expect(organizations.commandCalls(DescribeAccountCommand)).toHaveLength(1);
  });

  it("publishes without a name when Organizations denies DescribeAccount, and stops asking", async () => {
    organizations.on(DescribeAccountCommand).rejects(
      new AccessDeniedException({
        message: "not authorized to perform organizations:DescribeAccount",
        $metadata: {},
      }),
    );
    const logs: string[] = [];
    const handler = wiring(logs);
    const result = await handler(delivery([byId("ev-030").line]));
    expect(result).toEqual({
      received: 1,
      published: 1,
      summarised: 0,
      malformed: 0,
      failedToPublish: 0,
      alreadySent: 0,
    });
    const input = sns.commandCalls(PublishCommand)[0].args[0].input;
    // The log group holds no AssumeRoot call for its key: unexplained, paged.
    expect(input.TopicArn).toBe(PAGING_TOPIC_ARN);
    expect(input.Subject).toBe(
      "UNEXPLAINED ROOT DeleteBucketPolicy in 222222222222 from 192.0.2.1",
    );
    expect(input.MessageAttributes?.rootUse?.StringValue).toBe("unexplained");
    expect(logs.some((line) => line.includes("AccessDeniedException"))).toBe(true);

    await handler(delivery([byId("ev-031").line])); // another account: no further DescribeAccount
    expect(organizations.commandCalls(DescribeAccountCommand)).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it("still publishes when Organizations fails otherwise, without caching the miss", async () => {
    organizations
      .on(DescribeAccountCommand)
      .rejects(new TooManyRequestsException({ message: "slow down", $metadata: {} }));
    const handler = wiring();
    await handler(delivery([byId("ev-001").line]));
    // The same event delivered again (CloudWatch Logs delivers at least once) is not sent again,
    // but its account's name is asked for again: the miss was not cached.
    await handler(delivery([byId("ev-001").line]));
    expect(organizations.commandCalls(DescribeAccountCommand)).toHaveLength(2);
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input.Subject)).toEqual([
      "UNEXPLAINED ROOT ConsoleLogin in 111122223333 from 192.0.2.0",
    ]);
  });

  it("rejects after trying every event when SNS fails for one", async () => {
    sns.reset();
    sns
      .on(PublishCommand)
      .resolves({ MessageId: "ok" })
      .on(
        PublishCommand,
        {
          MessageAttributes: { eventName: { DataType: "String", StringValue: "EnableMFADevice" } },
        },
        false,
      )
      .rejects(new Error("KMS key disabled"));
    const handler = wiring();
    await expect(
      handler(delivery([byId("ev-001").line, byId("ev-004").line, byId("ev-056").line])),
    ).rejects.toBeInstanceOf(PublishFailedError);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(3);
  });

  it.each(["TOPIC_ARN", "PAGING_TOPIC_ARN"])("refuses to run without %s", async (name) => {
    delete process.env[name];
    await expect(wiring()(delivery([byId("ev-030").line]))).rejects.toThrow(`${name} is not set`);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it.each([
    ["CENTRAL_LOG_GROUP", undefined],
    ["ASSUME_ROOT_STREAM_PREFIXES", "not json"],
    ["ASSUME_ROOT_CALLERS", "{}"],
    ["BREAK_GLASS_WINDOWS", "[1]"],
    ["ASSUME_ROOT_LOOKUPS_PER_SECOND", "-1"],
  ])(
    "without a readable %s it still pages every root event, as unexplained, and says why in its log",
    async (name, value) => {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
      const logs: string[] = [];
      const result = await wiring(logs)(delivery([byId("ev-030").line, byId("ev-001").line]));
      expect(result).toMatchObject({ received: 2, published: 2, failedToPublish: 0 });
      const inputs = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
      expect(inputs.map((i) => [i.TopicArn, i.MessageAttributes?.rootUse?.StringValue])).toEqual([
        [PAGING_TOPIC_ARN, "unexplained"],
        [PAGING_TOPIC_ARN, "unexplained"],
      ]);
      expect(
        logs.some((line) => line.startsWith(`CONFIGURATION ERROR: ${name} cannot be read`)),
      ).toBe(true);
    },
  );
});
