/**
 * Turns one CloudTrail record of root-user activity into the alert a platform engineer reads when
 * paged at night: which account, who, what, from where, with which credential, and what to do.
 * Pure: no I/O, no clock.
 */
import { AssumeRootCall } from "./assumeRootProof";
import { BreakGlassWindow } from "./breakGlass";

/** SNS rejects a longer subject (and one with line breaks or control characters). */
export const MAX_SUBJECT_LENGTH = 100;

export type MfaUsed = "yes" | "no" | "unknown";

export type RootEventOutcome =
  { readonly status: "success" } | { readonly status: "failure"; readonly error: string };

/**
 * A machine-readable form of `credential`: what the record shows of how root authenticated. It
 * never says "AssumeRoot session": only the AssumeRoot call proves that (`RootUse`).
 * - `consoleSignIn`: the sign-in page itself (ConsoleLogin, password change, ...).
 * - `consoleSession`: temporary root credentials of a console session.
 * - `temporaryCredentials`: a temporary (ASIA) key with no console marker: an AssumeRoot session
 *   when its call is found, else unexplained (older console sessions look exactly like this).
 * - `longTermAccessKey`: a root access key (AKIA...).
 * - `other`: anything else; the label says what the record showed.
 */
export type CredentialKind =
  "consoleSignIn" | "consoleSession" | "temporaryCredentials" | "longTermAccessKey" | "other";

/**
 * Which of the three kinds of root use an event is, explicit in every alert and as the SNS message
 * attribute `rootUse`, so subscription filter policies can route them.
 * - `assumeRootSession`: proved by the AssumeRoot call that issued its key.
 * - `breakGlass`: inside an open break-glass window of its account.
 * - `unexplained`: everything else; this is what pages.
 */
export type RootUse =
  | {
      readonly kind: "assumeRootSession";
      readonly call: AssumeRootCall;
      /** Its first events were paged as unexplained before the call reached the log group. */
      readonly afterMiss?: boolean;
    }
  | { readonly kind: "breakGlass"; readonly window: BreakGlassWindow }
  | { readonly kind: "unexplained"; readonly note?: string };

export type RootUseKind = RootUse["kind"];

export interface DescribeOptions {
  readonly accountName?: string;
  /** Unexplained unless proved or inside a window. */
  readonly use?: RootUse;
  /** The deployed detections the record matched (detection/rootEvents.ts). */
  readonly detections?: readonly string[];
  /** Which path brought the event, and when. */
  readonly delivery?: Delivery;
}

/**
 * The two paths a root event reaches the notifier by: EventBridge, seconds after the call, and
 * the central log group's subscription, minutes after (CloudTrail delivers there "within an
 * average of about 5 minutes"). Whichever comes first sends the alert.
 */
export type DeliveryPath = "EventBridge" | "CloudWatch Logs subscription";

export interface Delivery {
  readonly path: DeliveryPath;
  /** When the notifier received it, ms since the epoch. */
  readonly receivedAt: number;
}

/** "EventBridge, 4 s after the event", or without the figure when the event has no valid time. */
export function deliveryLine(delivery: Delivery, eventTime: string | undefined): string {
  const at = eventTime === undefined ? Number.NaN : Date.parse(eventTime);
  return Number.isNaN(at)
    ? delivery.path
    : `${delivery.path}, ${Math.max(0, Math.round((delivery.receivedAt - at) / 1000))} s after the event`;
}

export interface RootAlert {
  readonly kind: "rootAlert";
  /** `recipientAccountId`, else `userIdentity.accountId`; undefined when the record has neither. */
  readonly accountId: string | undefined;
  readonly accountName: string | undefined;
  readonly eventName: string;
  readonly eventSource: string;
  readonly awsRegion: string | undefined;
  readonly eventTime: string | undefined;
  readonly sourceIPAddress: string | undefined;
  readonly userAgent: string | undefined;
  readonly eventId: string | undefined;
  readonly identityArn: string | undefined;
  readonly accessKeyId: string | undefined;
  readonly mfaUsed: MfaUsed;
  readonly outcome: RootEventOutcome;
  readonly credential: string;
  readonly credentialKind: CredentialKind;
  readonly use: RootUse;
  readonly detections: readonly string[];
  readonly delivery: Delivery | undefined;
  /** At most 100 characters, printable ASCII, one line. */
  readonly subject: string;
  /** Plain text, one field per line, then what to do. */
  readonly body: string;
}

export interface MalformedRecord {
  readonly kind: "malformed";
  readonly reason: string;
}

