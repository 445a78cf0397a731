import * as aws from "@pulumi/aws";
import { evaluateProgram, Evaluation } from "../../offline/engine";

/**
 * Evaluates a few resources (usually one component with its provider) under Pulumi mocks and
 * returns what was registered: for testing a component without the whole program.
 */
export function evaluateComponent(
  build: (provider: aws.Provider) => Record<string, unknown> | void,
  options: { preview?: boolean; accountId?: string } = {},
): Promise<Evaluation> {
  return evaluateProgram({
    project: "aws-org-guardrails",
    stack: "test",
    config: {},
    preview: options.preview ?? false,
    program: async () => {
      const provider = new aws.Provider("test-provider", {
        region: "eu-west-1",
        allowedAccountIds: [options.accountId ?? "314159265358"],
      });
      return build(provider) ?? {};
    },
  });
}
