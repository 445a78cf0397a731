/**
 * The Lambda entry point: wires the notifier to SNS and AWS Organizations. Bundled by esbuild with
 * `@aws-sdk/*` left external (the Node.js runtime ships the SDK v3).
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeAccountCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { MessageAttributeValue, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { AssumeRootProver } from "./assumeRootProof";
import { decodeWindows } from "./breakGlass";
import { NOTIFIER_ENV } from "./env";
import {
  CloudWatchLogsEvent,
  createRootActivityHandler,
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
  /** Waits between look-ups of a call that has not arrived yet (tests pass none). */
  readonly retryDelaysMs?: readonly number[];
  /** Read on each invocation, so a missing TOPIC_ARN fails loudly instead of at import. */
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

export function createLambdaHandler(wiring: LambdaWiring): RootActivityHandler {
  const { sns, organizations, logs, env, log } = wiring;
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

  // Built on the first invocation, so a missing setting fails loudly there, not at import; kept
  // for the container's life so its caches (proved sessions, names) work across invocations.
  let notify: RootActivityHandler | undefined;
  return async (event: CloudWatchLogsEvent) => {
    required(env, NOTIFIER_ENV.informationalTopic);
    required(env, NOTIFIER_ENV.pagingTopic);
    if (notify === undefined) {
      const prover = new AssumeRootProver(
        new LogGroupCallSource(logs, {
          logGroupName: required(env, NOTIFIER_ENV.logGroup),
          streamPrefixes: jsonList(env, NOTIFIER_ENV.streamPrefixes),
        }),
        {
          allowedCallers: new Set(jsonList(env, NOTIFIER_ENV.callers)),
          ...(wiring.retryDelaysMs === undefined ? {} : { retryDelaysMs: wiring.retryDelaysMs }),
        },
      );
      notify = createRootActivityHandler({
        publish,
        accountName,
        prover,
        windows: decodeWindows(env[NOTIFIER_ENV.breakGlass]),
        log,
      });
    }
    return notify(event);
  };
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
// handler's caches.
export const handler: RootActivityHandler = createLambdaHandler({
  sns: new SNSClient({}),
  organizations: new OrganizationsClient({}),
  logs: new CloudWatchLogsClient({}),
  env: process.env,
  log: (line) => console.log(line),
});
