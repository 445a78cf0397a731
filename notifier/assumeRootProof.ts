import { LRUCache } from "lru-cache";

/**
 * Proof that a root session came from `sts:AssumeRoot`: the AssumeRoot call recorded in the
 * account that made it (the management account, or an IAM delegated administrator) names, in
 * `responseElements.credentials.accessKeyId`, the temporary key the session then uses in the
 * member account. The organization trail delivers that call to the same central log group, so a
 * session is proved by finding the call there: same key, the member account as target, before the
 * event and within a session's lifetime. No call found: not an AssumeRoot session, whatever the
 * key looks like.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-track-privileged-tasks.html
 */

/** A successful AssumeRoot call, as its CloudTrail record gives it. */
export interface AssumeRootCall {
  /** The call's eventID; the corpus example from AWS's page has none, so it may be undefined. */
  readonly eventId: string | undefined;
  readonly eventTime: string;
  /** Who called AssumeRoot (userIdentity.arn). */
  readonly callerArn: string;
  readonly callerAccountId: string;
  /** The member account the session is for. */
  readonly targetAccountId: string;
  /** The task policy, e.g. arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy. */
  readonly taskPolicyArn: string;
  /** The session's temporary access key. */
  readonly accessKeyId: string;
  readonly region: string | undefined;
}

/** An AssumeRoot session lasts at most 900 seconds (DurationSeconds' maximum). */
export const SESSION_SECONDS = 900;
/** Clocks of two accounts' records may disagree a little: allowed skew either way. */
export const SKEW_SECONDS = 60;

/** STS temporary credentials: `ASIA` and 16 to 128 upper-case letters and digits in all. */
export const TEMPORARY_KEY = /^ASIA[A-Z0-9]{12,124}$/;

/**
 * AssumeRoot's TargetPrincipal is "the member account principal ARN or account ID"
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html): both name the account.
 */
const TARGET_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;
const ACCOUNT = /^\d{12}$/;

function targetAccountOf(value: string | undefined): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  return ACCOUNT.test(value) ? value : TARGET_ARN.exec(value)?.[1];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;

/**
 * The record as an AssumeRoot call, or undefined when it is not a successful one or not one AWS
 * could have recorded: AssumeRoot cannot be called with root credentials, and it issues a session
 * for a member account, never for the caller's own (the page above), so such a record proves
 * nothing, whatever source it came from.
 */
export function assumeRootCallOf(record: unknown): AssumeRootCall | undefined {
  if (!isObject(record) || record.eventName !== "AssumeRoot") {
    return undefined;
  }
  if (record.eventSource !== "sts.amazonaws.com" || record.errorCode !== undefined) {
    return undefined;
  }
  if (isObject(record.userIdentity) && record.userIdentity.type === "Root") {
    return undefined;
  }
  const identity = isObject(record.userIdentity) ? record.userIdentity : {};
  const request = isObject(record.requestParameters) ? record.requestParameters : {};
  const response = isObject(record.responseElements) ? record.responseElements : {};
  const credentials = isObject(response.credentials) ? response.credentials : {};
  const policy = isObject(request.taskPolicyArn)
    ? request.taskPolicyArn.arn
    : request.taskPolicyArn;
  const eventTime = text(record.eventTime);
  const callerArn = text(identity.arn);
  const recipient = text(record.recipientAccountId);
  const callerAccountId = recipient ?? text(identity.accountId);
  if (
    recipient !== undefined &&
    text(identity.accountId) !== undefined &&
    recipient !== text(identity.accountId)
  ) {
    // STS records a call in the account whose credentials made it: a mismatch is no STS record.
    return undefined;
  }
  const targetAccountId = targetAccountOf(text(request.targetPrincipal));
  const accessKeyId = text(credentials.accessKeyId);
  if (
    eventTime === undefined ||
    callerArn === undefined ||
    callerAccountId === undefined ||
    targetAccountId === undefined ||
    accessKeyId === undefined ||
    callerAccountId === targetAccountId
  ) {
    return undefined;
  }
  return {
    eventId: text(record.eventID),
    eventTime,
    callerArn,
    callerAccountId,
    targetAccountId,
    taskPolicyArn: text(policy) ?? "(not in the record)",
    accessKeyId,
    region: text(record.awsRegion),
  };
}

