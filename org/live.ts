import { discoveryClientSettings } from "./clientSettings";
import { OrganizationsClient, OrganizationsClientConfig } from "@aws-sdk/client-organizations";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { InputError } from "../lib/errors";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { createCloudTrailClient, discoverTrails } from "./trails";
import { discoverStackSet } from "./stackSets";
import { writeFileAtomic } from "../lib/files";
import { DiscoverOptions, DiscoveryCallError, discoverOrganization } from "./discover";
import { OrganizationModel } from "./model";
import { OrganizationSnapshot, parseSnapshot } from "./snapshot";

/**
 * An Organizations client as the AWS CLI would build it (profile, region and credentials from the
 * usual environment and files), with the SDK's adaptive retry: client-side rate limiting that
 * backs off on TooManyRequestsException, which large organizations hit.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 * `overrides` replace individual settings (tests and benchmarks pass a request handler and
 * credentials); everything else stays as in production.
 */
export function createOrganizationsClient(
  options: { region?: string; profile?: string },
  overrides: Partial<OrganizationsClientConfig> = {},
): OrganizationsClient {
  return new OrganizationsClient({ ...discoveryClientSettings(options), ...overrides });
}

/**
 * The account the client's credentials belong to, when the credential provider reports it (SSO,
 * `aws_account_id` in the profile, `AWS_ACCOUNT_ID`); undefined otherwise. Errors are one line.
 */
export async function callerAccountId(client: OrganizationsClient): Promise<string | undefined> {
  try {
    const identity = await client.config.credentials();
    return identity.accountId;
  } catch (error) {
    throw describeAwsError(error);
  }
}

export interface Discovery {
  readonly snapshot: OrganizationSnapshot;
  readonly model: OrganizationModel;
  /** Requests sent, retries included. */
  readonly calls: number;
  readonly seconds: number;
}

/**
 * Discovers the organization and validates the result with `parseSnapshot`; errors are one-line
 * `InputError`s naming what to fix. Nothing is returned unless the whole organization was read.
 */
export async function discoverSnapshot(
  client: OrganizationsClient,
  options: DiscoverOptions & {
    /** Also records the organization trails through this client (one DescribeTrails). */
    readonly cloudTrail?: CloudTrailClient;
    /** Also records the fast path's stack instances through this client (ListStackInstances). */
    readonly cloudFormation?: CloudFormationClient;
  } = {},
): Promise<Discovery> {
  const started = performance.now();
  let calls = 0;
  try {
    const organization = await discoverOrganization(client, {
      ...options,
      onCall: (operation) => {
        calls += 1;
        options.onCall?.(operation);
      },
    });
    let snapshot = organization;
    if (options.cloudTrail !== undefined) {
      calls += 1;
      try {
        snapshot = { ...organization, trails: await discoverTrails(options.cloudTrail) };
      } catch (error) {
        throw describeTrailError(error);
      }
    }
    if (options.cloudFormation !== undefined) {
      try {
        const stackSet = await discoverStackSet(options.cloudFormation);
        calls += Math.max(1, Math.ceil(stackSet.Instances.length / 100));
        snapshot = { ...snapshot, stackSet };
      } catch (error) {
        throw describeStackSetError(error);
      }
    }
    const model = parseSnapshot(snapshot, "discovered organization");
    return { snapshot, model, calls, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    throw describeAwsError(error);
  }
}

/**
 * `npm run discover`: discovers, validates, and only then writes the snapshot to `out` (atomically,
 * so a reader sees the old file or the new one). On any failure `out` is left as it was.
 */
export async function discoverToFile(
  client: OrganizationsClient,
  out: string,
  options: Parameters<typeof discoverSnapshot>[1] = {},
): Promise<Discovery> {
  const discovery = await discoverSnapshot(client, options);
  writeFileAtomic(out, `${JSON.stringify(discovery.snapshot, null, 2)}\n`);
  return discovery;
}

/**
 * Reads the live organization for the program (`pulumi preview`/`up`); errors are one line naming
 * what to fix. The fast path's stack instances are left out: the program does not use them, and at
 * 5,000 accounts in 17 regions they are 850 pages of ListStackInstances (`npm run discover` and
 * coverage read them).
 */
export async function readLiveOrganization(options: {
  region?: string;
  profile?: string;
}): Promise<OrganizationModel> {
  const client = createOrganizationsClient(options);
  const cloudTrail = createCloudTrailClient(options);
  try {
    const caller = await callerAccountId(client);
    return (await discoverSnapshot(client, { callerAccountId: caller, cloudTrail })).model;
  } finally {
    client.destroy();
    cloudTrail.destroy();
  }
}

/**
 * A failed call of a discovery step beyond Organizations, in one line naming what to fix: the
 * permission to grant when it was denied, else what failed and AWS's reason.
 */
function describeStepError(
  error: unknown,
  step: { operation: string; service: string; allow: string; reading: string },
): Error {
  const cause = error as { name?: string; message?: string } | null;
  const name = cause?.name ?? "";
  const message = (cause?.message ?? String(error)).replace(/\s+/g, " ").trim();
  if (name === "AccessDeniedException" || name === "AccessDenied") {
    return new InputError(
      `${step.operation}: ${step.service} denied access (${message}); allow ${step.allow} to the management account's credentials`,
    );
  }
  return new InputError(
    `${step.operation}: reading ${step.reading} failed: ${name ? `${name}: ` : ""}${message}`,
  );
}

const describeStackSetError = (error: unknown) =>
  describeStepError(error, {
    operation: "ListStackInstances",
    service: "CloudFormation",
    allow: "cloudformation:ListStackInstances on the aws-org-guardrails stack set",
    reading: "the fast path's stack instances",
  });

const describeTrailError = (error: unknown) =>
  describeStepError(error, {
    operation: "DescribeTrails",
    service: "CloudTrail",
    allow: "cloudtrail:DescribeTrails",
    reading: "the organization trails",
  });

const CREDENTIALS_REJECTED = new Set([
  "ExpiredTokenException",
  "ExpiredToken",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "InvalidSignatureException",
  "IncompleteSignature",
]);

const NETWORK_FAILURES = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "TimeoutError",
]);

