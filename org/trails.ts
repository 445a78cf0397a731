import { discoveryClientSettings } from "./clientSettings";
import { CloudTrailClient, DescribeTrailsCommand } from "@aws-sdk/client-cloudtrail";
import { OrganizationSnapshot } from "./snapshot";

type SnapshotTrail = NonNullable<OrganizationSnapshot["trails"]>[number];

/**
 * A CloudTrail client as the AWS CLI would build it, with the SDK's adaptive retry; `overrides`
 * replace settings (tests pass a request handler and credentials).
 */
export function createCloudTrailClient(
  options: { region?: string; profile?: string },
  overrides: Partial<ConstructorParameters<typeof CloudTrailClient>[0]> = {},
): CloudTrailClient {
  return new CloudTrailClient({ ...discoveryClientSettings(options), ...overrides });
}

/**
 * The organization trails the management account sees, from any region: DescribeTrails with
 * shadow trails lists every multi-region trail in every region, whichever its home. One request,
 * not paginated. Recorded so that validation can tell a move of the central log group (the other
 * location's trail still exists) from a first deployment.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html
 */
export async function discoverTrails(client: CloudTrailClient): Promise<SnapshotTrail[]> {
  const { trailList } = await client.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
  const seen = new Map<string, SnapshotTrail>();
  for (const trail of trailList ?? []) {
    if (trail.Name === undefined || trail.TrailARN === undefined || !trail.IsOrganizationTrail) {
      continue;
    }
    seen.set(trail.TrailARN, {
      Name: trail.Name,
      TrailARN: trail.TrailARN,
      ...(trail.HomeRegion === undefined ? {} : { HomeRegion: trail.HomeRegion }),
      IsOrganizationTrail: true,
      ...(trail.CloudWatchLogsLogGroupArn === undefined
        ? {}
        : { CloudWatchLogsLogGroupArn: trail.CloudWatchLogsLogGroupArn }),
    });
  }
  return [...seen.values()].sort((a, b) => (a.TrailARN < b.TrailARN ? -1 : 1));
}
