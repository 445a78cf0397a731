import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import { inParallel } from "../lib/concurrency";
import { isNotifiedRootEvent, matchedDetections } from "../detection/rootEvents";
import { AlertStore, callExpiry, CLAIM_LEASE_MS, SENT_TTL_MS } from "./alertStore";
import {
  AssumeRootCall,
  assumeRootCallOf,
  AssumeRootProver,
  callProves,
  Proof,
  reasonOf,
  sessionCreatedAt,
  TEMPORARY_KEY,
} from "./assumeRootProof";
import { BreakGlassWindow, openWindow } from "./breakGlass";
import { decodeSubscriptionPayload, SubscriptionLogEvent } from "./payload";
import {
  Delivery,
  deliveryLine,
  describeRootEvent,
  MAX_SUBJECT_LENGTH,
  RootAlert,
  RootUse,
  rootUseLine,
  SUBJECT_PREFIX,
} from "./rootEvent";

export type AlertTopic = "paging" | "informational";

export interface RootActivityMessage {
  /** Unexplained root use pages; approved use (proved sessions, break-glass) informs. */
  readonly topic: AlertTopic;
  readonly subject: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
}

export interface RootActivityHandlerDeps {
  publish(message: RootActivityMessage): Promise<void>;
  /** The account's name, or undefined when it cannot be known. A throw is logged, never fatal. */
  accountName(accountId: string): Promise<string | undefined>;
  /** Proves AssumeRoot sessions by their AssumeRoot call (notifier/assumeRootProof.ts). */
  readonly prover: Pick<AssumeRootProver, "prove">;
  /** The open break-glass windows, from the stack at deploy time. */
  readonly windows: readonly BreakGlassWindow[];
  /**
   * Alerts already sent, across containers and paths, and forwarded AssumeRoot calls
   * (notifier/alertStore.ts). Without it each container only remembers its own.
   */
  readonly store?: AlertStore;
  log?: (line: string) => void;
}

export interface RootActivityHandlerOptions {
  /** Account names kept across invocations of a warm container (least recently used goes first). */
  readonly accountNameCacheSize?: number;
  /** Names can change; an entry (also "no name") is looked up again after this long. */
  readonly accountNameTtlMs?: number;
  /** Log event ids (and proved sessions) already published by this container, kept to skip them. */
  readonly publishedIdsCacheSize?: number;
  /** Publishes in flight at once. */
  readonly publishConcurrency?: number;
  /**
   * The longest the AssumeRoot look-ups of one delivery may take; after it, the events still
   * waiting are published as unexplained with "could not check for an AssumeRoot call: timed out".
   */
  readonly lookupBudgetMs?: number;
  /** Time kept back from the function's remaining time for publishing after the look-ups. */
  readonly publishReserveMs?: number;
  /** The longest account-name look-ups may hold an alert back; the alert then goes without. */
  readonly accountNameBudgetMs?: number;
  readonly now?: () => number;
}

/** What the handler reads of the Lambda context: the time left before the function times out. */
export interface InvocationContext {
  getRemainingTimeInMillis?(): number;
}

/** What CloudWatch Logs passes to a subscription destination function. */
export interface CloudWatchLogsEvent {
  readonly awslogs: { readonly data: string };
}

/**
 * What EventBridge passes to a target function: for a CloudTrail event, the record as `detail`
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html).
 */
export interface EventBridgeEvent {
  readonly id?: string;
  readonly "detail-type"?: string;
  readonly source?: string;
  readonly time?: string;
  readonly detail?: unknown;
}

/** The notifier is invoked by the log group's subscription and by the central bus's rule. */
export type NotifierEvent = CloudWatchLogsEvent | EventBridgeEvent;

const isEventBridgeEvent = (event: unknown): event is EventBridgeEvent =>
  typeof event === "object" &&
  event !== null &&
  !("awslogs" in event) &&
  "detail" in event &&
  typeof (event as EventBridgeEvent).detail === "object";

