import { discoveryClientSettings } from "./clientSettings";
import {
  CloudFormationClient,
  paginateListStackInstances,
  StackSetNotFoundException,
} from "@aws-sdk/client-cloudformation";
import { FAST_PATH_STACK_SET_NAME } from "../config/names";
import { OrganizationSnapshot } from "./snapshot";

export type SnapshotStackSet = NonNullable<OrganizationSnapshot["stackSet"]>;

/**
 * A CloudFormation client as the AWS CLI would build it, with the SDK's adaptive retry; in the
 * stack set's region (the stack's homeRegion: a stack set lives in the region it was created in).
 * `overrides` replace settings (tests pass a request handler and credentials).
 */
export function createCloudFormationClient(
  options: { region?: string; profile?: string },
  overrides: Partial<ConstructorParameters<typeof CloudFormationClient>[0]> = {},
): CloudFormationClient {
  return new CloudFormationClient({ ...discoveryClientSettings(options), ...overrides });
}

/**
 * The fast path's stack instances, one per member account and region, as ListStackInstances
 * gives them (paginated by the SDK's paginator, 100 a page), or `Exists: false` when the stack
 * set is not there (never deployed, or in another region than the client's).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackInstances.html
 */
export async function discoverStackSet(
  client: CloudFormationClient,
  stackSetName: string = FAST_PATH_STACK_SET_NAME,
): Promise<SnapshotStackSet> {
  // A stack set lives in the region it was created in: recorded, so coverage can tell a read in
  // the wrong region ("not found") from a stack set that is not there.
  const region = await client.config.region();
  const instances: SnapshotStackSet["Instances"] = [];
  try {
    for await (const page of paginateListStackInstances(
      { client, pageSize: 100 },
      { StackSetName: stackSetName, CallAs: "SELF" },
    )) {
      for (const summary of page.Summaries ?? []) {
        if (summary.Account === undefined || summary.Region === undefined) {
          continue;
        }
        instances.push({
          Account: summary.Account,
          Region: summary.Region,
          Status: summary.Status ?? "UNKNOWN",
          ...(summary.StackInstanceStatus?.DetailedStatus === undefined
            ? {}
            : { DetailedStatus: summary.StackInstanceStatus.DetailedStatus }),
          ...(summary.StatusReason === undefined ? {} : { StatusReason: summary.StatusReason }),
        });
      }
    }
  } catch (error) {
    if (error instanceof StackSetNotFoundException) {
      return { StackSetName: stackSetName, Region: region, Exists: false, Instances: [] };
    }
    throw error;
  }
  instances.sort((a, b) =>
    a.Account === b.Account ? a.Region.localeCompare(b.Region) : a.Account.localeCompare(b.Account),
  );
  return { StackSetName: stackSetName, Region: region, Exists: true, Instances: instances };
}
