import { isNotifiedRootEvent } from "../detection/rootEvents";
import { FileOutcome, logFiles, scanRecords } from "../detection/replay";
import { AssumeRootProver, RecordCallSource } from "./assumeRootProof";
import { BreakGlassWindow } from "./breakGlass";
import { describeSession, judgeRootUse, JudgedRootEvent, rootEventFacts } from "./handler";
import { describeRootEvent, RootAlert, RootUseKind } from "./rootEvent";

/** One root event as the notifier would report it (`npm run explain --json`). */
export interface ExplainedAlert {
  /** null when the record has none: every field of the contract is always present. */
  readonly eventId: string | null;
  readonly accountId: string | null;
  readonly eventName: string;
  readonly eventTime: string | null;
  readonly sourceIPAddress: string | null;
  readonly kind: RootUseKind;
  /** When proved: the AssumeRoot call's eventID, or its eventTime when the record has none. */
  readonly assumeRootEventId?: string;
  /** When inside a window: its reason. */
  readonly breakGlassReason?: string;
  readonly detections: readonly string[];
  /** The subject of the message that reports it (for a session: the session's one message). */
  readonly subject: string;
}

export interface ExplainOptions {
  /** The stack's break-glass entries, judged at each event's time. */
  readonly windows: readonly BreakGlassWindow[];
  /** The accounts whose AssumeRoot calls count; any when undefined (no stack given). */
  readonly allowedCallers?: ReadonlySet<string>;
}

export interface Explanation {
  readonly alerts: ExplainedAlert[];
  readonly badFiles: { readonly file: string; readonly error: string }[];
  readonly files: number;
  readonly records: number;
  /** A JSON Lines file found in a folder and not read (at most one: for the hint). */
  readonly jsonLines: readonly string[];
}

/**
 * The alerts the notifier would publish for the root events in CloudTrail files, the files taken
 * as the content of the central log group: an AssumeRoot call in them proves its session, exactly
 * as the function proves it with FilterLogEvents. The same modules as the function decide
 * (detection/rootEvents.ts, notifier/assumeRootProof.ts, notifier/handler.ts).
 */
export async function explainFiles(
  paths: readonly string[],
  options: ExplainOptions,
): Promise<Explanation> {
  const calls = new RecordCallSource();
  const events: JudgedRootEvent[] = [];
  const outcomes: FileOutcome[] = [];
  const jsonLines: string[] = [];
  for await (const entry of logFiles(paths)) {
    if (entry.kind === "skipped") {
      if (entry.reason === "json-lines" && jsonLines.length === 0) {
        jsonLines.push(entry.file);
      }
      continue;
    }
    if (entry.kind === "bad") {
      outcomes.push({ file: entry.file, records: 0, parsed: 0, bytes: 0, error: entry.error });
      continue;
    }
    // Every root event and every AssumeRoot call contains "Root": the others are never parsed.
    const { outcome, kept } = await scanRecords(entry.file, (record) => [record], ["Root"]);
    outcomes.push(outcome);
    if (outcome.error !== undefined) {
      continue;
    }
    for (const record of kept) {
      calls.add(record);
      if (isNotifiedRootEvent(record)) {
        events.push(rootEventFacts(record as Record<string, unknown>));
      }
    }
  }
  // Every call is in the files already: nothing to wait for.
  const prover = new AssumeRootProver(calls, {
    retryDelaysMs: [],
    ...(options.allowedCallers === undefined ? {} : { allowedCallers: options.allowedCallers }),
  });
  await judgeRootUse(events, prover, options.windows);

  const described = events.map((event) => ({
    event,
    alert: describeRootEvent(event.record, {
      use: event.use,
      detections: event.detections,
    }) as RootAlert,
  }));
  const sessions = new Map<string, RootAlert[]>();
  for (const { alert } of described) {
    if (alert.use.kind === "assumeRootSession") {
      const key = alert.use.call.accessKeyId;
      sessions.set(key, [...(sessions.get(key) ?? []), alert]);
    }
  }
  const alerts = described
    .map(({ alert }): ExplainedAlert => {
      const base = {
        eventId: alert.eventId ?? null,
        accountId: alert.accountId ?? null,
        eventName: alert.eventName,
        eventTime: alert.eventTime ?? null,
        sourceIPAddress: alert.sourceIPAddress ?? null,
        kind: alert.use.kind,
        detections: alert.detections,
      };
      switch (alert.use.kind) {
        case "assumeRootSession": {
          const call = alert.use.call;
          return {
            ...base,
            assumeRootEventId: call.eventId ?? call.eventTime,
            subject: describeSession(call, sessions.get(call.accessKeyId) ?? [alert], undefined)
              .subject,
          };
        }
        case "breakGlass":
          return { ...base, breakGlassReason: alert.use.window.reason, subject: alert.subject };
        default:
          return { ...base, subject: alert.subject };
      }
    })
    .sort(
      (a, b) =>
        (a.eventTime ?? "").localeCompare(b.eventTime ?? "") ||
        (a.eventId ?? "").localeCompare(b.eventId ?? ""),
    );
  return {
    alerts,
    badFiles: outcomes.flatMap((o) =>
      o.error === undefined ? [] : [{ file: o.file, error: o.error }],
    ),
    files: outcomes.length,
    records: outcomes.reduce((sum, o) => sum + o.records, 0),
    jsonLines,
  };
}
