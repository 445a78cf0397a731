import { DEFAULT_CONCURRENCY, discoverOrganization } from "../org/discover";
import { ORGANIZATIONS_RATE_LIMITS, RateLimit, UNPUBLISHED_RATE_LIMIT } from "../org/rateLimiter";
import { OrganizationSnapshot, parseSnapshot } from "../org/snapshot";
import {
  ACCOUNTS,
  fewestCalls,
  generateOrganization,
  mockOrganizationsService,
  pages,
  UNITS,
} from "../test/support/organizationsService";
import { BenchOptions, machineLine, sized } from "./harness";

/**
 * Discovery benchmark: a generated organization of 5,000 accounts in 200 OUs served by a mocked
 * Organizations (aws-sdk-client-mock) that enforces the published rates with its own token
 * buckets, reached through a real OrganizationsClient (createOrganizationsClient's settings:
 * adaptive retry, 10 attempts) whose HTTP handler hands each request to the mock. So
 * serialization, the SDK's retry of throttled requests and discovery's own rate limiter all run
 * as they would against AWS; only the network is simulated (a random one-way delay per request).
 */

/** What the benchmark runs: full scale, or a small organization for `--quick` (CI's smoke test). */
/** generateOrganization's default seed, named in the report. */
const SEED = 20261201;
/** One-way network delay range in milliseconds: a round trip takes twice that. */
const LATENCY_MS: readonly [number, number] = [10, 40];

function limitOf(operation: string): RateLimit {
  return ORGANIZATIONS_RATE_LIMITS[operation] ?? UNPUBLISHED_RATE_LIMIT;
}

/** Seconds a bucket of `limit`, full at the start, needs to admit `calls` requests. */
function bucketSeconds(calls: number, limit: RateLimit): number {
  return Math.max(0, (calls - limit.burst) / limit.perSecond);
}

const number = (n: number): string => n.toLocaleString("en-US");

