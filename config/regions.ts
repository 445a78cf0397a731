import { partition } from "@aws-sdk/util-endpoints";
import { editDistance } from "../lib/editDistance";

/**
 * AWS regions as the AWS SDK knows them: its partition data (the same data the SDK resolves
 * endpoints with, updated with every SDK release) is the maintained list. `partition(region)`
 * answers for one name: a region the data lists comes back with its `description`; a name that
 * only matches a partition's pattern (`eu-west-9`) comes back without one.
 * https://github.com/aws/aws-sdk-js-v3/tree/main/packages/util-endpoints
 */

export interface RegionInfo {
  readonly region: string;
  /** `aws`, `aws-cn`, `aws-us-gov`, ... */
  readonly partition: string;
  readonly description: string;
}

/** The region as the SDK's partition data lists it, or undefined for a name it does not list. */
export function knownRegion(region: string): RegionInfo | undefined {
  // The data also lists per-partition pseudo-regions for global endpoints (`aws-global`).
  if (/-global$/.test(region) || !/^[a-z]+(-[a-z]+)*-\d+$/.test(region)) {
    return undefined;
  }
  // The returned object carries the region's entry of the data (`description`) merged into the
  // partition's outputs; the SDK's type declares only the outputs.
  const info: { name: string; description?: string } = partition(region);
  return info.description === undefined
    ? undefined
    : { region, partition: info.name, description: info.description };
}

// The SDK exports no list, only the look-up; the list is found by asking it about every name of
// the shape regions have: <area>-<direction>-<n>. The areas are the prefixes of the partitions'
// region patterns; a test checks that this finds every region the AWS provider lists as well.
const AREAS = [
  "af",
  "ap",
  "ca",
  "eu",
  "il",
  "me",
  "mx",
  "sa",
  "us",
  "cn",
  "eusc-de",
  "us-gov",
  "us-iso",
  "us-isob",
  "us-isof",
  "eu-isoe",
];
const DIRECTIONS = [
  "central",
  "east",
  "west",
  "north",
  "south",
  "northeast",
  "northwest",
  "southeast",
  "southwest",
];
const MAX_NUMBER = 15;

let cached: readonly RegionInfo[] | undefined;

/** Every region the SDK's partition data lists (of the shape above), sorted by name. */
export function allKnownRegions(): readonly RegionInfo[] {
  if (cached === undefined) {
    const found: RegionInfo[] = [];
    for (const area of AREAS) {
      for (const direction of DIRECTIONS) {
        for (let n = 1; n <= MAX_NUMBER; n++) {
          const info = knownRegion(`${area}-${direction}-${n}`);
          if (info !== undefined) {
            found.push(info);
          }
        }
      }
    }
    cached = found.sort((a, b) => a.region.localeCompare(b.region));
  }
  return cached;
}

/**
 * The known region nearest to a mistyped name (edit distance), preferring `inPartition`; none when
 * even the nearest is more than 3 edits away (a guess that far off misleads more than it helps).
 */
export function nearestRegion(name: string, inPartition?: string): string | undefined {
  let best: { region: string; score: number } | undefined;
  for (const info of allKnownRegions()) {
    // A region of another partition is a worse suggestion than any of the right one.
    const score =
      editDistance(name, info.region) +
      (inPartition !== undefined && info.partition !== inPartition ? 100 : 0);
    if (best === undefined || score < best.score) {
      best = { region: info.region, score };
    }
  }
  return best !== undefined && best.score <= MAX_SUGGESTION_DISTANCE ? best.region : undefined;
}

const MAX_SUGGESTION_DISTANCE = 3;

/**
 * Where IAM, sign-in and global STS events of each partition are recorded (CloudTrail's global
 * service events: "recorded in US East (N. Virginia)" in aws, the partition's first region in the
 * others).
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-concepts.html#cloudtrail-concepts-global-service-events
 */
export const GLOBAL_EVENTS_REGION: Readonly<Record<string, string>> = {
  aws: "us-east-1",
  "aws-us-gov": "us-gov-west-1",
  "aws-cn": "cn-north-1",
};