export interface CallQuery {
  readonly accessKeyId: string;
  /** Calls at or after this time. */
  readonly from: Date;
  /** Calls at or before this time. */
  readonly to: Date;
}

/** Where AssumeRoot calls are looked up: the central log group, or files (npm run explain). */
export interface AssumeRootCallSource {
  /**
   * The calls that issued this key in the window; throws when the look-up itself fails or cannot
   * be completed (an incomplete scan is a failure, never "no call"), or when `signal` aborts.
   */
  find(query: CallQuery, signal?: AbortSignal): Promise<AssumeRootCall[]>;
}

/**
 * The window in which the AssumeRoot call of a session event must lie: a session's lifetime before
 * the event. When the event names its session's creation (`sessionContext.attributes.creationDate`,
 * which in AWS's example is the AssumeRoot call's eventTime to the second), the call must lie within
 * the skew of that moment: a two-minute window instead of seventeen, so the look-up scans less, and
 * a second check that the call is this session's.
 */
export function callWindow(eventTime: Date, sessionCreatedAt?: Date): { from: Date; to: Date } {
  const from = eventTime.getTime() - (SESSION_SECONDS + SKEW_SECONDS) * 1000;
  const to = eventTime.getTime() + SKEW_SECONDS * 1000;
  const created = sessionCreatedAt?.getTime();
  if (created === undefined || Number.isNaN(created) || created < from || created > to) {
    return { from: new Date(from), to: new Date(to) };
  }
  return {
    from: new Date(Math.max(from, created - SKEW_SECONDS * 1000)),
    to: new Date(Math.min(to, created + SKEW_SECONDS * 1000)),
  };
}

/** `userIdentity.sessionContext.attributes.creationDate` of a record, when it is a valid time. */
export function sessionCreatedAt(record: Record<string, unknown>): Date | undefined {
  const identity = isObject(record.userIdentity) ? record.userIdentity : {};
  const context = isObject(identity.sessionContext) ? identity.sessionContext : {};
  const attributes = isObject(context.attributes) ? context.attributes : {};
  const created = text(attributes.creationDate);
  const at = created === undefined ? Number.NaN : Date.parse(created);
  return Number.isNaN(at) ? undefined : new Date(at);
}

export type Proof =
  | {
      readonly kind: "proved";
      readonly call: AssumeRootCall;
      /** This container had reported the key as not proved before its call arrived. */
      readonly afterMiss?: boolean;
    }
  | { readonly kind: "notProved"; readonly reason: string }
  | { readonly kind: "lookupFailed"; readonly reason: string };

/** What a session event says about itself, beyond its key, account and time. */
export interface SessionFacts {
  /** The event's `sessionContext.attributes.creationDate`. */
  readonly createdAt?: Date;
}

/** Does this call prove a session event of `accountId` at `eventTime` with this key? */
export function callProves(
  call: AssumeRootCall,
  accessKeyId: string,
  accountId: string,
  eventTime: Date,
  allowedCallers?: ReadonlySet<string>,
  session: SessionFacts = {},
): boolean {
  const at = Date.parse(call.eventTime);
  const window = callWindow(eventTime, session.createdAt);
  return (
    call.accessKeyId === accessKeyId &&
    call.targetAccountId === accountId &&
    (allowedCallers === undefined || allowedCallers.has(call.callerAccountId)) &&
    !Number.isNaN(at) &&
    at >= window.from.getTime() &&
    at <= window.to.getTime()
  );
}

