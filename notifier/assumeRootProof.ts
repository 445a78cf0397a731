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

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;

/** The record as an AssumeRoot call, or undefined when it is not a successful one. */
export function assumeRootCallOf(record: unknown): AssumeRootCall | undefined {
  if (!isObject(record) || record.eventName !== "AssumeRoot") {
    return undefined;
  }
  if (record.eventSource !== "sts.amazonaws.com" || record.errorCode !== undefined) {
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
  const callerAccountId = text(record.recipientAccountId) ?? text(identity.accountId);
  const targetAccountId = text(request.targetPrincipal);
  const accessKeyId = text(credentials.accessKeyId);
  if (
    eventTime === undefined ||
    callerArn === undefined ||
    callerAccountId === undefined ||
    targetAccountId === undefined ||
    accessKeyId === undefined
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
  /** The calls that issued this key in the window; throws when the look-up itself fails. */
  find(query: CallQuery): Promise<AssumeRootCall[]>;
}

/** The window in which the AssumeRoot call of a session event must lie. */
export function callWindow(eventTime: Date): { from: Date; to: Date } {
  return {
    from: new Date(eventTime.getTime() - (SESSION_SECONDS + SKEW_SECONDS) * 1000),
    to: new Date(eventTime.getTime() + SKEW_SECONDS * 1000),
  };
}

export type Proof =
  | { readonly kind: "proved"; readonly call: AssumeRootCall }
  | { readonly kind: "notProved"; readonly reason: string }
  | { readonly kind: "lookupFailed"; readonly reason: string };

/** Does this call prove a session event of `accountId` at `eventTime` with this key? */
export function callProves(
  call: AssumeRootCall,
  accessKeyId: string,
  accountId: string,
  eventTime: Date,
  allowedCallers?: ReadonlySet<string>,
): boolean {
  const at = Date.parse(call.eventTime);
  const window = callWindow(eventTime);
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
   * A key no call proved is not looked up again for this long (a console session with a temporary
   * key can make thousands of calls): its events stay unexplained, as they would be anyway.
   */
  readonly notProvedTtlMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

// The call and the session's events reach the log group through different streams: a session
// event can arrive first. Two short waits, then the event is reported as not proved (paged).
const DEFAULT_RETRY_DELAYS_MS = [2_000, 8_000];

/**
 * Proves sessions against a call source: one look-up per key (a proved key is remembered until its
 * session has ended, so a session of 20,000 actions costs one look-up), retried briefly while the
 * call may not have arrived, concurrent look-ups of one key shared.
 */
export class AssumeRootProver {
  private readonly proved = new Map<string, { call: AssumeRootCall; until: number }>();
  private readonly notProved = new Map<string, { reason: string; until: number }>();
  private readonly notProvedTtlMs: number;
  private readonly pending = new Map<string, Promise<AssumeRootCall[] | Error>>();
  private readonly retryDelaysMs: readonly number[];
  private readonly cacheSize: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly allowedCallers: ReadonlySet<string> | undefined;

  constructor(
    private readonly source: AssumeRootCallSource,
    options: ProverOptions = {},
  ) {
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.allowedCallers = options.allowedCallers;
    this.notProvedTtlMs = options.notProvedTtlMs ?? 60_000;
    this.cacheSize = options.cacheSize ?? 1_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async prove(
    accessKeyId: string | undefined,
    accountId: string | undefined,
    eventTime: string | undefined,
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
    const cached = this.proved.get(accessKeyId);
    if (
      cached !== undefined &&
      cached.until > this.now() &&
      callProves(cached.call, accessKeyId, accountId, new Date(at), this.allowedCallers)
    ) {
      return { kind: "proved", call: cached.call };
    }
    const known = this.notProved.get(`${accessKeyId}|${accountId}`);
    if (known !== undefined && known.until > this.now()) {
      return { kind: "notProved", reason: known.reason };
    }
    const window = callWindow(new Date(at));
    for (let attempt = 0; ; attempt++) {
      const found = await this.lookUp(accessKeyId, window);
      if (found instanceof Error) {
        return { kind: "lookupFailed", reason: found.message };
      }
      const call = found.find((candidate) =>
        callProves(candidate, accessKeyId, accountId, new Date(at), this.allowedCallers),
      );
      if (call !== undefined) {
        this.remember(call);
        return { kind: "proved", call };
      }
      const other = found[0];
      if (attempt >= this.retryDelaysMs.length || other !== undefined) {
        const result = {
          kind: "notProved" as const,
          reason:
            other !== undefined
              ? `the AssumeRoot call that issued ${accessKeyId} (by ${other.callerAccountId}, for ${other.targetAccountId}, at ${other.eventTime}) does not prove this event: it must come from an account allowed to call AssumeRoot, for ${accountId}, within ${SESSION_SECONDS} s before it`
              : `no AssumeRoot call issued ${accessKeyId} between ${window.from.toISOString()} and ${window.to.toISOString()} (looked ${attempt + 1} times)`,
        };
        this.rememberNotProved(`${accessKeyId}|${accountId}`, result.reason);
        return result;
      }
      await this.sleep(this.retryDelaysMs[attempt]);
    }
  }

  private async lookUp(
    accessKeyId: string,
    window: { from: Date; to: Date },
  ): Promise<AssumeRootCall[] | Error> {
    const key = `${accessKeyId}|${window.from.getTime()}`;
    const running = this.pending.get(key);
    if (running !== undefined) {
      return running;
    }
    const started = this.source
      .find({ accessKeyId, ...window })
      .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))
      .finally(() => this.pending.delete(key));
    this.pending.set(key, started);
    return started;
  }

  private rememberNotProved(key: string, reason: string): void {
    this.notProved.delete(key);
    this.notProved.set(key, { reason, until: this.now() + this.notProvedTtlMs });
    while (this.notProved.size > this.cacheSize) {
      const oldest = this.notProved.keys().next();
      if (oldest.done) {
        break;
      }
      this.notProved.delete(oldest.value);
    }
  }

  private remember(call: AssumeRootCall): void {
    // Kept for the session and an hour of delivery delay: events reach the log group minutes late.
    const until = Date.parse(call.eventTime) + (SESSION_SECONDS + 3600) * 1000;
    this.proved.delete(call.accessKeyId);
    this.proved.set(call.accessKeyId, {
      call,
      until: Math.max(until, this.now()) + SKEW_SECONDS * 1000,
    });
    while (this.proved.size > this.cacheSize) {
      const oldest = this.proved.keys().next();
      if (oldest.done) {
        break;
      }
      this.proved.delete(oldest.value);
    }
  }
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
