import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { SNSClient } from "@aws-sdk/client-sns";
import { afterEach, beforeEach } from "vitest";
import { createLambdaHandler } from "../../notifier/lambda";

/** Sets these variables before each test of the suite and puts the old values back after it. */
export function useEnvironment(env: Readonly<Record<string, string>>): void {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  beforeEach(() => {
    Object.assign(process.env, env);
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  });
}

/** One container of the real Lambda wiring, its clients the ones aws-sdk-client-mock stubs. */
export function lambdaContainer(lines: string[] = []) {
  return createLambdaHandler({
    sns: new SNSClient({ region: "us-east-1" }),
    organizations: new OrganizationsClient({ region: "us-east-1" }),
    logs: new CloudWatchLogsClient({ region: "us-east-1" }),
    dynamodb: new DynamoDBClient({ region: "us-east-1" }),
    retryDelaysMs: [],
    env: process.env,
    log: (line) => lines.push(line),
  });
}
