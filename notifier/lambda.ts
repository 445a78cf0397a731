/**
 * The Lambda entry point: wires the notifier to SNS and AWS Organizations. Bundled by esbuild with
 * `@aws-sdk/*` left external (the Node.js runtime ships the SDK v3).
 */
import { DescribeAccountCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { MessageAttributeValue, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import {
  CloudWatchLogsEvent,
  createRootActivityHandler,
  RootActivityHandler,
  RootActivityMessage,
} from "./handler";

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
  /** Read on each invocation, so a missing TOPIC_ARN fails loudly instead of at import. */
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

export function createLambdaHandler(wiring: LambdaWiring): RootActivityHandler {
  const { sns, organizations, env, log } = wiring;
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
        TopicArn: topicArn(env),
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

  const notify = createRootActivityHandler({ publish, accountName, log });
  return async (event: CloudWatchLogsEvent) => {
    topicArn(env);
    return notify(event);
  };
}

function topicArn(env: NodeJS.ProcessEnv): string {
  const arn = env.TOPIC_ARN;
  if (arn === undefined || arn.trim() === "") {
    throw new Error("TOPIC_ARN is not set: the notifier does not know where to publish");
  }
  return arn.trim();
}

// Created once per container: warm invocations reuse the clients, their connections and the
// handler's caches.
export const handler: RootActivityHandler = createLambdaHandler({
  sns: new SNSClient({}),
  organizations: new OrganizationsClient({}),
  env: process.env,
  log: (line) => console.log(line),
});
