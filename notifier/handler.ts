import { decodeSubscriptionPayload, SubscriptionLogEvent } from "./payload";
import { describeRootEvent, RootAlert } from "./rootEvent";

export interface RootActivityMessage {
  readonly subject: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
}

export interface RootActivityHandlerDeps {
  publish(message: RootActivityMessage): Promise<void>;
  /** The account's name, or undefined when it cannot be known. A throw is logged, never fatal. */
  accountName(accountId: string): Promise<string | undefined>;
  log?: (line: string) => void;
}

export interface RootActivityHandlerOptions {
  /** Account names kept across invocations of a warm container (least recently used goes first). */
  readonly accountNameCacheSize?: number;
  /** Names can change; an entry (also "no name") is looked up again after this long. */
  readonly accountNameTtlMs?: number;
  /** Log event ids already published by this container, kept to skip them on a retry. */
  readonly publishedIdsCacheSize?: number;
  /** Publishes in flight at once. */
  readonly publishConcurrency?: number;
  readonly now?: () => number;
}

/** What CloudWatch Logs passes to a subscription destination function. */
export interface CloudWatchLogsEvent {
  readonly awslogs: { readonly data: string };
}

export interface RootActivityResult {
  /** Log events in the delivery (zero for a control message). */
  readonly received: number;
  /** Alerts published, including those an earlier attempt of this container already published. */
  readonly published: number;
  /** Log events that are not JSON, not a CloudTrail record, or not root activity. */
  readonly malformed: number;
  readonly failedToPublish: number;
}

export type RootActivityHandler = (event: CloudWatchLogsEvent) => Promise<RootActivityResult>;

/** Some alerts of the batch could not be published; every other alert was. */
export class PublishFailedError extends Error {
  readonly result: RootActivityResult;
  readonly failures: readonly {
    readonly logEventId: string;
    readonly subject: string;
    readonly error: string;
  }[];

  constructor(result: RootActivityResult, failures: PublishFailedError["failures"]) {
    super(
      `${result.failedToPublish} of ${result.received} root-activity alert(s) could not be published: ` +
        failures.map((f) => `${f.subject} (${f.error})`).join("; "),
    );
    this.name = "PublishFailedError";
    this.result = result;
    this.failures = failures;
  }
}

const DEFAULTS = {
  accountNameCacheSize: 500,
  accountNameTtlMs: 60 * 60 * 1000,
  publishedIdsCacheSize: 10_000,
  publishConcurrency: 4,
} as const;

const ACCOUNT_ID = /^\d{12}$/;
const SNIPPET_LENGTH = 200;

/**
 * One SNS message per root event of a CloudWatch Logs subscription delivery.
 *
 * Retry choice. CloudWatch Logs invokes the function asynchronously: when it throws, Lambda runs
 * the whole delivery again (twice, minutes apart). So when any publish fails, the handler first
 * tries every other event, then throws. A retry re-sends the alerts that did go out: for a pager,
 * a duplicate costs a glance, a lost root alert costs an unseen incident, so at-least-once wins.
 * Duplicates are kept rare: a warm container remembers the log event ids it published (bounded)
 * and skips them on the retry, which usually lands on the same container. A retry on a fresh
 * container sends them again; each message carries the CloudTrail event id so a reader can tell.
 * A delivery that cannot be decoded at all also throws: no retry will fix it, but the failure
 * shows in the function's Errors metric and the on-failure destination, if one is configured.
 */