export interface RootActivityResult {
  /** Log events (or EventBridge events) in the delivery (zero for a control message). */
  readonly received: number;
  /** Messages published, including those an earlier attempt of this container already published. */
  readonly published: number;
  /** Events of proved AssumeRoot sessions told in their session's one message, not on their own. */
  readonly summarised: number;
  /** Log events that are not JSON or that the notifier's pattern does not match. */
  readonly malformed: number;
  readonly failedToPublish: number;
  /** Alerts another delivery (the other path, or a retry elsewhere) had already sent: not sent again. */
  readonly alreadySent: number;
}

export type RootActivityHandler = (
  event: NotifierEvent,
  context?: InvocationContext,
) => Promise<RootActivityResult>;

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
      `${result.failedToPublish} root-activity message(s) could not be published: ` +
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
  // The function has 60 s (components/rootActivityNotifier.ts): 20 s of look-ups at most, and at
  // least 15 s left for the publishes after them.
  lookupBudgetMs: 20_000,
  publishReserveMs: 15_000,
  accountNameBudgetMs: 5_000,
} as const;

const ACCOUNT_ID = /^\d{12}$/;
const SNIPPET_LENGTH = 200;

/** A root event and what it is judged to be. */
export interface JudgedRootEvent {
  readonly record: Record<string, unknown>;
  readonly accountId: string | undefined;
  readonly accessKeyId: string | undefined;
  readonly eventTime: string | undefined;
  /** `sessionContext.attributes.creationDate`: narrows the look-up and checks the call. */
  readonly sessionCreatedAt: Date | undefined;
  /**
   * The account the event was recorded in and the root user's account, when they differ (a
   * record no approval can cover: a window and a session are each for one account).
   */
  readonly accountMismatch?: { readonly recipient: string; readonly identity: string };
  readonly detections: string[];
  use?: RootUse;
}

interface Judged extends JudgedRootEvent {
  readonly logEvent: SubscriptionLogEvent;
}

/** The facts judging needs, from a record the notifier's pattern matched. */
export function rootEventFacts(record: Record<string, unknown>): JudgedRootEvent {
  const identity = record.userIdentity as Record<string, unknown>;
  const recipient = textOf(record.recipientAccountId);
  const owner = textOf(identity.accountId);
  return {
    record,
    accountId: recipient ?? owner,
    accessKeyId: textOf(identity.accessKeyId),
    eventTime: textOf(record.eventTime),
    sessionCreatedAt: sessionCreatedAt(record),
    ...(recipient !== undefined && owner !== undefined && recipient !== owner
      ? { accountMismatch: { recipient, identity: owner } }
      : {}),
    detections: matchedDetections(record),
  };
}

/** Whether judging this event may need a look-up (a temporary key the prover must check). */
export function needsLookUp(event: JudgedRootEvent): boolean {
  return event.accountMismatch === undefined && AssumeRootProver.needsLookUp(event.accessKeyId);
}

