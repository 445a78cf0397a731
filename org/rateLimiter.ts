/**
 * Client-side rate limiting for the Organizations API: one token bucket per operation, refilled at
 * the operation's published rate, so that a discovery sends no faster than Organizations accepts
 * and throttling stays the exception. Pure: no AWS imports.
 * Not `bottleneck` (unreleased since 2019) or `limiter` (no abort signal, no injectable clock, no
 * way to drain a bucket when the service throttles): each of those the callers here need.
 */

export interface RateLimit {
  /** Sustained requests per second. */
  readonly perSecond: number;
  /** Requests the bucket holds when full: how many may go at once after a pause. */
  readonly burst: number;
}

/**
 * The published throttling limits of the operations discovery uses, per account, as requests per
 * second and burst. Source: "Quotas and service limits for AWS Organizations", section
 * "Throttling limits",
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 * (figures as recorded in the team's aws-facts notes; the copy of that page reachable while this
 * was written showed the section but not its table, so check them there when in doubt).
 * DescribeOrganization, ListPolicies and ListTargetsForPolicy have no figure in those notes: they
 * get `UNPUBLISHED_RATE_LIMIT` until one is known.
 */
export const ORGANIZATIONS_RATE_LIMITS: Readonly<Record<string, RateLimit>> = {
  ListAccounts: { perSecond: 8, burst: 12 },
  ListChildren: { perSecond: 6, burst: 10 },
  ListAccountsForParent: { perSecond: 5, burst: 8 },
  ListOrganizationalUnitsForParent: { perSecond: 5, burst: 8 },
  ListParents: { perSecond: 5, burst: 8 },
  ListPoliciesForTarget: { perSecond: 5, burst: 8 },
  ListRoots: { perSecond: 1, burst: 2 },
  DescribeAccount: { perSecond: 20, burst: 30 },
};

/**
 * For operations without a published figure: an assumption, the figure published for the sibling
 * read operations (ListPoliciesForTarget, ListParents, ListAccountsForParent). It matters for
 * ListTargetsForPolicy: FullAWSAccess is attached to the root, every OU and every account by
 * default, so listing its targets takes one page per 20 of them. If the real quota is lower, the
 * service throttles, the SDK's adaptive retry backs off and the bucket restarts from empty.
 */
export const UNPUBLISHED_RATE_LIMIT: RateLimit = { perSecond: 5, burst: 8 };

export interface RateLimiterOptions {
  /** Per-operation limits; defaults to `ORGANIZATIONS_RATE_LIMITS`. */
  readonly limits?: Readonly<Record<string, RateLimit>>;
  /** The limit of an operation missing from `limits`; defaults to `UNPUBLISHED_RATE_LIMIT`. */
  readonly fallback?: RateLimit;
  /**
   * Tokens of each burst held back (default 1). Our bucket and the service's refill at the same
   * rate, but a request reaches the service a little after it leaves here and the delay varies, so
   * two requests can arrive closer together than they left. Keeping the service's bucket one token
   * ahead of ours absorbs up to 1/rate seconds of such jitter at the cost of one request of burst.
   */
  readonly reserve?: number;
  /** Milliseconds from a monotonic clock; injectable for tests. */
  readonly now?: () => number;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/** A token bucket with a FIFO of waiters and at most one timer. */
class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly perMillisecond: number,
    private readonly capacity: number,
    private readonly reserve: number,
    private readonly now: () => number,
  ) {
    this.tokens = capacity;
    this.updatedAt = now();
  }

  take(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) {
      return Promise.reject(signal.reason);
    }
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) {
            this.waiters.splice(index, 1);
          }
          reject(signal?.reason);
          this.schedule();
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  /** The service said it is out of tokens: start again from empty, reserve included. */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, -this.reserve);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(
      this.capacity,
      this.tokens + (now - this.updatedAt) * this.perMillisecond,
    );
    this.updatedAt = now;
  }

  private schedule(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.waiters.length === 0) {
      return;
    }
    this.refill();
    const wait = this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perMillisecond);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.waiters.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        const waiter = this.waiters.shift() as Waiter;
        waiter.signal?.removeEventListener("abort", waiter.onAbort);
        waiter.resolve();
      }
      this.schedule();
    }, wait);
  }
}

/** One token bucket per operation name, created on first use. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly limits: Readonly<Record<string, RateLimit>>;
  private readonly fallback: RateLimit;
  private readonly reserve: number;
  private readonly now: () => number;

  constructor(options: RateLimiterOptions = {}) {
    this.limits = options.limits ?? ORGANIZATIONS_RATE_LIMITS;
    this.fallback = options.fallback ?? UNPUBLISHED_RATE_LIMIT;
    this.reserve = options.reserve ?? 1;
    this.now = options.now ?? (() => performance.now());
    for (const [operation, limit] of Object.entries(this.limits)) {
      checkLimit(operation, limit);
    }
    checkLimit("fallback", this.fallback);
    if (!(this.reserve >= 0)) {
      throw new RangeError(`rate limiter reserve must be at least 0, got ${this.reserve}`);
    }
  }

  /** The limit applied to an operation. */
  limitOf(operation: string): RateLimit {
    return Object.hasOwn(this.limits, operation) ? this.limits[operation] : this.fallback;
  }

  /** Resolves when `operation` may send one request; rejects if `signal` aborts first. */
  acquire(operation: string, signal?: AbortSignal): Promise<void> {
    return this.bucket(operation).take(signal);
  }

  /** Records that the service throttled `operation`: its bucket restarts from empty. */
  throttled(operation: string): void {
    this.bucket(operation).drain();
  }

  private bucket(operation: string): TokenBucket {
    let bucket = this.buckets.get(operation);
    if (bucket === undefined) {
      const limit = this.limitOf(operation);
      bucket = new TokenBucket(
        limit.perSecond / 1000,
        Math.max(1, limit.burst - this.reserve),
        this.reserve,
        this.now,
      );
      this.buckets.set(operation, bucket);
    }
    return bucket;
  }
}

function checkLimit(operation: string, limit: RateLimit): void {
  if (!(limit.perSecond > 0) || !(limit.burst >= 1)) {
    throw new RangeError(
      `rate limit of ${operation} must have perSecond > 0 and burst >= 1, got ${JSON.stringify(limit)}`,
    );
  }
}