export function createRootActivityHandler(
  deps: RootActivityHandlerDeps,
  options: RootActivityHandlerOptions = {},
): RootActivityHandler {
  const settings = { ...DEFAULTS, ...options };
  const now = options.now ?? Date.now;
  const log = deps.log ?? (() => undefined);
  const accountNames = new BoundedCache<string, string | undefined>(settings.accountNameCacheSize);
  const publishedIds = new BoundedCache<string, true>(settings.publishedIdsCacheSize);

  async function lookUpNames(
    accountIds: ReadonlySet<string>,
  ): Promise<Map<string, string | undefined>> {
    const names = new Map<string, string | undefined>();
    await Promise.all(
      [...accountIds].map(async (accountId) => {
        const cached = accountNames.get(accountId, now());
        if (cached.hit) {
          names.set(accountId, cached.value);
          return;
        }
        try {
          const name = await deps.accountName(accountId);
          accountNames.set(accountId, name, now() + settings.accountNameTtlMs);
          names.set(accountId, name);
        } catch (error) {
          // Not cached: the next batch tries again. The alert goes out without a name.
          log(
            `account name lookup failed for ${accountId}, alerting without a name: ${messageOf(error)}`,
          );
          names.set(accountId, undefined);
        }
      }),
    );
    return names;
  }

  return async (event) => {
    const payload = decodeSubscriptionPayload(event?.awslogs?.data);
    const received = payload.logEvents.length;
    if (payload.messageType === "CONTROL_MESSAGE") {
      log(`control message from ${payload.logGroup || "CloudWatch Logs"}: nothing to publish`);
      return { received, published: 0, malformed: 0, failedToPublish: 0 };
    }

    let malformed = 0;
    const records: {
      logEvent: SubscriptionLogEvent;
      record: unknown;
      accountId: string | undefined;
    }[] = [];
    for (const logEvent of payload.logEvents) {
      let record: unknown;
      try {
        record = JSON.parse(logEvent.message);
      } catch {
        malformed += 1;
        log(
          `malformed log event ${logEvent.id || "(no id)"}: not JSON: ${snippet(logEvent.message)}`,
        );
        continue;
      }
      const described = describeRootEvent(record);
      if (described.kind === "malformed") {
        malformed += 1;
        log(
          `malformed log event ${logEvent.id || "(no id)"}: ${described.reason}: ${snippet(logEvent.message)}`,
        );
        continue;
      }
      records.push({ logEvent, record, accountId: described.accountId });
    }

    // Once per account per batch, and across batches while the container lives.
    const accountIds = new Set(
      records.flatMap(({ accountId }) =>
        accountId !== undefined && ACCOUNT_ID.test(accountId) ? [accountId] : [],
      ),
    );
    const names = await lookUpNames(accountIds);

    let published = 0;
    const failures: { logEventId: string; subject: string; error: string }[] = [];
    const jobs = records.map(({ logEvent, record, accountId }) => async () => {
      // The same record described above as a root alert; only the account name is new.
      const name = accountId === undefined ? undefined : names.get(accountId);
      const alert = describeRootEvent(record, name) as RootAlert;
      if (logEvent.id !== "" && publishedIds.get(logEvent.id, now()).hit) {
        published += 1;
        log(`already published by an earlier attempt, skipped: ${alert.subject}`);
        return;
      }
      try {
        await deps.publish({
          subject: alert.subject,
          body: alert.body,
          attributes: attributesOf(alert),
        });
        published += 1;
        if (logEvent.id !== "") {
          publishedIds.set(logEvent.id, true, Number.POSITIVE_INFINITY);
        }
      } catch (error) {
        failures.push({ logEventId: logEvent.id, subject: alert.subject, error: messageOf(error) });
        log(
          `publish failed for log event ${logEvent.id || "(no id)"} (${alert.subject}): ${messageOf(error)}`,
        );
      }
    });
    await runWithConcurrency(jobs, settings.publishConcurrency);

    const result = { received, published, malformed, failedToPublish: failures.length };
    log(
      `root activity: received=${result.received} published=${result.published} ` +
        `malformed=${result.malformed} failedToPublish=${result.failedToPublish}`,
    );
    if (failures.length > 0) {
      throw new PublishFailedError(result, failures);
    }
    return result;
  };
}

/** SNS message attributes, for subscription filter policies. Empty values are left out. */
function attributesOf(alert: RootAlert): Record<string, string> {
  const attributes: Record<string, string> = {
    eventName: alert.eventName,
    credential: alert.credentialKind,
    outcome: alert.outcome.status,
  };
  if (alert.accountId !== undefined) {
    attributes.accountId = alert.accountId;
  }
  if (alert.eventId !== undefined) {
    attributes.eventId = alert.eventId;
  }
  return attributes;
}

async function runWithConcurrency(
  jobs: readonly (() => Promise<void>)[],
  limit: number,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next];
      next += 1;
      await job();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
}

/** A Map bounded in size (least recently used leaves first) whose entries expire. */
class BoundedCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(private readonly maxSize: number) {}

  get(key: K, at: number): { hit: true; value: V } | { hit: false } {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      return { hit: false };
    }
    this.entries.delete(key);
    if (entry.expiresAt <= at) {
      return { hit: false };
    }
    this.entries.set(key, entry);
    return { hit: true, value: entry.value };
  }

  set(key: K, value: V, expiresAt: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt });
    while (this.entries.size > this.maxSize) {
      const oldest = this.entries.keys().next();
      if (oldest.done) {
        break;
      }
      this.entries.delete(oldest.value);
    }
  }
}

function snippet(message: string): string {
  return JSON.stringify(message.slice(0, SNIPPET_LENGTH));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