export async function runDiscoverBenchmark(options: BenchOptions): Promise<string> {
  const QUICK = options.quick;
  const BENCH_ACCOUNTS = sized(options, ACCOUNTS, 300);
  const BENCH_UNITS = sized(options, UNITS, 20);
  const org = generateOrganization({ accounts: BENCH_ACCOUNTS, units: BENCH_UNITS });
  const fewest = fewestCalls(org);
  const operations = Object.keys(fewest);
  const service = mockOrganizationsService(org, {
    limits: ORGANIZATIONS_RATE_LIMITS,
    fallback: UNPUBLISHED_RATE_LIMIT,
    latencyMs: LATENCY_MS,
  });
  const sent = new Map<string, number>();
  const started = performance.now();
  let snapshot: OrganizationSnapshot | undefined;
  let failure: string | undefined;
  try {
    snapshot = await discoverOrganization(service.client, {
      onCall: (operation) => sent.set(operation, (sent.get(operation) ?? 0) + 1),
    });
    parseSnapshot(snapshot, "discovered organization");
  } catch (error) {
    failure = error instanceof Error ? error.message.split("\n")[0] : String(error);
  } finally {
    service.client.destroy();
    service.restore();
  }
  const seconds = (performance.now() - started) / 1000;

  if (snapshot !== undefined && failure === undefined) {
    const same =
      snapshot.accounts.length === org.accounts.length &&
      snapshot.organizationalUnits.length === org.units.length &&
      snapshot.accounts.every((a) =>
        org.accounts.some((b) => b.Id === a.Id && b.ParentId === a.ParentId),
      ) &&
      (snapshot.policies ?? []).every(
        (p) =>
          JSON.stringify(p.Targets) ===
          JSON.stringify([...(org.policies.find((q) => q.Id === p.Id)?.Targets ?? [])].sort()),
      );
    if (!same) {
      failure = "the snapshot differs from the organization the mock served";
    }
  }

  const total = (values: Iterable<number>) => [...values].reduce((sum, n) => sum + n, 0);
  const fewestTotal = total(Object.values(fewest));
  const sentTotal = total(sent.values());
  const throttledTotal = total(service.throttled.values());
  const servedTotal = total(service.served.values());
  const floors = Object.fromEntries(
    operations.map((operation) => [
      operation,
      bucketSeconds(fewest[operation], limitOf(operation)),
    ]),
  );
  const floor = Math.max(...Object.values(floors));
  const bottleneck = operations.find((operation) => floors[operation] === floor) ?? "";
  const callsRatio = sentTotal / fewestTotal;
  const timeRatio = seconds / floor;
  const callsMet = failure === undefined && callsRatio <= 1.1;
  const timeMet = failure === undefined && timeRatio <= 1.25;

  const unitsPerDepth = new Map<number, number>();
  const depthOf = (id: string): number => {
    const unit = org.units.find((candidate) => candidate.Id === id);
    return unit === undefined ? 0 : 1 + depthOf(unit.ParentId);
  };
  for (const unit of org.units) {
    const depth = depthOf(unit.Id);
    unitsPerDepth.set(depth, (unitsPerDepth.get(depth) ?? 0) + 1);
  }
  const perParent = new Map<string, number>();
  for (const account of org.accounts) {
    perParent.set(account.ParentId, (perParent.get(account.ParentId) ?? 0) + 1);
  }
  const emptyParents = 1 + org.units.length - perParent.size;
  const largest = Math.max(...perParent.values());
  const fullAccess =
    org.policies.find((policy) => policy.Name === "FullAWSAccess")?.Targets.length ?? 0;

  // The other way to read the tree: ListAccounts (8/s) for every account's details plus each
  // parent's account ids split between ListChildren (6/s) and ListAccountsForParent (5/s).
  const listAccountsPages = pages(org.accounts.length);
  const membershipPages = fewest.ListAccountsForParent;
  const children = limitOf("ListChildren");
  const forParent = limitOf("ListAccountsForParent");
  const alternativeParts: [string, number][] = [
    ["ListAccounts", bucketSeconds(listAccountsPages, limitOf("ListAccounts"))],
    [
      "the per-parent listings",
      Math.max(
        0,
        (membershipPages - children.burst - forParent.burst) /
          (children.perSecond + forParent.perSecond),
      ),
    ],
    ["ListOrganizationalUnitsForParent", floors.ListOrganizationalUnitsForParent],
    ["ListTargetsForPolicy", floors.ListTargetsForPolicy],
  ];
  const alternativeFloor = Math.max(...alternativeParts.map(([, seconds]) => seconds));
  const alternativeBottleneck =
    alternativeParts.find(([, seconds]) => seconds === alternativeFloor)?.[0] ?? "";

  const rows = operations.map((operation) => {
    const limit = limitOf(operation);
    const published = Object.hasOwn(ORGANIZATIONS_RATE_LIMITS, operation) ? "" : " (assumed)";
    return `| ${operation} | ${limit.perSecond}/s, burst ${limit.burst}${published} | ${number(fewest[operation])} | ${number(sent.get(operation) ?? 0)} | ${number(service.throttled.get(operation) ?? 0)} | ${floors[operation].toFixed(1)} |`;
  });

  return [
    "## Discovery against a throttling mock",
    "",
    `Command: \`npm run bench -- ${QUICK ? "--quick " : ""}discover\`${QUICK ? " (quick: a small organization, a smoke test, not the benchmark's figures)" : ""}. Machine: ${machineLine()}.`,
    `Organization (generated, seed ${SEED}): ${number(org.accounts.length)} accounts in ${org.units.length} OUs ` +
      `(per level 1-5: ${[1, 2, 3, 4, 5].map((d) => unitsPerDepth.get(d) ?? 0).join(", ")}); ` +
      `largest OU ${largest} accounts, ${emptyParents} of ${org.units.length + 1} containers hold none; ` +
      `${org.policies.length} SCPs, FullAWSAccess attached to all ${number(fullAccess)} targets as Organizations does by default.`,
    `Service: aws-sdk-client-mock behind a real OrganizationsClient (createOrganizationsClient's adaptive retry, 10 attempts); ` +
      `a token bucket per operation at the rates below, full at the start, answers TooManyRequestsException when empty; ` +
      `${LATENCY_MS[0]}-${LATENCY_MS[1]} ms random one-way delay each way.`,
    `Discovery: \`discoverOrganization\` with its defaults (${DEFAULT_CONCURRENCY} walks in flight per operation, the same rates in its own buckets, one token of each burst held back).`,
    "",
    "| operation | rate | fewest calls | sent (incl. retries) | throttled | floor (s) |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
    ...rows,
    `| **total** | | **${number(fewestTotal)}** | **${number(sentTotal)}** | **${number(throttledTotal)}** | **${floor.toFixed(1)}** |`,
    "",
    "Fewest calls: one DescribeOrganization, one ListRoots, and for every root or OU one ListOrganizationalUnitsForParent and one " +
      "ListAccountsForParent page per started 20 children (an empty parent still costs one), one ListPolicies page per 20 SCPs and " +
      "one ListTargetsForPolicy page per started 20 targets of each SCP: `max(1, ceil(n / 20))` summed.",
    "Floor: each operation has its own bucket and the walks of different operations run in parallel, so the time is set by the " +
      "slowest operation: `max over operations of max(0, (calls - burst) / rate)` (the burst goes at once, the rest at the rate). " +
      `Here ${bottleneck}: (${fewest[bottleneck]} - ${limitOf(bottleneck).burst}) / ${limitOf(bottleneck).perSecond} = ${floor.toFixed(1)} s; ` +
      "network delay adds one round trip at the end, not counted.",
    "",
    `Measured: ${number(sentTotal)} calls (${number(servedTotal)} answered, ${number(throttledTotal)} throttled and retried by the SDK) ` +
      `in ${seconds.toFixed(1)} s${failure === undefined ? "; the snapshot matches the organization and passes parseSnapshot" : `; FAILED: ${failure}`}.`,
    `Goals: calls within 10% of the fewest: ${(100 * (callsRatio - 1)).toFixed(1)}% over, **${callsMet ? "MET" : "NOT MET"}**; ` +
      `wall time within 25% of the floor: ${(100 * (timeRatio - 1)).toFixed(1)}% over, **${timeMet ? "MET" : "NOT MET"}**; ` +
      `no failure: **${failure === undefined ? "MET" : "NOT MET"}**.`,
    "",
    `Not pursued: ListAccounts (8/s) gives every account's details in ${listAccountsPages} pages but not its parent, so each parent's ` +
      `account ids would still be needed, split between ListChildren (6/s) and ListAccountsForParent (5/s): a floor near ` +
      `${alternativeFloor.toFixed(0)} s (then set by ${alternativeBottleneck}) instead of ${floor.toFixed(0)} s, for ${listAccountsPages} more calls ` +
      `(${((100 * listAccountsPages) / fewestTotal).toFixed(0)}% over the fewest). The rates marked assumed are not in the published ` +
      "table the project uses; the mock enforces the same assumption.",
  ].join("\n");
}