export interface ProverOptions {
  /**
   * The accounts whose AssumeRoot calls count (the management account, IAM delegated
   * administrators); all when undefined.
   */
  readonly allowedCallers?: ReadonlySet<string>;
  /** Waits before each retry when the call is not there yet (it may be delivered later). */
  readonly retryDelaysMs?: readonly number[];
  /** Proved keys kept, for their session's lifetime, in a warm container. */
  readonly cacheSize?: number;
  /**
   * How long a key no call proved is remembered as such. Its later events are looked up again
   * (once, without waiting: the call may have arrived since), so a late call is still found on the
   * next delivery, while a console session with a temporary key costs one request per delivery,
   * not one plus the waits.
   */
  readonly notProvedTtlMs?: number;
  /**
   * The waits are spent only on events younger than this: an older event's call has had time to
   * arrive (CloudTrail delivers within minutes), so waiting for it only slows a backlog down.
   */
  readonly waitOnlyWithinMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface ProveOptions extends SessionFacts {
  /** Aborted when the look-up has run out of time: the event is then judged without it. */
  readonly signal?: AbortSignal;
}

// The call and the session's events reach the log group through different streams: a session
// event can arrive first. Two short waits, then the event is reported as not proved (paged); the
// handler's deadline bounds the whole look-up.
const DEFAULT_RETRY_DELAYS_MS = [2_000, 8_000];

/** A wait that ends early, with the signal's reason, when the signal aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Proves sessions against a call source. A proved key is remembered until its session has ended,
 * so each session costs one look-up however many actions it makes (an audit of 5,000 accounts is
 * 5,000 sessions, so 5,000 look-ups: see docs/benchmarks.md). Retried briefly while the call may
 * not have arrived; concurrent look-ups of one key shared.
 */
export class AssumeRootProver {
  private readonly proved: LRUCache<string, AssumeRootCall>;
  private readonly notProved: LRUCache<string, { reason: string }>;
  private readonly notProvedTtlMs: number;
  private readonly waitOnlyWithinMs: number;
  private readonly pending = new Map<string, Promise<AssumeRootCall[] | Error>>();
  private readonly retryDelaysMs: readonly number[];
  private readonly cacheSize: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly allowedCallers: ReadonlySet<string> | undefined;

  constructor(
    private readonly source: AssumeRootCallSource,
    options: ProverOptions = {},
  ) {
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.allowedCallers = options.allowedCallers;
    this.notProvedTtlMs = options.notProvedTtlMs ?? 15 * 60_000;
    this.waitOnlyWithinMs = options.waitOnlyWithinMs ?? 15 * 60_000;
    this.cacheSize = options.cacheSize ?? 1_000;
    this.now = options.now ?? Date.now;
    // Bounded, least recently used out first, each entry expiring on the prover's clock.
    const perf = { now: this.now };
    this.proved = new LRUCache({ max: this.cacheSize, ttlResolution: 0, perf });
    this.notProved = new LRUCache({
      max: this.cacheSize,
      ttl: this.notProvedTtlMs,
      ttlResolution: 0,
      perf,
    });
    this.sleep = options.sleep ?? abortableSleep;
  }

  /** Whether proving this key needs a look-up at all (the handler publishes the others first). */
  static needsLookUp(accessKeyId: string | undefined): boolean {
    return accessKeyId !== undefined && TEMPORARY_KEY.test(accessKeyId);
  }

