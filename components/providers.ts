import * as aws from "@pulumi/aws";

export interface AccountProvidersArgs {
  readonly partition: string;
  readonly region: string;
  readonly managementAccountId: string;
  readonly logArchiveAccountId: string;
  /** The role assumed in the log-archive account, by name. */
  readonly logArchiveRoleName: string;
  readonly stack: string;
}

export interface AccountProviders {
  readonly management: aws.Provider;
  readonly logArchive: aws.Provider;
  /** The provider pinned to `accountId` (the management or the log-archive account). */
  forAccount(accountId: string): aws.Provider;
}

/** The session name the log-archive role sees; it appears in that account's CloudTrail. */
export const DEPLOYMENT_SESSION_NAME = "aws-org-guardrails";

/**
 * One explicit provider per account, never the ambient default. `allowedAccountIds` makes the
 * AWS provider refuse to act when its credentials belong to any other account, so a wrong
 * profile fails at `pulumi preview` instead of changing the wrong account.
 * https://www.pulumi.com/registry/packages/aws/api-docs/provider/#allowedaccountids_nodejs
 */
export function createAccountProviders(args: AccountProvidersArgs): AccountProviders {
  const defaultTags = {
    tags: { "managed-by": "aws-org-guardrails", "guardrails-stack": args.stack },
  };
  const management = new aws.Provider("management", {
    region: args.region as aws.Region,
    allowedAccountIds: [args.managementAccountId],
    defaultTags,
  });
  const logArchive = new aws.Provider("log-archive", {
    region: args.region as aws.Region,
    allowedAccountIds: [args.logArchiveAccountId],
    assumeRoles: [
      {
        roleArn: `arn:${args.partition}:iam::${args.logArchiveAccountId}:role/${args.logArchiveRoleName}`,
        sessionName: DEPLOYMENT_SESSION_NAME,
      },
    ],
    defaultTags,
  });
  return {
    management,
    logArchive,
    forAccount(accountId: string): aws.Provider {
      if (accountId === args.managementAccountId) {
        return management;
      }
      if (accountId === args.logArchiveAccountId) {
        return logArchive;
      }
      throw new Error(`no provider for account ${accountId}`);
    },
  };
}