export function isRootAlert(value: RootAlert | MalformedRecord): value is RootAlert {
  return value.kind === "rootAlert";
}

export const CREDENTIAL_LABELS = {
  temporaryCredentials:
    "temporary root credentials (an AssumeRoot session only if its AssumeRoot call is found)",
  consoleSignIn: "console sign-in with the root password",
  consoleSession:
    "console session with temporary root credentials (root password sign-in, or a privileged action started from the IAM console)",
} as const;

const CONSOLE_LOGIN = "ConsoleLogin";
const SIGNIN_SOURCE = "signin.amazonaws.com";
const FIELD_MAX_LENGTH = 300;

/**
 * The alert for one root event. Anything the notifier's pattern matches is described: a field the
 * record lacks is shown as missing, never a reason to drop it (`malformed` is only for what is not
 * a root record at all).
 */
export function describeRootEvent(
  record: unknown,
  options: DescribeOptions = {},
): RootAlert | MalformedRecord {
  if (!isObject(record)) {
    return malformed("not a JSON object");
  }
  const identity = record.userIdentity;
  if (!isObject(identity)) {
    return malformed("no userIdentity object: not a CloudTrail record");
  }
  const eventName = text(record.eventName) ?? "(no eventName)";
  const eventSource = text(record.eventSource) ?? "(no eventSource)";
  if (identity.type !== "Root") {
    // The subscription filter only delivers root activity; anything else means the filter changed.
    return malformed(
      `userIdentity.type is ${JSON.stringify(identity.type)}, not "Root": not root-user activity`,
    );
  }

  const accountId = text(record.recipientAccountId) ?? text(identity.accountId);
  const name = text(options.accountName);
  const accessKeyId = text(identity.accessKeyId);
  const { kind: credentialKind, label: credential } = classifyCredential(
    record,
    eventName,
    eventSource,
    accessKeyId,
  );
  const facts = {
    accountId,
    accountName: name,
    eventName,
    eventSource,
    awsRegion: text(record.awsRegion),
    eventTime: text(record.eventTime),
    sourceIPAddress: text(record.sourceIPAddress),
    userAgent: text(record.userAgent),
    eventId: text(record.eventID),
    identityArn: text(identity.arn),
    accessKeyId,
    mfaUsed: mfaUsedOf(record, identity),
    outcome: outcomeOf(record, eventName),
    credential,
    credentialKind,
    use: options.use ?? { kind: "unexplained" },
    detections: [...(options.detections ?? [])],
    delivery: options.delivery,
  };
  return { kind: "rootAlert", ...facts, subject: subjectOf(facts), body: bodyOf(facts) };
}

type AlertFacts = Omit<RootAlert, "kind" | "subject" | "body">;

/**
 * How the root identity authenticated, as far as the record shows. An `ASIA` key is a temporary
 * credential: a session from `sts:AssumeRoot`, or the session of a console sign-in with the root
 * password, which older records carry with none of the console markers (`sessionCredentialFromConsole`,
 * `invokedBy`/`userAgent` signin.amazonaws.com). So nothing here says "AssumeRoot": only the call
 * that issued the key proves it (notifier/assumeRootProof.ts).
 */
function classifyCredential(
  record: Record<string, unknown>,
  eventName: string,
  eventSource: string,
  accessKeyId: string | undefined,
): { kind: CredentialKind; label: string } {
  if (eventName === CONSOLE_LOGIN) {
    return { kind: "consoleSignIn", label: CREDENTIAL_LABELS.consoleSignIn };
  }
  if (eventSource === SIGNIN_SOURCE) {
    return {
      kind: "consoleSignIn",
      label: `root user on the AWS sign-in page (${eventName}), with the root password`,
    };
  }
  const fromConsole = isConsoleSession(record);
  const key = accessKeyId ?? "";
  if (key.startsWith("ASIA")) {
    return fromConsole
      ? { kind: "consoleSession", label: CREDENTIAL_LABELS.consoleSession }
      : { kind: "temporaryCredentials", label: CREDENTIAL_LABELS.temporaryCredentials };
  }
  if (key.startsWith("AKIA")) {
    return { kind: "longTermAccessKey", label: `long-term root credentials (access key ${key})` };
  }
  if (fromConsole || record.eventType === "AwsConsoleSignIn") {
    return { kind: "consoleSession", label: CREDENTIAL_LABELS.consoleSession };
  }
  if (key !== "") {
    return {
      kind: "other",
      label: `root credentials with an access key id of no known kind (${key})`,
    };
  }
  return { kind: "other", label: "root credentials (the record does not say which kind)" };
}