/**
 * Maps the SDK's errors (bare, or wrapped by discovery in a `DiscoveryCallError` that names the
 * request) to one-line `InputError`s naming what to fix.
 */
export function describeAwsError(error: unknown): Error {
  if (error instanceof InputError) {
    return error;
  }
  const call = error instanceof DiscoveryCallError ? error : undefined;
  const cause = (call === undefined ? error : call.cause) as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { attempts?: number };
  } | null;
  const name = cause?.name ?? "";
  const message = (cause?.message ?? String(cause)).replace(/\s+/g, " ").trim();
  const where = call === undefined ? "" : `${call.call}: `;
  if (name === "AccessDeniedException" || name === "AccessDenied") {
    return new InputError(
      `${where}Organizations denied access (${message}); use the management account's credentials, allowed organizations:Describe* and organizations:List*`,
    );
  }
  if (name === "AWSOrganizationsNotInUseException") {
    return new InputError(
      "These credentials' account is not in an organization; use the management account's credentials",
    );
  }
  if (name === "CredentialsProviderError") {
    return new InputError(
      `No AWS credentials found (${message}); set AWS_PROFILE or --profile, or run aws sso login`,
    );
  }
  if (CREDENTIALS_REJECTED.has(name)) {
    return new InputError(
      `${where}AWS rejected the credentials (${name}: ${message}); refresh them (aws sso login) or choose another --profile`,
    );
  }
  if (name === "TooManyRequestsException" || name === "ThrottlingException") {
    const attempts = cause?.$metadata?.attempts;
    return new InputError(
      `${where}Organizations kept throttling the request${attempts === undefined ? "" : ` after ${attempts} attempts`} (other tools may be using the account's quota); wait a minute and run again`,
    );
  }
  if (NETWORK_FAILURES.has(cause?.code ?? name)) {
    return new InputError(
      `${where}cannot reach the Organizations endpoint (${cause?.code ?? name}: ${message}); check the network, proxy and --region`,
    );
  }
  return new InputError(
    `${where}reading the organization failed: ${name ? `${name}: ` : ""}${message}`,
  );
}
