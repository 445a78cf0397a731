/**
 * The Lambda entry point: wires the notifier to SNS and AWS Organizations. Bundled by esbuild with
 * `@aws-sdk/*` left external (the Node.js runtime ships the SDK v3).
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeAccountCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { MessageAttributeValue, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { AlertStore, DynamoAlertStore, StoreFirstCallSource } from "./alertStore";
import { AssumeRootProver } from "./assumeRootProof";
import { decodeWindows } from "./breakGlass";
import { NOTIFIER_ENV } from "./env";
import {
  createRootActivityHandler,
  InvocationContext,
  NotifierEvent,
  RootActivityHandler,
  RootActivityMessage,
} from "./handler";
import { LogGroupCallSource } from "./logGroupCallSource";

/** DescribeAccount errors that mean "no name for this account", not "try again later". */
const NO_NAME_FOR_ACCOUNT = new Set(["AccountNotFoundException"]);
/** DescribeAccount errors that mean this function will never get names: stop asking. */
const NAMES_UNAVAILABLE = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "AWSOrganizationsNotInUseException",
]);

export interface LambdaWiring {
  readonly sns: SNSClient;
  readonly organizations: OrganizationsClient;
  readonly logs: CloudWatchLogsClient;
  readonly dynamodb: DynamoDBClient;
  /** Waits between look-ups of a call that has not arrived yet (tests pass none). */
  readonly retryDelaysMs?: readonly number[];
  /** Read on each invocation, so a missing TOPIC_ARN fails loudly instead of at import. */
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

export function createLambdaHandler(wiring: LambdaWiring): RootActivityHandler {
  const { sns, organizations, logs, dynamodb, env, log } = wiring;
  // Sticky for the container: when Organizations denies one lookup it denies them all, and each
  // denied call would be one more AccessDenied record in the trail this function watches.
  let namesUnavailable = false;

  async function publish(message: RootActivityMessage): Promise<void> {
    const attributes: Record<string, MessageAttributeValue> = {};
    for (const [name, value] of Object.entries(message.attributes)) {
      if (value !== "") {
        attributes[name] = { DataType: "String", StringValue: value };
      }
    }
    await sns.send(
      new PublishCommand({
        TopicArn: required(
          env,
          message.topic === "paging" ? NOTIFIER_ENV.pagingTopic : NOTIFIER_ENV.informationalTopic,
        ),
        Subject: message.subject,
        Message: message.body,
        MessageAttributes: attributes,
      }),
    );
  }

  async function accountName(accountId: string): Promise<string | undefined> {
    if (namesUnavailable) {
      return undefined;
    }
    try {
      const { Account } = await organizations.send(
        new DescribeAccountCommand({ AccountId: accountId }),
      );
      return Account?.Name || undefined;
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      if (NAMES_UNAVAILABLE.has(name)) {
        namesUnavailable = true;
        log(
          `organizations:DescribeAccount is not available (${name}): alerts carry account ids only`,
        );
        return undefined;
      }
      if (NO_NAME_FOR_ACCOUNT.has(name)) {
        return undefined;
      }
      throw error;
    }
  }

  /**
   * A setting that cannot be read must not lose alerts: without it the notifier knows less (no
   * windows, no callers), so more is unexplained and pages, which is the safe direction. Only the
   * topics are indispensable.
   */
  function orElse<T>(name: string, read: () => T, fallback: T, effect: string): T {
    try {
      return read();
    } catch (error) {
      log(
        `CONFIGURATION ERROR: ${name} cannot be read (${error instanceof Error ? error.message : String(error)}): ${effect}`,
      );
      return fallback;
    }
  }

  // Built on the first invocation, so a missing setting fails loudly there, not at import; kept
  // for the container's life so its caches (proved sessions, names) work across invocations.
  let notify: RootActivityHandler | undefined;
  return async (event: NotifierEvent, context?: InvocationContext) => {
    required(env, NOTIFIER_ENV.informationalTopic);
    required(env, NOTIFIER_ENV.pagingTopic);
    if (notify === undefined) {
      const noProof = "no AssumeRoot session can be proved, every root event is unexplained";
      const callers = orElse(
        NOTIFIER_ENV.callers,
        () => jsonList(env, NOTIFIER_ENV.callers),
        [],
        noProof,
      );
      const prefixes = orElse(
        NOTIFIER_ENV.streamPrefixes,
        () => jsonList(env, NOTIFIER_ENV.streamPrefixes),
        [],
        noProof,
      );
      const logGroupName = orElse(
        NOTIFIER_ENV.logGroup,
        () => required(env, NOTIFIER_ENV.logGroup),
        "",
        noProof,
      );
      const perSecond = orElse(
        NOTIFIER_ENV.lookupsPerSecond,
        () => positiveNumber(env, NOTIFIER_ENV.lookupsPerSecond),
        1,
        "look-ups are paced at 1 per second",
      );
      const tableName = orElse(
        NOTIFIER_ENV.alertStore,
        () => required(env, NOTIFIER_ENV.alertStore),
        "",
        "each container remembers only its own alerts (an event that arrives by both paths may be sent twice), and AssumeRoot calls are looked up in the log group only",
      );
      const store: AlertStore | undefined =
        tableName === "" ? undefined : new DynamoAlertStore(dynamodb, tableName);
      const logGroupSource = new LogGroupCallSource(logs, {
        logGroupName,
        streamPrefixes: logGroupName === "" ? [] : prefixes,
        requestsPerSecond: perSecond,
      });
      const prover = new AssumeRootProver(
        store === undefined ? logGroupSource : new StoreFirstCallSource(store, logGroupSource, log),
        {
          allowedCallers: new Set(callers),
          ...(wiring.retryDelaysMs === undefined ? {} : { retryDelaysMs: wiring.retryDelaysMs }),
        },
      );
      notify = createRootActivityHandler({
        publish,
        accountName,
        prover,
        ...(store === undefined ? {} : { store }),
        windows: orElse(
          NOTIFIER_ENV.breakGlass,
          () => decodeWindows(env[NOTIFIER_ENV.breakGlass]),
          [],
          "no break-glass window is known, root events inside one are unexplained",
        ),
        log,
      });
    }
    return notify(event, context);
  };
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string): number {
  const value = Number(required(env, name));
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new Error(`${name} is not a positive number`);
  }
  return value;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === "") {
    throw new Error(`${name} is not set: the notifier's configuration is incomplete`);
  }
  return value.trim();
}

function jsonList(env: NodeJS.ProcessEnv, name: string): string[] {
  const parsed: unknown = JSON.parse(required(env, name));
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
    throw new Error(`${name} is not a JSON list of strings`);
  }
  return parsed;
}

// Created once per container: warm invocations reuse the clients, their connections and the
// handler's caches. The look-up client gives up early (3 s a request, one retry): the handler's
// deadline decides, and a throttled look-up is better reported than retried for long.
export const handler: RootActivityHandler = createLambdaHandler({
  sns: new SNSClient({}),
  organizations: new OrganizationsClient({}),
  logs: new CloudWatchLogsClient({
    maxAttempts: 2,
    requestHandler: { requestTimeout: 3_000, connectionTimeout: 1_000 },
  }),
  // The store answers in milliseconds; a slow one is passed over rather than waited for.
  dynamodb: new DynamoDBClient({
    maxAttempts: 2,
    requestHandler: { requestTimeout: 2_000, connectionTimeout: 1_000 },
  }),
  env: process.env,
  log: (line) => console.log(line),
});
