import fc from "fast-check";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  cloudTrailEventOf,
  EventPattern,
  EventPatternError,
  matchesEventPattern,
  ROOT_ACTIVITY_EVENT_PATTERN,
} from "../detection/eventPattern";
import { compileFilterPattern } from "../detection/filterPattern";
import { CIS_ROOT_USAGE_PATTERN } from "../detection/patterns";
import { CORPUS_DIR } from "./support/fixtures";

const records = readFileSync(path.join(CORPUS_DIR, "events.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Record<string, unknown>);
const cis = compileFilterPattern(CIS_ROOT_USAGE_PATTERN);

describe("EventBridge event patterns, as AWS documents them", () => {
  // The event of "Creating Amazon EventBridge event patterns" (eb-event-patterns.html), shortened.
  const ec2 = {
    version: "0",
    "detail-type": "EC2 Instance State-change Notification",
    source: "aws.ec2",
    account: "111122223333",
    region: "us-west-1",
    resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    detail: {
      "instance-id": "i-1234567890abcdef0",
      state: "terminated",
      count: 5,
      tags: ["a", "b"],
    },
  };
  const cases: [string, EventPattern, boolean][] = [
    ["a literal", { source: ["aws.ec2"] }, true],
    ["any of the values", { detail: { state: ["pending", "terminated"] } }, true],
    ["case-sensitive", { source: ["AWS.EC2"] }, false],
    ["every field must match", { source: ["aws.ec2"], "detail-type": ["other"] }, false],
    ["an event array matches if any element does", { detail: { tags: ["b"] } }, true],
    ["prefix", { region: [{ prefix: "us-" }] }, true],
    ["suffix", { resources: [{ suffix: "def0" }] }, true],
    ["prefix ignoring case", { source: [{ prefix: { "equals-ignore-case": "AWS." } }] }, true],
    ["equals-ignore-case", { source: [{ "equals-ignore-case": "AWS.EC2" }] }, true],
    ["anything-but a value", { detail: { state: [{ "anything-but": "pending" }] } }, true],
    ["anything-but the value", { detail: { state: [{ "anything-but": ["terminated"] }] } }, false],
    ["anything-but a prefix", { region: [{ "anything-but": { prefix: "us-" } }] }, false],
    ["anything-but needs the field", { detail: { missing: [{ "anything-but": "x" }] } }, false],
    ["exists", { detail: { state: [{ exists: true }] } }, true],
    ["exists false on a missing field", { detail: { missing: [{ exists: false }] } }, true],
    ["exists false under a missing parent", { nowhere: { x: [{ exists: false }] } }, true],
    ["exists false on a present field", { detail: { state: [{ exists: false }] } }, false],
    ["numeric range", { detail: { count: [{ numeric: [">", 0, "<=", 5] }] } }, true],
    ["numeric out of range", { detail: { count: [{ numeric: ["<", 5] }] } }, false],
    ["numeric on a string", { detail: { state: [{ numeric: [">", 0] }] } }, false],
    ["wildcard", { resources: [{ wildcard: "arn:aws:ec2:*:instance/*" }] }, true],
    ["null matches only null", { detail: { state: [null] } }, false],
  ];
  for (const [name, pattern, expected] of cases) {
    it(name, () => {
      expect(matchesEventPattern(pattern, ec2)).toBe(expected);
    });
  }

  it("refuses patterns AWS would refuse, whatever the event holds", () => {
    const refused: [EventPattern, RegExp][] = [
      [{ nowhere: [{ bogus: 1 } as never] }, /unknown operator bogus/],
      [{ $or: [{ source: ["a"] }] } as never, /\$or is not supported/],
      [{ source: [{ wildcard: "a**b" }] }, /consecutive/],
      [{ detail: { count: [{ numeric: [">", 6e9] }] } }, /within ±5e9/],
      [{ detail: { count: [{ numeric: [">", 5, ">", 1] }] } }, /lower bound then an upper/],
      [{ source: [{ "anything-but": { prefix: ["x", "y"] } } as never] }, /anything-but takes/],
      [{ source: [{ "anything-but": ["x", 1] } as never] }, /not both/],
    ];
    for (const [pattern, message] of refused) {
      expect(() => matchesEventPattern(pattern, {}), JSON.stringify(pattern)).toThrow(message);
    }
  });

  it("refuses patterns AWS would refuse", () => {
    expect(() => matchesEventPattern({ source: [] }, ec2)).toThrow(EventPatternError);
    expect(() => matchesEventPattern({ source: [{ bogus: 1 } as never] }, ec2)).toThrow(
      /unknown operator bogus/,
    );
    expect(() => matchesEventPattern({ detail: { count: [{ numeric: [">"] }] } }, ec2)).toThrow(
      /one or two comparisons/,
    );
  });
});

describe("the fast path's rule selects exactly what the CIS metric filter does", () => {
  it("on every record of the labelled corpus, each wrapped as CloudTrail sends it to EventBridge", () => {
    expect(records).toHaveLength(67);
    const disagree = records.filter(
      (record) =>
        matchesEventPattern(ROOT_ACTIVITY_EVENT_PATTERN, cloudTrailEventOf(record)) !== cis(record),
    );
    expect(disagree.map((record) => record.eventID ?? record.eventName)).toEqual([]);
    // Both paths see the corpus's root activity, not nothing.
    expect(records.filter((record) => cis(record)).length).toBeGreaterThan(10);
  });

  it("never takes a custom event for root activity: PutEvents cannot use an aws. source", () => {
    const record = records.find((r) => cis(r)) ?? {};
    const forged = { ...cloudTrailEventOf(record), source: "my.app" };
    expect(matchesEventPattern(ROOT_ACTIVITY_EVENT_PATTERN, cloudTrailEventOf(record))).toBe(true);
    expect(matchesEventPattern(ROOT_ACTIVITY_EVENT_PATTERN, forged)).toBe(false);
  });

  it("wraps sign-ins and API calls under their own detail types", () => {
    const signIn = records.find((record) => record.eventSource === "signin.amazonaws.com");
    const call = records.find((record) => record.eventSource === "iam.amazonaws.com");
    expect(cloudTrailEventOf(signIn ?? {})).toMatchObject({
      "detail-type": "AWS Console Sign In via CloudTrail",
      source: "aws.signin",
    });
    expect(cloudTrailEventOf(call ?? {})).toMatchObject({
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.iam",
    });
  });

  it("on generated records over the fields the condition reads", () => {
    const record = fc.record(
      {
        userIdentity: fc.record(
          {
            type: fc.constantFrom("Root", "IAMUser", "AssumedRole", "AWSService", "root", ""),
            invokedBy: fc.constantFrom("cloudformation.amazonaws.com", "AWS Internal", ""),
            arn: fc.constant("arn:aws:iam::111122223333:root"),
          },
          { requiredKeys: ["arn"] },
        ),
        eventType: fc.constantFrom(
          "AwsApiCall",
          "AwsConsoleSignIn",
          "AwsServiceEvent",
          "AwsCloudTrailInsight",
        ),
        eventSource: fc.constantFrom("signin.amazonaws.com", "s3.amazonaws.com"),
        eventName: fc.constant("Example"),
      },
      { requiredKeys: ["eventSource", "eventName"] },
    );
    fc.assert(
      fc.property(record, (generated) => {
        expect(matchesEventPattern(ROOT_ACTIVITY_EVENT_PATTERN, cloudTrailEventOf(generated))).toBe(
          cis(generated),
        );
      }),
      { numRuns: 2000 },
    );
  });
});