/** Resolves with `fallback` when the signal aborts first, so nothing waits past a deadline. */
function beforeDeadline<T>(work: Promise<T>, signal: AbortSignal | undefined, fallback: () => T) {
  if (signal === undefined) {
    return work;
  }
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.resolve(fallback());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => resolve(fallback());
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** An AbortSignal that aborts after `ms` with "timed out after N s". */
export function deadlineSignal(ms: number): { signal: AbortSignal; cancel: () => void } {
  const controller = new AbortController();
  const seconds = Math.round(ms / 100) / 10;
  const timer = setTimeout(
    () => controller.abort(new Error(`timed out after ${seconds} s`)),
    Math.max(0, ms),
  );
  return { signal: controller.signal, cancel: () => clearTimeout(timer) };
}

/**
 * Decides, for each root event, which of the three kinds of root use it is: a proved AssumeRoot
 * session (the call that issued its key, found by the prover), inside an open break-glass window of
 * its account, or unexplained (with what the look-up found, or why it failed). Each key is looked
 * up once, with its earliest event; the proof is then checked for every event of the key.
 */
export async function judgeRootUse(
  events: readonly JudgedRootEvent[],
  prover: Pick<AssumeRootProver, "prove">,
  windows: readonly BreakGlassWindow[],
  signal?: AbortSignal,
): Promise<void> {
  const byKey = new Map<string, JudgedRootEvent[]>();
  for (const judged of events) {
    const key = `${judged.accessKeyId ?? ""}|${judged.accountId ?? ""}|${judged.accountMismatch === undefined ? "" : "mismatch"}`;
    byKey.set(key, [...(byKey.get(key) ?? []), judged]);
  }
  await Promise.all(
    [...byKey.values()].map(async (group) => {
      const first = [...group].sort((a, b) =>
        (a.eventTime ?? "").localeCompare(b.eventTime ?? ""),
      )[0];
      let proof: Proof;
      if (first.accountMismatch !== undefined) {
        proof = { kind: "notProved", reason: "" };
      } else {
        try {
          proof = await beforeDeadline(
            prover.prove(first.accessKeyId, first.accountId, first.eventTime, {
              ...(first.sessionCreatedAt === undefined
                ? {}
                : { createdAt: first.sessionCreatedAt }),
              ...(signal === undefined ? {} : { signal }),
            }),
            signal,
            (): Proof => ({ kind: "lookupFailed", reason: reasonOf(signal) }),
          );
        } catch (error) {
          proof = { kind: "lookupFailed", reason: messageOf(error) };
        }
      }
      for (const judged of group) {
        if (judged.accountMismatch !== undefined) {
          // Neither a session nor a window can approve it: each is for one account.
          judged.use = {
            kind: "unexplained",
            note: `recorded in ${judged.accountMismatch.recipient} for the root user of ${judged.accountMismatch.identity}: no approval covers a root event of another account`,
          };
          continue;
        }
        if (
          proof.kind === "proved" &&
          judged.accessKeyId !== undefined &&
          judged.accountId !== undefined &&
          judged.eventTime !== undefined &&
          callProves(
            proof.call,
            judged.accessKeyId,
            judged.accountId,
            new Date(judged.eventTime),
            undefined,
            judged.sessionCreatedAt === undefined ? {} : { createdAt: judged.sessionCreatedAt },
          )
        ) {
          judged.use = {
            kind: "assumeRootSession",
            call: proof.call,
            ...(proof.afterMiss === true ? { afterMiss: true } : {}),
          };
          continue;
        }
        const window = openWindow(windows, judged.accountId, judged.eventTime);
        if (window !== undefined) {
          judged.use = { kind: "breakGlass", window };
        } else if (proof.kind === "lookupFailed") {
          judged.use = {
            kind: "unexplained",
            note: `could not check for an AssumeRoot call: ${proof.reason}`,
          };
        } else if (judged.accessKeyId !== undefined && TEMPORARY_KEY.test(judged.accessKeyId)) {
          judged.use = {
            kind: "unexplained",
            note: proof.kind === "notProved" ? proof.reason : undefined,
          };
        } else {
          judged.use = { kind: "unexplained" };
        }
      }
    }),
  );
}

/**
 * Root alerts that tell the truth, from a CloudWatch Logs subscription delivery.
 *
 * Each record is judged with the notifier's own pattern, through the same evaluator as the metric
 * filters' tests and replay (detection/rootEvents.ts), so nothing it is sent is dropped as
 * "not root". Each is then one of three kinds: an AssumeRoot session, proved by the call that
 * issued its key; inside an open break-glass window of its account; or unexplained. Unexplained
 * events page, one message each (the message is the page; its subject starts with UNEXPLAINED).
 * Approved ones inform: a proved session is told once, when this container first sees it, with a
 * summary of its actions (an audit of 5,000 accounts makes 20,000 root events); a break-glass event
 * once each. A look-up that fails never loses an alert: the event is unexplained and says why.
 *
 * Retry choice. CloudWatch Logs invokes the function asynchronously: when it throws, Lambda runs
 * the whole delivery again. So when any publish fails, the handler first tries every other
 * message, then throws. A retry re-sends what did go out unless this warm container remembers it
 * (bounded): for a pager, a duplicate costs a glance, a lost root alert an unseen incident.
 */
export function createRootActivityHandler(
  deps: RootActivityHandlerDeps,
  options: RootActivityHandlerOptions = {},
): RootActivityHandler {
  const settings = { ...DEFAULTS, ...options };
  const now = options.now ?? Date.now;
  const log = deps.log ?? (() => undefined);
  // Bounded, least recently used out first; lru-cache keeps the expiry per entry on our clock.
  // ttlResolution 0: read the clock on every check (the default caches it for a millisecond).
  const perf = { now };
  const accountNames = new LRUCache<string, { name: string | undefined }>({
    max: settings.accountNameCacheSize,
    ttl: settings.accountNameTtlMs,
    ttlResolution: 0,
    perf,
  });
  const publishedIds = new LRUCache<string, true>({ max: settings.publishedIdsCacheSize, perf });

  /** Fills `names` as the look-ups answer, so a deadline keeps the names already known. */
  async function lookUpNames(
    accountIds: ReadonlySet<string>,
    names: Map<string, string | undefined>,
  ): Promise<Map<string, string | undefined>> {
    await Promise.all(
      [...accountIds].map(async (accountId) => {
        const cached = accountNames.get(accountId);
        if (cached !== undefined) {
          names.set(accountId, cached.name);
          return;
        }
        try {
          const name = await deps.accountName(accountId);
          accountNames.set(accountId, { name });
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

  /** The messages for judged events: one per unexplained or break-glass event, one per session. */
  function messagesOf(
    records: readonly Judged[],
    names: ReadonlyMap<string, string | undefined>,
    delivery: Delivery,
  ): { messages: PendingMessage[]; summarised: number } {
    const messages: PendingMessage[] = [];
    let summarised = 0;
    const sessions = new Map<
      string,
      { call: AssumeRootCall; alerts: RootAlert[]; afterMiss: boolean }
    >();
    for (const judged of records) {
      const name = judged.accountId === undefined ? undefined : names.get(judged.accountId);
      const alert = describeRootEvent(judged.record, {
        accountName: name,
        use: judged.use,
        detections: judged.detections,
        delivery,
      }) as RootAlert;
      if (alert.use.kind === "assumeRootSession") {
        const key = alert.use.call.accessKeyId;
        const session = sessions.get(key) ?? { call: alert.use.call, alerts: [], afterMiss: false };
        session.alerts.push(alert);
        session.afterMiss ||= alert.use.afterMiss === true;
        sessions.set(key, session);
        continue;
      }
      messages.push({
        id: alertIdOf(judged),
        logEventId: judged.logEvent.id,
        message: {
          topic: alert.use.kind === "unexplained" ? "paging" : "informational",
          subject: alert.subject,
          body: alert.body,
          attributes: attributesOf(alert),
        },
      });
    }
    for (const [key, session] of sessions) {
      const id = `session:${key}`;
      if (publishedIds.get(id) !== undefined) {
        summarised += session.alerts.length;
        log(`AssumeRoot session ${key}: ${session.alerts.length} more action(s), already reported`);
        continue;
      }
      const accountId = session.call.targetAccountId;
      const told = describeSession(session.call, session.alerts, names.get(accountId), {
        afterMiss: session.afterMiss,
        delivery,
      });
      summarised += session.alerts.length - 1;
      messages.push({
        id,
        logEventId: session.alerts[0].eventId ?? "",
        message: { topic: "informational", ...told },
      });
    }
    return { messages, summarised };
  }

  async function publishAll(
    messages: readonly PendingMessage[],
    failures: { logEventId: string; subject: string; error: string }[],
  ): Promise<{ published: number; alreadySent: number }> {
    let published = 0;
    let alreadySent = 0;
    const jobs = messages.map(({ id, logEventId, message }) => async () => {
      if (id !== "" && publishedIds.get(id) !== undefined) {
        published += 1;
        log(`already published by an earlier attempt, skipped: ${message.subject}`);
        return;
      }
      // One message per event across paths and containers: the first delivery to claim the
      // event's id sends it. A store that fails never holds an alert back: it is sent, at the
      // risk of a second copy.
      let claimed = false;
      if (id !== "" && deps.store !== undefined) {
        try {
          if (!(await deps.store.claim(id, now() + CLAIM_LEASE_MS))) {
            // Not remembered here: a claim that lapses (its holder died) is taken by a later
            // delivery, this container's included.
            alreadySent += 1;
            log(`already sent by another delivery, skipped: ${message.subject}`);
            return;
          }
          claimed = true;
        } catch (error) {
          log(`the alert store could not record ${id}, sending anyway: ${messageOf(error)}`);
        }
      }
      try {
        await deps.publish(message);
        published += 1;
        if (id !== "") {
          publishedIds.set(id, true);
        }
        if (claimed) {
          await deps.store?.confirm(id, now() + SENT_TTL_MS).catch((confirmError: unknown) => {
            // The lease then lapses: a later delivery may send a second copy, nothing is lost.
            log(`the alert store could not confirm ${id} sent: ${messageOf(confirmError)}`);
          });
        }
      } catch (error) {
        failures.push({ logEventId, subject: message.subject, error: messageOf(error) });
        log(`publish failed for ${id || "(no id)"} (${message.subject}): ${messageOf(error)}`);
        if (claimed) {
          // Given back, so the retry of this delivery, or the other path, sends it.
          await deps.store?.release(id).catch((releaseError: unknown) => {
            log(`the alert store could not release ${id}: ${messageOf(releaseError)}`);
          });
        }
      }
    });
    await inParallel(jobs, settings.publishConcurrency, (job) => job());
    return { published, alreadySent };
  }

  /** A forwarded AssumeRoot call: kept, so its session's events are proved within seconds. */
  async function keepCall(call: AssumeRootCall): Promise<RootActivityResult> {
    const result = {
      received: 1,
      published: 0,
      summarised: 0,
      malformed: 0,
      failedToPublish: 0,
      alreadySent: 0,
    };
    if (deps.store === undefined) {
      log(`AssumeRoot call for ${call.accessKeyId} received, but there is no store to keep it in`);
      return result;
    }
    await deps.store.putCall(call, callExpiry(call));
    log(
      `AssumeRoot call kept: ${call.accessKeyId} for ${call.targetAccountId} by ${call.callerArn}`,
    );
    return result;
  }

  return async (event, context) => {
    const delivery: Delivery = {
      path: isEventBridgeEvent(event) ? "EventBridge" : "CloudWatch Logs subscription",
      receivedAt: now(),
    };
    let logEvents: readonly SubscriptionLogEvent[];
    if (isEventBridgeEvent(event)) {
      const call = assumeRootCallOf(event.detail);
      if (call !== undefined) {
        return keepCall(call);
      }
      // One event, its record as the message: judged exactly as a log event is.
      logEvents = [
        {
          id: event.id ?? "",
          timestamp: Date.parse(event.time ?? "") || delivery.receivedAt,
          message: JSON.stringify(event.detail),
        },
      ];
    } else {
      const payload = decodeSubscriptionPayload((event as CloudWatchLogsEvent)?.awslogs?.data);
      if (payload.messageType === "CONTROL_MESSAGE") {
        log(`control message from ${payload.logGroup || "CloudWatch Logs"}: nothing to publish`);
        return {
          received: payload.logEvents.length,
          published: 0,
          summarised: 0,
          malformed: 0,
          failedToPublish: 0,
          alreadySent: 0,
        };
      }
      logEvents = payload.logEvents;
    }
    const received = logEvents.length;

    let malformed = 0;
    const records: Judged[] = [];
    for (const logEvent of logEvents) {
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
      if (!isNotifiedRootEvent(record)) {
        malformed += 1;
        log(
          `log event ${logEvent.id || "(no id)"} does not match the notifier's pattern: ${snippet(logEvent.message)}`,
        );
        continue;
      }
      records.push({ logEvent, ...rootEventFacts(record as Record<string, unknown>) });
    }

    // The look-ups get what the invocation can spare: at most lookupBudgetMs, and never so much
    // that the publishes after them would run into the function's timeout.
    const remaining = context?.getRemainingTimeInMillis?.();
    const budget = Math.min(
      settings.lookupBudgetMs,
      remaining === undefined ? Number.POSITIVE_INFINITY : remaining - settings.publishReserveMs,
    );
    const deadline = deadlineSignal(budget);
    try {
      const accountIds = new Set(
        records.flatMap(({ accountId }) =>
          accountId !== undefined && ACCOUNT_ID.test(accountId) ? [accountId] : [],
        ),
      );
      const names = new Map<string, string | undefined>();
      const namesBudget = deadlineSignal(Math.min(settings.accountNameBudgetMs, budget));
      const gotNames = beforeDeadline(lookUpNames(accountIds, names), namesBudget.signal, () => {
        log(
          `account names not all known within ${settings.accountNameBudgetMs} ms: alerting without`,
        );
        return names;
      }).finally(namesBudget.cancel);

      // Events that need no look-up (sign-ins, long-term keys, console sessions) go out first, so
      // a slow look-up never holds back the page of an unrelated event.
      const immediate = records.filter((judged) => !needsLookUp(judged));
      const waiting = records.filter((judged) => needsLookUp(judged));
      const failures: { logEventId: string; subject: string; error: string }[] = [];
      await judgeRootUse(immediate, deps.prover, deps.windows);
      await gotNames;
      const first = messagesOf(immediate, names, delivery);
      const sent = await publishAll(first.messages, failures);
      let { published, alreadySent } = sent;
      let summarised = first.summarised;
      if (waiting.length > 0) {
        await judgeRootUse(waiting, deps.prover, deps.windows, deadline.signal);
        const second = messagesOf(waiting, names, delivery);
        const more = await publishAll(second.messages, failures);
        published += more.published;
        alreadySent += more.alreadySent;
        summarised += second.summarised;
      }

      const result = {
        received,
        published,
        summarised,
        malformed,
        failedToPublish: failures.length,
        alreadySent,
      };
      log(
        `root activity via ${delivery.path}: received=${result.received} published=${result.published} ` +
          `summarised=${result.summarised} malformed=${result.malformed} failedToPublish=${result.failedToPublish} alreadySent=${result.alreadySent}`,
      );
      if (failures.length > 0) {
        throw new PublishFailedError(result, failures);
      }
      return result;
    } finally {
      deadline.cancel();
    }
  };
}

interface PendingMessage {
  readonly id: string;
  readonly logEventId: string;
  readonly message: RootActivityMessage;
}

/** SNS message attributes, for subscription filter policies. Empty values are left out. */
export function attributesOf(alert: RootAlert): Record<string, string> {
  const attributes: Record<string, string> = {
    rootUse: alert.use.kind,
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
  if (alert.detections.length > 0) {
    attributes.detections = alert.detections.join(",");
  }
  if (alert.delivery !== undefined) {
    attributes.deliveredBy = alert.delivery.path;
  }
  return attributes;
}

/**
 * The one message of a proved AssumeRoot session: who started it, for which task and account, and
 * what it did in the events at hand (counts per action, failures).
 */
export function describeSession(
  call: AssumeRootCall,
  alerts: readonly RootAlert[],
  accountName: string | undefined,
  options: { readonly afterMiss?: boolean; readonly delivery?: Delivery } = {},
): { subject: string; body: string; attributes: Record<string, string> } {
  const task = call.taskPolicyArn.split("/").pop() ?? call.taskPolicyArn;
  const counts = new Map<string, { total: number; failed: number }>();
  for (const alert of alerts) {
    const entry = counts.get(alert.eventName) ?? { total: 0, failed: 0 };
    entry.total += 1;
    entry.failed += alert.outcome.status === "failure" ? 1 : 0;
    counts.set(alert.eventName, entry);
  }
  const account =
    accountName === undefined ? call.targetAccountId : `${call.targetAccountId} (${accountName})`;
  const times = alerts
    .map((a) => a.eventTime ?? "")
    .filter((t) => t !== "")
    .sort();
  const detections = [...new Set(alerts.flatMap((a) => a.detections))];
  const subjectHead = `${SUBJECT_PREFIX.assumeRootSession} ${task} in ${call.targetAccountId}`;
  const subject =
    `${subjectHead}: ${alerts.length} action${alerts.length === 1 ? "" : "s"} so far`.slice(
      0,
      MAX_SUBJECT_LENGTH,
    );
  const body = [
    `AssumeRoot session in AWS account ${account}: approved root work, told once, when it is first seen.`,
    "",
    `Root use:    ${rootUseLine({ kind: "assumeRootSession", call })}`,
    `Access key:  ${call.accessKeyId}`,
    `Actions so far: ${alerts.length}, ${times[0] ?? "?"} to ${times[times.length - 1] ?? "?"}`,
    ...[...counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([name, { total, failed }]) =>
          `  ${name}: ${total}${failed > 0 ? ` (${failed} failed)` : ""}`,
      ),
    `Detections:  ${detections.length > 0 ? detections.join(", ") : "(none)"}`,
    ...(options.delivery === undefined
      ? []
      : [`Delivery:    ${deliveryLine(options.delivery, times[0])}`]),
    "",
    ...(options.afterMiss === true
      ? [
          "",
          "Earlier events with this key were paged as UNEXPLAINED before this AssumeRoot call " +
            "reached the log group: they belong to this session.",
        ]
      : []),
    "",
    "What to do: check that the caller had a reason and that the actions fit the task policy. " +
      "Later actions of the session are counted by the alarms, not told: to see them all, search " +
      `the central log group for userIdentity.accessKeyId = "${call.accessKeyId}".`,
    "",
  ].join("\n");
  return {
    subject,
    body,
    attributes: {
      rootUse: "assumeRootSession",
      accountId: call.targetAccountId,
      taskPolicy: task,
      ...(detections.length > 0 ? { detections: detections.join(",") } : {}),
    },
  };
}

/**
 * The id an alert is sent once under: the CloudTrail event ID, with a digest of the fields both
 * paths deliver unchanged (EventBridge's `detail` is the record CloudTrail writes to the log
 * group). The event ID alone would do for CloudTrail's own records ("a GUID generated by
 * CloudTrail to uniquely identify each event",
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html);
 * the digest keeps two different records that share an ID (AWS's documentation examples reuse
 * theirs) two alerts. A field one path wrote differently would make one alert two, never none.
 * A record without an ID goes by its log event's id.
 */
function alertIdOf(judged: Pick<Judged, "record" | "logEvent">): string {
  const record = judged.record;
  const eventId = textOf(record.eventID);
  if (eventId === undefined) {
    return judged.logEvent.id;
  }
  const identity = (record.userIdentity ?? {}) as Record<string, unknown>;
  const digest = createHash("sha256")
    .update(
      JSON.stringify([
        ...IDENTIFYING_FIELDS.map((field) => record[field] ?? null),
        identity.type ?? null,
        identity.accessKeyId ?? null,
        identity.invokedBy ?? null,
      ]),
    )
    .digest("hex")
    .slice(0, 16);
  return `event:${eventId}:${digest}`;
}

const IDENTIFYING_FIELDS = [
  "recipientAccountId",
  "eventTime",
  "eventSource",
  "eventName",
  "awsRegion",
  "sourceIPAddress",
  "errorCode",
  "errorMessage",
  "responseElements",
  "additionalEventData",
] as const;

function textOf(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function snippet(message: string): string {
  return JSON.stringify(message.slice(0, SNIPPET_LENGTH));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