function isConsoleSession(record: Record<string, unknown>): boolean {
  const identity = isObject(record.userIdentity) ? record.userIdentity : {};
  return (
    isTrue(record.sessionCredentialFromConsole) ||
    identity.invokedBy === SIGNIN_SOURCE ||
    record.userAgent === SIGNIN_SOURCE
  );
}

function mfaUsedOf(record: Record<string, unknown>, identity: Record<string, unknown>): MfaUsed {
  // Console sign-ins: additionalEventData.MFAUsed is "Yes"/"YES"/"No".
  const additional = record.additionalEventData;
  if (isObject(additional) && additional.MFAUsed !== undefined) {
    return yesNo(additional.MFAUsed);
  }
  // Calls with a session: userIdentity.sessionContext.attributes.mfaAuthenticated "true"/"false".
  const session = identity.sessionContext;
  if (isObject(session) && isObject(session.attributes)) {
    const mfa = session.attributes.mfaAuthenticated;
    if (mfa !== undefined) {
      return yesNo(mfa);
    }
  }
  return "unknown";
}

function yesNo(value: unknown): MfaUsed {
  const normalized = typeof value === "string" ? value.trim().toLowerCase() : value;
  if (normalized === "yes" || normalized === "true" || normalized === true) {
    return "yes";
  }
  if (normalized === "no" || normalized === "false" || normalized === false) {
    return "no";
  }
  return "unknown";
}

function outcomeOf(record: Record<string, unknown>, eventName: string): RootEventOutcome {
  const errorCode = text(record.errorCode);
  const errorMessage = text(record.errorMessage);
  // Sign-in events report their result as responseElements.<eventName>: "Success" | "Failure".
  const response = record.responseElements;
  const signInResult = isObject(response) ? response[eventName] : undefined;
  if (errorCode === undefined && errorMessage === undefined && signInResult !== "Failure") {
    return { status: "success" };
  }
  const error =
    [errorCode, errorMessage].filter((part) => part !== undefined).join(": ") ||
    `${eventName} = Failure (the record carries no error message)`;
  return { status: "failure", error };
}

/** What a subject starts with: a phone notification shows that first. */
export const SUBJECT_PREFIX: Readonly<Record<RootUseKind, string>> = {
  unexplained: "UNEXPLAINED ROOT",
  breakGlass: "BREAK-GLASS ROOT",
  assumeRootSession: "ASSUMEROOT SESSION",
};

function subjectOf(facts: AlertFacts): string {
  const failed = facts.outcome.status === "failure" ? " FAILED" : "";
  const head = `${SUBJECT_PREFIX[facts.use.kind]} ${ascii(facts.eventName)}${failed} in ${ascii(facts.accountId ?? "unknown account")}`;
  const from = facts.sourceIPAddress === undefined ? "" : ` from ${ascii(facts.sourceIPAddress)}`;
  const name = facts.accountName === undefined ? "" : ascii(facts.accountName);

  const full = name === "" ? `${head}${from}` : `${head} (${name})${from}`;
  if (full.length <= MAX_SUBJECT_LENGTH) {
    return full;
  }
  // Too long: the account name is the part a reader can do without (the body has it in full).
  const roomForName = MAX_SUBJECT_LENGTH - `${head} (...)${from}`.length;
  if (name !== "" && roomForName >= 4) {
    return `${head} (${name.slice(0, roomForName)}...)${from}`;
  }
  const bare = `${head}${from}`;
  return bare.length <= MAX_SUBJECT_LENGTH ? bare : `${bare.slice(0, MAX_SUBJECT_LENGTH - 3)}...`;
}

