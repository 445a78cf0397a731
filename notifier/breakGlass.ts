/**
 * The break-glass windows the notifier knows: the stack's `rootAccess.breakGlass` entries, passed to
 * the function as configuration at deploy time. Pure.
 */

export interface BreakGlassWindow {
  readonly accountId: string;
  readonly reason: string;
  /**
   * ISO-8601 UTC: root events before it are not inside the window. A window opened today must never
   * explain last month's sign-in (a late delivery, a backlog, an investigation with explain).
   */
  readonly opensAt: string;
  /** ISO-8601 UTC; the root-access SCP denies the account's root again after it. */
  readonly expiresAt: string;
}

/** A stack's break-glass entry, as config/schema.ts reads it. */
export interface BreakGlassEntryLike {
  readonly accountId: string;
  readonly reason: string;
  readonly expiresAt: string;
  readonly openedAt?: string;
}

/**
 * The windows of a stack's entries: each opens at its `openedAt`, or, for an entry written without
 * one, at the earliest time it can have been opened (`expiresAt` minus the longest window allowed,
 * `rootAccess.maxBreakGlassHours`), so no entry reaches back further than a window may last.
 */
export function windowsOf(
  entries: readonly BreakGlassEntryLike[],
  maxBreakGlassHours: number,
): BreakGlassWindow[] {
  return entries.map((entry) => ({
    accountId: entry.accountId,
    reason: entry.reason,
    opensAt:
      entry.openedAt ??
      new Date(Date.parse(entry.expiresAt) - maxBreakGlassHours * 3_600_000)
        .toISOString()
        .replace(/\.000Z$/, "Z"),
    expiresAt: entry.expiresAt,
  }));
}

/** The environment variable that carries the windows, as JSON. */
export const BREAK_GLASS_ENV = "BREAK_GLASS_WINDOWS";

/**
 * Lambda allows 4 KB of environment variables in all: the windows get at most this much, the
 * reasons shortened to fit (the stack file keeps them whole).
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
 */
export const MAX_WINDOWS_CHARACTERS = 3_000;
const REASON_CHARACTERS = 120;

/** The windows as the function's environment carries them. */
export function encodeWindows(windows: readonly BreakGlassWindow[]): string {
  const encoded = JSON.stringify(
    windows.map((window) => ({
      accountId: window.accountId,
      reason:
        window.reason.length <= REASON_CHARACTERS
          ? window.reason
          : `${window.reason.slice(0, REASON_CHARACTERS - 3)}...`,
      opensAt: window.opensAt,
      expiresAt: window.expiresAt,
    })),
  );
  if (encoded.length > MAX_WINDOWS_CHARACTERS) {
    throw new Error(
      `${windows.length} break-glass windows take ${encoded.length} characters of the notifier's environment, over ${MAX_WINDOWS_CHARACTERS}`,
    );
  }
  return encoded;
}

/** The windows from the environment; a value that cannot be read is an error, never "no window". */
export function decodeWindows(value: string | undefined): BreakGlassWindow[] {
  if (value === undefined || value.trim() === "") {
    return [];
  }
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed)) {
    throw new Error(`${BREAK_GLASS_ENV} is not a JSON list`);
  }
  return parsed.map((entry, index) => {
    const window = entry as Partial<BreakGlassWindow>;
    if (
      typeof window.accountId !== "string" ||
      typeof window.reason !== "string" ||
      typeof window.opensAt !== "string" ||
      typeof window.expiresAt !== "string" ||
      Number.isNaN(Date.parse(window.opensAt)) ||
      Number.isNaN(Date.parse(window.expiresAt))
    ) {
      throw new Error(
        `${BREAK_GLASS_ENV}[${index}] is not { accountId, reason, opensAt, expiresAt }`,
      );
    }
    return {
      accountId: window.accountId,
      reason: window.reason,
      opensAt: window.opensAt,
      expiresAt: window.expiresAt,
    };
  });
}

/**
 * The window open for an account at an event's time: from `opensAt` up to and including
 * `expiresAt`, as the SCP (DateGreaterThan aws:CurrentTime) closes it one second later.
 */
export function openWindow(
  windows: readonly BreakGlassWindow[],
  accountId: string | undefined,
  eventTime: string | undefined,
): BreakGlassWindow | undefined {
  const at = eventTime === undefined ? Number.NaN : Date.parse(eventTime);
  if (accountId === undefined || Number.isNaN(at)) {
    return undefined;
  }
  return windows.find(
    (window) =>
      window.accountId === accountId &&
      at >= Date.parse(window.opensAt) &&
      at <= Date.parse(window.expiresAt),
  );
}
