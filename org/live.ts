import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { InputError } from "../lib/errors";
import { discoverOrganization } from "./discover";
import { OrganizationModel } from "./model";
import { parseSnapshot } from "./snapshot";

/**
 * An Organizations client as the AWS CLI would build it (profile, region and credentials from the
 * usual environment and files), with the SDK's adaptive retry: client-side rate limiting that
 * backs off on TooManyRequestsException, which large organizations hit.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export function createOrganizationsClient(options: {
  region?: string;
  profile?: string;
}): OrganizationsClient {
  return new OrganizationsClient({
    region:
      options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    profile: options.profile,
    retryMode: "adaptive",
    maxAttempts: 10,
  });
}

/** Reads the live organization; errors are one line naming what to fix. */
export async function readLiveOrganization(options: {
  region?: string;
  profile?: string;
}): Promise<OrganizationModel> {
  const client = createOrganizationsClient(options);
  try {
    return parseSnapshot(await discoverOrganization(client), "live organization");
  } catch (error) {
    throw describeAwsError(error);
  } finally {
    client.destroy();
  }
}

/** Maps the SDK's errors to one-line messages naming what to fix. */
export function describeAwsError(error: unknown): Error {
  if (error instanceof InputError) {
    return error;
  }
  const name = (error as { name?: string }).name ?? "";
  const message = (error as Error).message ?? String(error);
  switch (name) {
    case "AccessDeniedException":
    case "AccessDenied":
      return new InputError(
        `Organizations denied access (${message}); use credentials of the management account with organizations:Describe*/List*`,
      );
    case "AWSOrganizationsNotInUseException":
      return new InputError(
        "These credentials' account is not in an organization; use the management account's credentials",
      );
    case "CredentialsProviderError":
      return new InputError(
        `No AWS credentials found (${message}); set AWS_PROFILE or run aws sso login`,
      );
    default:
      return new InputError(
        `Reading the organization failed: ${name ? `${name}: ` : ""}${message}`,
      );
  }
}