function bodyOf(facts: AlertFacts): string {
  const account =
    facts.accountId === undefined
      ? "unknown (the record names no account)"
      : facts.accountName === undefined
        ? facts.accountId
        : `${facts.accountId} (${facts.accountName})`;
  const outcome =
    facts.outcome.status === "success" ? "success" : `failure: ${facts.outcome.error}`;
  const mfa =
    facts.use.kind === "assumeRootSession"
      ? `${facts.mfaUsed} (as recorded for the session; the AssumeRoot caller's MFA is in its own event)`
      : facts.mfaUsed;
  const rows: Array<[string, string | undefined]> = [
    ["Root use", rootUseLine(facts.use)],
    ["Account", account],
    ["Action", `${facts.eventName} (${facts.eventSource})`],
    ["Outcome", outcome],
    ["Credential", facts.credential],
    ["MFA used", mfa],
    ["Identity", facts.identityArn],
    ["Access key", facts.accessKeyId],
    ["Time (UTC)", facts.eventTime],
    ["Region", facts.awsRegion],
    ["Source IP", facts.sourceIPAddress],
    ["User agent", facts.userAgent],
    ["Event ID", facts.eventId],
    ["Detections", facts.detections.length > 0 ? facts.detections.join(", ") : "(none)"],
    ...(facts.delivery === undefined
      ? []
      : [["Delivery", deliveryLine(facts.delivery, facts.eventTime)] as [string, string]]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length + 1)) + 2;
  const lines = rows.map(
    ([label, value]) => `${`${label}:`.padEnd(width)}${oneLine(value ?? "(not in the record)")}`,
  );
  const headline =
    facts.use.kind === "unexplained"
      ? `Unexplained root user activity in AWS account ${oneLine(account)}.`
      : `Root user activity in AWS account ${oneLine(account)}.`;
  return [headline, "", ...lines, "", `What to do: ${whatToDo(facts)}`, ""].join("\n");
}

/** The "Root use" line: which kind, and what proves or explains it. */
export function rootUseLine(use: RootUse): string {
  switch (use.kind) {
    case "assumeRootSession":
      return (
        `AssumeRoot session: called by ${use.call.callerArn} at ${use.call.eventTime} ` +
        `with task policy ${use.call.taskPolicyArn} for account ${use.call.targetAccountId}` +
        (use.call.eventId === undefined ? "" : ` (call ${use.call.eventId})`)
      );
    case "breakGlass":
      return `inside break-glass window: ${use.window.reason}, closes ${use.window.expiresAt}`;
    case "unexplained":
      return use.note === undefined ? "unexplained" : `unexplained (${use.note})`;
    default:
      return assertNever(use);
  }
}

function whatToDo(facts: AlertFacts): string {
  if (facts.use.kind === "assumeRootSession") {
    return (
      `approved work: a short-term root session the caller above started from centralized root ` +
      `access, limited to its task policy. Check that the actions fit the task.`
    );
  }
  if (facts.use.kind === "breakGlass") {
    return (
      `approved work inside an open break-glass window: confirm with whoever opened it (the ` +
      `reason above is in the stack file's history) that this is them.`
    );
  }
  const key = facts.accessKeyId === undefined ? "" : ` ${oneLine(facts.accessKeyId)}`;
  switch (facts.credentialKind) {
    case "temporaryCredentials":
      return (
        `no AssumeRoot call issued access key${key}, so this is not an AssumeRoot session: ` +
        `temporary root credentials usually come from a console sign-in with the root password. ` +
        `Treat as an incident unless whoever holds the root credentials confirms it.`
      );
    case "consoleSession":
      return (
        `look for a root ConsoleLogin in this account shortly before: someone holds the root ` +
        `password. Treat as an incident if this root use was not expected.`
      );
    case "longTermAccessKey":
      return (
        `root access keys should not exist. Treat as an incident if this was not expected: ` +
        `deactivate and delete access key${key} and review everything it did.`
      );
    case "consoleSignIn":
      return facts.outcome.status === "failure"
        ? `someone failed to sign in as root. Treat as an incident if not expected (repeated ` +
            `failures from an unknown address mean someone is trying the root password).`
        : `someone used the root password. Treat as an incident if not expected: confirm with ` +
            `whoever holds the root credentials, then review the root activity that follows.`;
    case "other":
      return `treat as an incident if this root use was not expected.`;
    default:
      return assertNever(facts.credentialKind);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected kind ${JSON.stringify(value)}`);
}

/** Printable ASCII on one line: what an SNS subject may hold (and what every mail client shows). */
function ascii(value: string): string {
  return value
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/\s+/g, " ")
    .replace(/[^\x20-\x7e]/g, "?")
    .trim();
}

/**
 * One line, bounded. Fields like userAgent and errorMessage come from the caller: a line break in
 * them must not be able to forge extra lines (a fake "What to do") in the alert.
 */
function oneLine(value: string): string {
  const flat = value
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
    .replace(/ {2,}/g, " ")
    .trim();
  return flat.length <= FIELD_MAX_LENGTH ? flat : `${flat.slice(0, FIELD_MAX_LENGTH - 3)}...`;
}

function malformed(reason: string): MalformedRecord {
  return { kind: "malformed", reason };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-empty string, trimmed; anything else is absent. */
function text(value: unknown): string | undefined {
  if (typeof value !== "string") {
    return undefined;
  }
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

function isTrue(value: unknown): boolean {
  return value === true || (typeof value === "string" && value.toLowerCase() === "true");
}
