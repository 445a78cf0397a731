import { gunzipSync } from "node:zlib";

/** One log event of a subscription delivery: for the central trail log group, one CloudTrail record. */
export interface SubscriptionLogEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

/**
 * What CloudWatch Logs delivers to a subscription destination, once decoded.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
 */
export interface SubscriptionPayload {
  readonly messageType: "DATA_MESSAGE" | "CONTROL_MESSAGE";
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  /** Always empty for a CONTROL_MESSAGE, whatever the delivery carried. */
  readonly logEvents: readonly SubscriptionLogEvent[];
}

/** The delivery could not be decoded: not base64, not gzip, not JSON, or not the expected shape. */
export class SubscriptionPayloadError extends Error {
  readonly stage: "base64" | "gunzip" | "json" | "shape";

  constructor(
    stage: SubscriptionPayloadError["stage"],
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot decode the CloudWatch Logs subscription payload (${stage}): ${detail}`, options);
    this.name = "SubscriptionPayloadError";
    this.stage = stage;
  }
}

export function isSubscriptionPayloadError(error: unknown): error is SubscriptionPayloadError {
  return error instanceof SubscriptionPayloadError;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes `event.awslogs.data`: base64, then gzip, then JSON. */
export function decodeSubscriptionPayload(data: string): SubscriptionPayload {
  if (typeof data !== "string" || data.length === 0) {
    throw new SubscriptionPayloadError("base64", "the data is empty or not a string");
  }
  // Buffer.from(..., "base64") silently skips characters outside the alphabet; check first so a
  // corrupted delivery is reported as such instead of as a confusing gzip error.
  const compact = data.replace(/\s+/g, "");
  if (!BASE64.test(compact) || compact.length % 4 === 1) {
    throw new SubscriptionPayloadError("base64", "the data is not base64 text");
  }
  const compressed = Buffer.from(compact, "base64");

  let text: string;
  try {
    text = gunzipSync(compressed).toString("utf8");
  } catch (error) {
    throw new SubscriptionPayloadError("gunzip", messageOf(error), { cause: error });
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SubscriptionPayloadError("json", messageOf(error), { cause: error });
  }
  return checkShape(parsed);
}

function checkShape(value: unknown): SubscriptionPayload {
  if (!isObject(value)) {
    throw new SubscriptionPayloadError("shape", "the payload is not a JSON object");
  }
  const { messageType } = value;
  if (messageType !== "DATA_MESSAGE" && messageType !== "CONTROL_MESSAGE") {
    throw new SubscriptionPayloadError(
      "shape",
      `messageType is ${JSON.stringify(messageType)}, expected "DATA_MESSAGE" or "CONTROL_MESSAGE"`,
    );
  }
  const header: Omit<SubscriptionPayload, "logEvents"> = {
    messageType,
    owner: stringOr(value.owner, ""),
    logGroup: stringOr(value.logGroup, ""),
    logStream: stringOr(value.logStream, ""),
    subscriptionFilters: Array.isArray(value.subscriptionFilters)
      ? value.subscriptionFilters.filter((f): f is string => typeof f === "string")
      : [],
  };
  // CloudWatch Logs sends a control message when the subscription is created, to check that the
  // destination is reachable. It carries no records; it is not an error.
  if (messageType === "CONTROL_MESSAGE") {
    return { ...header, logEvents: [] };
  }

  if (!Array.isArray(value.logEvents)) {
    throw new SubscriptionPayloadError("shape", "a DATA_MESSAGE without a logEvents array");
  }
  const logEvents = value.logEvents.map((event, index): SubscriptionLogEvent => {
    if (!isObject(event) || typeof event.message !== "string") {
      throw new SubscriptionPayloadError(
        "shape",
        `logEvents[${index}] is not an object with a string message`,
      );
    }
    return {
      id: stringOr(event.id, ""),
      timestamp: typeof event.timestamp === "number" ? event.timestamp : NaN,
      message: event.message,
    };
  });
  return { ...header, logEvents };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