  async prove(
    accessKeyId: string | undefined,
    accountId: string | undefined,
    eventTime: string | undefined,
    options: ProveOptions = {},
  ): Promise<Proof> {
    if (accessKeyId === undefined || !TEMPORARY_KEY.test(accessKeyId)) {
      return {
        kind: "notProved",
        reason:
          accessKeyId === undefined
            ? "the record names no access key, and an AssumeRoot session always has one"
            : `${accessKeyId} is not a temporary (ASIA) key, which every AssumeRoot session uses`,
      };
    }
    const at = eventTime === undefined ? Number.NaN : Date.parse(eventTime);
    if (accountId === undefined || Number.isNaN(at)) {
      return { kind: "notProved", reason: "the record names no account or no valid eventTime" };
    }
    const session: SessionFacts =
      options.createdAt === undefined ? {} : { createdAt: options.createdAt };
    const proves = (call: AssumeRootCall) =>
      callProves(call, accessKeyId, accountId, new Date(at), this.allowedCallers, session);
    const cached = this.proved.get(accessKeyId);
    if (cached !== undefined && proves(cached)) {
      return { kind: "proved", call: cached };
    }
    const missKey = `${accessKeyId}|${accountId}`;
    const missedBefore = this.notProved.get(missKey) !== undefined;
    // A key this container found no call for is looked up once more, without the waits; so is
    // an event old enough for its call to have arrived.
    const delays =
      missedBefore || this.now() - at > this.waitOnlyWithinMs ? [] : this.retryDelaysMs;
    const window = callWindow(new Date(at), options.createdAt);
    for (let attempt = 0; ; attempt++) {
      if (options.signal?.aborted) {
        return { kind: "lookupFailed", reason: reasonOf(options.signal) };
      }
      const found = await this.lookUp(accessKeyId, window, options.signal);
      if (found instanceof Error) {
        return {
          kind: "lookupFailed",
          reason: options.signal?.aborted ? reasonOf(options.signal) : found.message,
        };
      }
      const call = found.find(proves);
      if (call !== undefined) {
        this.remember(call);
        return missedBefore ? { kind: "proved", call, afterMiss: true } : { kind: "proved", call };
      }
      const other = found[0];
      if (attempt >= delays.length || other !== undefined) {
        const reason =
          other !== undefined
            ? `the AssumeRoot call that issued ${accessKeyId} (by ${other.callerAccountId}, for ${other.targetAccountId}, at ${other.eventTime}) does not prove this event: it must come from an account allowed to call AssumeRoot, for ${accountId}, within ${SESSION_SECONDS} s before it`
            : `no AssumeRoot call issued ${accessKeyId} between ${window.from.toISOString()} and ${window.to.toISOString()} (looked ${attempt + 1} time${attempt === 0 ? "" : "s"})`;
        this.rememberNotProved(missKey, reason);
        return { kind: "notProved", reason };
      }
      try {
        await this.sleep(delays[attempt], options.signal);
      } catch {
        return { kind: "lookupFailed", reason: reasonOf(options.signal) };
      }
    }
  }

  private async lookUp(
    accessKeyId: string,
    window: { from: Date; to: Date },
    signal: AbortSignal | undefined,
  ): Promise<AssumeRootCall[] | Error> {
    const key = `${accessKeyId}|${window.from.getTime()}|${window.to.getTime()}`;
    const running = this.pending.get(key);
    if (running !== undefined) {
      return running;
    }
    const started = this.source
      .find({ accessKeyId, ...window }, signal)
      .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))
      .finally(() => this.pending.delete(key));
    this.pending.set(key, started);
    return started;
  }

  private rememberNotProved(key: string, reason: string): void {
    this.notProved.set(key, { reason });
  }

  private remember(call: AssumeRootCall): void {
    // Kept for the session and an hour of delivery delay: events reach the log group minutes late.
    const until =
      Math.max(Date.parse(call.eventTime) + (SESSION_SECONDS + 3600) * 1000, this.now()) +
      SKEW_SECONDS * 1000;
    this.proved.set(call.accessKeyId, call, { ttl: until - this.now() });
  }
}

/** Why a signal aborted, as one line for an alert. */
export function reasonOf(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason.message : String(reason ?? "the look-up was aborted");
}

/** AssumeRoot calls found among records (the files `npm run explain` reads). */
export class RecordCallSource implements AssumeRootCallSource {
  private readonly byKey = new Map<string, AssumeRootCall[]>();

  add(record: unknown): boolean {
    const call = assumeRootCallOf(record);
    if (call === undefined) {
      return false;
    }
    this.byKey.set(call.accessKeyId, [...(this.byKey.get(call.accessKeyId) ?? []), call]);
    return true;
  }

  async find(query: CallQuery): Promise<AssumeRootCall[]> {
    return (this.byKey.get(query.accessKeyId) ?? []).filter((call) => {
      const at = Date.parse(call.eventTime);
      return at >= query.from.getTime() && at <= query.to.getTime();
    });
  }
}
