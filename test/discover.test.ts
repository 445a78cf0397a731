import {
  AccessDeniedException,
  DescribeOrganizationCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
  ServiceException,
  TooManyRequestsException,
} from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  clientOverMock,
  FakeOrganization,
  fewestCalls,
  generateOrganization,
  mockOrganizationsService,
} from "./support/organizationsService";
import { InputError } from "../lib/errors";
import { DiscoveryCallError, discoverOrganization, PAGE_SIZE } from "../org/discover";
import { CloudTrailClient, DescribeTrailsCommand } from "@aws-sdk/client-cloudtrail";
import {
  CloudFormationClient,
  ListStackInstancesCommand,
  StackSetNotFoundException,
} from "@aws-sdk/client-cloudformation";
import { describeAwsError, discoverSnapshot, discoverToFile } from "../org/live";
import { RateLimiter } from "../org/rateLimiter";
import { OrganizationSnapshot, parseSnapshot } from "../org/snapshot";
import { expectCleanFailure, runCommand } from "./support/cli";
import { DEV_SNAPSHOT } from "./support/fixtures";

const ORG_ID = "o-exampleorg1";
const MANAGEMENT = "111122223333";
const ROOT = "r-ex4m";
const arn = (kind: string, id: string) =>
  `arn:aws:organizations::${MANAGEMENT}:${kind}/${ORG_ID}/${id}`;
const ouId = (n: number) => `ou-ex4m-${String(n).padStart(8, "0")}`;
const accountId = (n: number) => String(200000000000 + n);

const organization = {
  Id: ORG_ID,
  Arn: `arn:aws:organizations::${MANAGEMENT}:organization/${ORG_ID}`,
  MasterAccountId: MANAGEMENT,
  MasterAccountArn: arn("account", MANAGEMENT),
  MasterAccountEmail: "root@example.com",
  FeatureSet: "ALL" as const,
};

function account(id: string, name = `acct-${id}`) {
  return {
    Id: id,
    Arn: arn("account", id),
    Name: name,
    Email: `${id}@example.com`,
    Status: "ACTIVE" as const,
  };
}

/** Serves `items` in pages the way Organizations does: NextToken until the last page. */
function paged<T>(items: readonly T[], input: { NextToken?: string; MaxResults?: number }) {
  const start = Number(input.NextToken ?? 0);
  const end = start + Math.min(input.MaxResults ?? 10, PAGE_SIZE);
  return {
    items: items.slice(start, end),
    NextToken: end < items.length ? String(end) : undefined,
  };
}

/** Rates high enough that the limiter never waits in tests about something else. */
const FAST = new RateLimiter({ fallback: { perSecond: 100_000, burst: 100_000 }, limits: {} });

/**
 * A mocked client (aws-sdk-client-mock replaces `send`) serving a small organization: `units` by
 * parent, `accounts` by parent, `policies` with their targets. `requests` records the input of
 * every list request as it was sent (the paginators reuse one input object for all pages).
 */
function mockOrganization(shape: {
  units?: Record<string, { Id: string; Name: string }[]>;
  accounts?: Record<string, ReturnType<typeof account>[]>;
  policies?: { Id: string; Name: string; AwsManaged: boolean; Targets: string[] }[];
  servicePrincipals?: string[];
  delegated?: Record<string, string[]>;
}) {
  const mock = mockClient(OrganizationsClient);
  const requests: { ParentId?: string; NextToken?: string; MaxResults?: number }[] = [];
  mock.on(DescribeOrganizationCommand).resolves({ Organization: organization });
  mock
    .on(ListRootsCommand)
    .resolves({ Roots: [{ Id: ROOT, Arn: arn("root", ROOT), Name: "Root" }] });
  mock.on(ListOrganizationalUnitsForParentCommand).callsFake((input) => {
    const { items, NextToken } = paged(shape.units?.[input.ParentId] ?? [], input);
    return {
      OrganizationalUnits: items.map((unit) => ({ ...unit, Arn: arn("ou", unit.Id) })),
      NextToken,
    };
  });
  mock.on(ListAccountsForParentCommand).callsFake((input) => {
    requests.push({ ...input });
    const { items, NextToken } = paged(shape.accounts?.[input.ParentId] ?? [], input);
    return { Accounts: items, NextToken };
  });
  mock.on(ListPoliciesCommand).callsFake((input) => {
    const { items, NextToken } = paged(shape.policies ?? [], input);
    return {
      Policies: items.map(({ Id, Name, AwsManaged }) => ({
        Id,
        Name,
        AwsManaged,
        Type: "SERVICE_CONTROL_POLICY",
      })),
      NextToken,
    };
  });
  mock.on(ListTargetsForPolicyCommand).callsFake((input) => {
    const policy = (shape.policies ?? []).find((p) => p.Id === input.PolicyId);
    const { items, NextToken } = paged(policy?.Targets ?? [], input);
    return { Targets: items.map((id) => ({ TargetId: id })), NextToken };
  });
  mock.on(ListDelegatedAdministratorsCommand).callsFake((input) => {
    const { items, NextToken } = paged(shape.delegated?.[input.ServicePrincipal] ?? [], input);
    return { DelegatedAdministrators: items.map((Id) => ({ Id })), NextToken };
  });
  mock.on(ListAWSServiceAccessForOrganizationCommand).callsFake((input) => {
    const { items, NextToken } = paged(shape.servicePrincipals ?? [], input);
    return {
      EnabledServicePrincipals: items.map((ServicePrincipal) => ({
        ServicePrincipal,
        DateEnabled: new Date("2024-11-20T10:00:00Z"),
      })),
      NextToken,
    };
  });
  return Object.assign(mock, { requests });
}

function counter() {
  const calls = new Map<string, number>();
  return {
    calls,
    onCall: (operation: string) => calls.set(operation, (calls.get(operation) ?? 0) + 1),
    total: () => [...calls.values()].reduce((sum, n) => sum + n, 0),
  };
}

function errorOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error as Error,
  );
}

const management = account(MANAGEMENT, "management");
const ninetyFive = Array.from({ length: 95 }, (_, n) => account(accountId(n)));

describe("discoverOrganization", () => {
  let mock: ReturnType<typeof mockOrganization> | undefined;
  afterEach(() => {
    mock?.restore();
    mock = undefined;
  });

  it("pages through 95 accounts under one parent: 5 pages of at most 20", async () => {
    mock = mockOrganization({ accounts: { [ROOT]: [management, ...ninetyFive] } });
    const count = counter();
    const snapshot = await discoverOrganization(new OrganizationsClient({}), {
      limiter: FAST,
      onCall: count.onCall,
    });
    expect(mock.commandCalls(ListAccountsForParentCommand)).toHaveLength(5);
    expect(mock.requests.map((input) => [input.MaxResults, input.NextToken])).toEqual([
      [20, undefined],
      [20, "20"],
      [20, "40"],
      [20, "60"],
      [20, "80"],
    ]);
    expect(snapshot.accounts).toHaveLength(96);
    expect(new Set(snapshot.accounts.map((a) => a.ParentId))).toEqual(new Set([ROOT]));
    expect(Object.fromEntries(count.calls)).toEqual({
      DescribeOrganization: 1,
      ListRoots: 1,
      ListOrganizationalUnitsForParent: 1,
      ListAccountsForParent: 5,
      ListPolicies: 1,
      ListAWSServiceAccessForOrganization: 1,
      ListDelegatedAdministrators: 1,
    });
    expect(count.total()).toBe(mock.calls().length);
    expect(parseSnapshot(snapshot, "discovered").accounts).toHaveLength(96);
  });

  it("follows OUs nested five levels deep, each account under its own parent", async () => {
    const chain = [1, 2, 3, 4, 5].map((level) => ({ Id: ouId(level), Name: `Level${level}` }));
    const units: Record<string, { Id: string; Name: string }[]> = {
      [ROOT]: [chain[0], { Id: ouId(9), Name: "Aside" }],
    };
    const accounts: Record<string, ReturnType<typeof account>[]> = { [ROOT]: [management] };
    chain.forEach((unit, index) => {
      if (index + 1 < chain.length) {
        units[unit.Id] = [chain[index + 1]];
      }
      accounts[unit.Id] = [account(accountId(index)), account(accountId(10 + index))];
    });
    mock = mockOrganization({ units, accounts });
    const snapshot = await discoverOrganization(new OrganizationsClient({}), { limiter: FAST });
    const model = parseSnapshot(snapshot, "discovered");
    expect(model.pathOf(ouId(5))).toBe("Root/Level1/Level2/Level3/Level4/Level5");
    expect(model.ancestors(accountId(4))).toEqual([
      ouId(5),
      ouId(4),
      ouId(3),
      ouId(2),
      ouId(1),
      ROOT,
    ]);
    expect(model.account(accountId(12))?.parentId).toBe(ouId(3));
    // Written in tree order, whatever order the walks finished in.
    expect(snapshot.organizationalUnits.map((unit) => unit.Name)).toEqual([
      "Aside",
      "Level1",
      "Level2",
      "Level3",
      "Level4",
      "Level5",
    ]);
    expect(mock.commandCalls(ListOrganizationalUnitsForParentCommand)).toHaveLength(7);
    expect(mock.commandCalls(ListAccountsForParentCommand)).toHaveLength(7);
  });

  it("records the SCPs, AwsManaged and every direct target, across pages", async () => {
    const unit = { Id: ouId(1), Name: "Workloads" };
    const members = Array.from({ length: 44 }, (_, n) => account(accountId(n)));
    const everything = [ROOT, unit.Id, MANAGEMENT, ...members.map((a) => a.Id)];
    const custom = Array.from({ length: 24 }, (_, n) => ({
      Id: `p-custom${String(n).padStart(4, "0")}`,
      Name: `Custom${String(n).padStart(2, "0")}`,
      AwsManaged: false,
      Targets: n === 0 ? [unit.Id, members[3].Id] : [],
    }));
    const policies = [
      { Id: "p-FullAWSAccess", Name: "FullAWSAccess", AwsManaged: true, Targets: everything },
      ...custom,
    ];
    mock = mockOrganization({
      units: { [ROOT]: [unit] },
      accounts: { [ROOT]: [management], [unit.Id]: members },
      policies,
    });
    const count = counter();
    const snapshot = await discoverOrganization(new OrganizationsClient({}), {
      limiter: FAST,
      onCall: count.onCall,
    });
    expect(mock.commandCalls(ListPoliciesCommand)).toHaveLength(2);
    expect(mock.commandCalls(ListPoliciesCommand)[0].args[0].input.Filter).toBe(
      "SERVICE_CONTROL_POLICY",
    );
    // 47 targets: three pages; 24 custom policies: one page each (the first has 2 targets).
    expect(count.calls.get("ListTargetsForPolicy")).toBe(3 + 24);
    const full = snapshot.policies?.find((p) => p.Id === "p-FullAWSAccess");
    expect(full?.AwsManaged).toBe(true);
    expect(full?.Targets).toEqual([...everything].sort());
    expect(snapshot.policies?.find((p) => p.Name === "Custom00")).toEqual({
      Id: "p-custom0000",
      Name: "Custom00",
      AwsManaged: false,
      Targets: [members[3].Id, unit.Id].sort(),
    });
    const model = parseSnapshot(snapshot, "discovered");
    expect(model.policies).toHaveLength(25);
    expect(
      model
        .policiesAttachedTo(unit.Id)
        .map((p) => p.name)
        .sort(),
    ).toEqual(["Custom00", "FullAWSAccess"]);
  });

  it("reproduces the dev organization snapshot from a mocked service", async () => {
    const dev = JSON.parse(readFileSync(DEV_SNAPSHOT, "utf8")) as OrganizationSnapshot;
    const fake: FakeOrganization = {
      organization: dev.organization,
      root: dev.roots[0],
      units: dev.organizationalUnits,
      accounts: dev.accounts.map((a) => ({
        ...a,
        JoinedTimestamp: new Date("2024-01-01T00:00:00Z"),
      })),
      policies: (dev.policies ?? []).map((p) => ({
        ...p,
        Arn: `arn:aws:organizations::aws:policy/${p.Id}`,
        AwsManaged: p.AwsManaged ?? false,
      })),
      servicePrincipals: (dev.enabledServicePrincipals ?? []).map((s) => s.ServicePrincipal),
      delegated: Object.fromEntries(
        (dev.delegatedAdministrators ?? []).map((d) => [d.ServicePrincipal, d.AccountIds]),
      ),
    };
    const service = mockOrganizationsService(fake);
    try {
      const snapshot = await discoverOrganization(service.client, { limiter: FAST });
      const byId = <T extends { Id: string }>(items: readonly T[]) =>
        [...items].sort((a, b) => a.Id.localeCompare(b.Id));
      expect(byId(snapshot.organizationalUnits)).toEqual(byId(dev.organizationalUnits));
      expect(byId(snapshot.accounts)).toEqual(byId(dev.accounts));
      expect(byId(snapshot.policies ?? [])).toEqual(
        byId(
          (dev.policies ?? []).map((p) => ({
            ...p,
            AwsManaged: p.AwsManaged ?? false,
            Targets: [...p.Targets].sort(),
          })),
        ),
      );
      expect(snapshot.organization).toEqual(dev.organization);
      // The services with trusted access, as ListAWSServiceAccessForOrganization reports them.
      expect(snapshot.enabledServicePrincipals).toEqual(dev.enabledServicePrincipals);
      expect(snapshot.delegatedAdministrators).toEqual(dev.delegatedAdministrators);
    } finally {
      service.client.destroy();
      service.restore();
    }
  });

  it("makes exactly the fewest calls on a generated organization of 600 accounts", async () => {
    const org = generateOrganization({ accounts: 600, units: 40, seed: 3 });
    const service = mockOrganizationsService(org);
    const count = counter();
    try {
      const snapshot = await discoverOrganization(service.client, {
        limiter: FAST,
        onCall: count.onCall,
      });
      expect(Object.fromEntries(count.calls)).toEqual(fewestCalls(org));
      expect(parseSnapshot(snapshot, "discovered").accounts).toHaveLength(600);
    } finally {
      service.client.destroy();
      service.restore();
    }
  });

  it("keeps at most `concurrency` walks of each operation in flight", async () => {
    const units = Array.from({ length: 12 }, (_, n) => ({ Id: ouId(n), Name: `Unit${n}` }));
    mock = mockOrganization({ units: { [ROOT]: units }, accounts: { [ROOT]: [management] } });
    let inFlight = 0;
    let most = 0;
    mock.on(ListAccountsForParentCommand).callsFake(async (input) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return { Accounts: input.ParentId === ROOT ? [management] : [] };
    });
    await discoverOrganization(new OrganizationsClient({}), { limiter: FAST, concurrency: 3 });
    expect(most).toBe(3);
    expect(mock.commandCalls(ListAccountsForParentCommand)).toHaveLength(13);
  });

  it("rejects with the caller's reason when aborted, leaving nothing waiting", async () => {
    mock = mockOrganization({ accounts: { [ROOT]: [management, ...ninetyFive] } });
    const controller = new AbortController();
    const slow = new RateLimiter({ limits: {}, fallback: { perSecond: 0.01, burst: 3 } });
    const discovery = discoverOrganization(new OrganizationsClient({}), {
      limiter: slow,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("interrupted")), 10);
    await expect(discovery).rejects.toThrow("interrupted");
  });

  it("stops at DescribeOrganization when the credentials are not the management account's", async () => {
    mock = mockOrganization({ accounts: { [ROOT]: [management] } });
    const error = await errorOf(
      discoverSnapshot(new OrganizationsClient({}), {
        limiter: FAST,
        callerAccountId: "999988887777",
      }),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      `these credentials are for account 999988887777, not the management account ${MANAGEMENT} of ${ORG_ID}: use the management account's credentials (--profile)`,
    );
    expect(mock.commandCalls(ListRootsCommand)).toHaveLength(0);
  });

  it("says to use the management account when ListRoots is denied (a member account)", async () => {
    mock = mockOrganization({});
    mock.on(ListRootsCommand).rejects(
      new AccessDeniedException({
        message: "You don't have permissions to access this resource.",
        $metadata: {},
      }),
    );
    const error = await errorOf(discoverSnapshot(new OrganizationsClient({}), { limiter: FAST }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).not.toContain("\n");
    expect(error.message).toContain("ListRoots was denied");
    expect(error.message).toContain(`management account's (${MANAGEMENT})`);
  });

  it("names the request when access is denied further down", async () => {
    mock = mockOrganization({ units: { [ROOT]: [{ Id: ouId(1), Name: "Locked" }] } });
    mock
      .on(ListAccountsForParentCommand, { ParentId: ouId(1) })
      .rejects(
        new AccessDeniedException({ message: "explicit deny in an SCP\n(details)", $metadata: {} }),
      );
    const error = await errorOf(discoverSnapshot(new OrganizationsClient({}), { limiter: FAST }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      `ListAccountsForParent ${ouId(1)}: Organizations denied access (explicit deny in an SCP (details)); use the management account's credentials, allowed organizations:Describe* and organizations:List*`,
    );
  });

  it("fails as a whole when a page fails midway, and writes nothing", async () => {
    mock = mockOrganization({ accounts: { [ROOT]: [management, ...ninetyFive] } });
    mock
      .on(ListAccountsForParentCommand, { ParentId: ROOT, NextToken: "40" })
      .rejects(new ServiceException({ message: "internal error", $metadata: {} }));
    const raw = await errorOf(discoverOrganization(new OrganizationsClient({}), { limiter: FAST }));
    expect(raw).toBeInstanceOf(DiscoveryCallError);
    expect((raw as DiscoveryCallError).page).toBe(3);

    const work = mkdtempSync(path.join(tmpdir(), "discover-"));
    const out = path.join(work, "org.prod.json");
    const error = await errorOf(
      discoverToFile(new OrganizationsClient({}), out, { limiter: FAST }),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      `ListAccountsForParent ${ROOT} (page 3): reading the organization failed: ServiceException: internal error`,
    );
    expect(readdirSync(work)).toEqual([]);

    writeFileSync(out, "previous snapshot\n");
    await errorOf(discoverToFile(new OrganizationsClient({}), out, { limiter: FAST }));
    expect(readFileSync(out, "utf8")).toBe("previous snapshot\n");
    expect(readdirSync(work)).toEqual(["org.prod.json"]);
  });

  it("refuses an account listed under two parents (moved while discovery ran)", async () => {
    const moved = account(accountId(1));
    mock = mockOrganization({
      units: { [ROOT]: [{ Id: ouId(1), Name: "From" }] },
      accounts: { [ROOT]: [management, moved], [ouId(1)]: [moved] },
    });
    const error = await errorOf(discoverSnapshot(new OrganizationsClient({}), { limiter: FAST }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(`account ${moved.Id} was listed under both`);
  });

  it("writes a snapshot the plan reads, with every account state the API reports", async () => {
    mock = mockOrganization({
      accounts: {
        [ROOT]: [
          management,
          { ...account(accountId(1)), State: "PENDING_ACTIVATION" } as unknown as ReturnType<
            typeof account
          >,
          {
            ...account(accountId(2)),
            Status: "SUSPENDED",
            State: "SUSPENDED",
          } as unknown as ReturnType<typeof account>,
        ],
      },
    });
    const out = path.join(mkdtempSync(path.join(tmpdir(), "discover-")), "org.json");
    const discovery = await discoverToFile(new OrganizationsClient({}), out, { limiter: FAST });
    const text = readFileSync(out, "utf8");
    expect(text.endsWith("}\n")).toBe(true);
    const model = parseSnapshot(JSON.parse(text), out);
    expect(model.account(accountId(1))?.state).toBe("PENDING_ACTIVATION");
    expect(model.account(accountId(2))?.state).toBe("SUSPENDED");
    expect(discovery.calls).toBe(mock.calls().length);
    expect(JSON.parse(text)).toEqual(discovery.snapshot);
  });
});

describe("organization trails (DescribeTrails)", () => {
  const trailMock = mockClient(CloudTrailClient);
  let mock: ReturnType<typeof mockOrganization> | undefined;
  afterEach(() => {
    trailMock.reset();
    mock?.restore();
    mock = undefined;
  });

  it("records the organization trails, shadow trails included and every trail once, and leaves the others out", async () => {
    mock = mockOrganization({ accounts: { [ROOT]: [management] } });
    const orgTrail = {
      Name: "aws-org-guardrails",
      TrailARN: `arn:aws:cloudtrail:eu-west-1:${MANAGEMENT}:trail/aws-org-guardrails`,
      HomeRegion: "eu-west-1",
      IsOrganizationTrail: true,
      CloudWatchLogsLogGroupArn: `arn:aws:logs:eu-west-1:${MANAGEMENT}:log-group:/aws-org-guardrails/cloudtrail:*`,
    };
    trailMock.on(DescribeTrailsCommand).resolves({
      trailList: [
        orgTrail,
        { ...orgTrail },
        {
          Name: "local-only",
          TrailARN: `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/local-only`,
          IsOrganizationTrail: false,
        },
      ],
    });
    const out = path.join(mkdtempSync(path.join(tmpdir(), "discover-")), "org.json");
    const discovery = await discoverToFile(new OrganizationsClient({}), out, {
      limiter: FAST,
      cloudTrail: new CloudTrailClient({}),
    });
    expect(trailMock.commandCalls(DescribeTrailsCommand)[0].args[0].input).toEqual({
      includeShadowTrails: true,
    });
    expect(discovery.snapshot.trails).toEqual([orgTrail]);
    expect(parseSnapshot(JSON.parse(readFileSync(out, "utf8")), out).trails).toEqual([
      {
        name: "aws-org-guardrails",
        arn: orgTrail.TrailARN,
        homeRegion: "eu-west-1",
        organizationTrail: true,
        logGroupArn: orgTrail.CloudWatchLogsLogGroupArn,
      },
    ]);
  });

  it("says in one line what to allow when CloudTrail denies DescribeTrails, and writes nothing", async () => {
    mock = mockOrganization({ accounts: { [ROOT]: [management] } });
    trailMock
      .on(DescribeTrailsCommand)
      .rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
    const out = path.join(mkdtempSync(path.join(tmpdir(), "discover-")), "org.json");
    const error = await errorOf(
      discoverToFile(new OrganizationsClient({}), out, {
        limiter: FAST,
        cloudTrail: new CloudTrailClient({}),
      }),
    );
    expect(error.message).toBe(
      "DescribeTrails: CloudTrail denied access (not authorized); allow cloudtrail:DescribeTrails to the management account's credentials",
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe("the fast path's stack instances (ListStackInstances)", () => {
  const cfnMock = mockClient(CloudFormationClient);
  let mock: ReturnType<typeof mockOrganization> | undefined;
  afterEach(() => {
    cfnMock.reset();
    mock?.restore();
    mock = undefined;
  });
  const summary = (
    account: string,
    region: string,
    status = "CURRENT",
    detailed = "SUCCEEDED",
  ) => ({
    StackSetId: "aws-org-guardrails-root-activity-fast-path:0a1b2c3d",
    Account: account,
    Region: region,
    Status: status as "CURRENT",
    StackInstanceStatus: { DetailedStatus: detailed as "SUCCEEDED" },
  });

  it("records every instance across pages, for the program's stack set, called as itself", async () => {
    mock = mockOrganization({ accounts: { [ROOT]: [management] } });
    cfnMock
      .on(ListStackInstancesCommand)
      .resolvesOnce({
        Summaries: [summary("222222222222", "us-east-1"), summary("222222222222", "eu-west-1")],
        NextToken: "page-2",
      })
      .resolves({ Summaries: [summary("111111111112", "us-east-1", "OUTDATED", "FAILED")] });
    const out = path.join(mkdtempSync(path.join(tmpdir(), "discover-")), "org.json");
    const discovery = await discoverToFile(new OrganizationsClient({}), out, {
      limiter: FAST,
      cloudFormation: new CloudFormationClient({ region: "eu-west-1" }),
    });
    const calls = cfnMock.commandCalls(ListStackInstancesCommand);
    // The SDK's paginator reuses one input object, so the recorded inputs are the last one.
    expect(calls).toHaveLength(2);
    expect(calls[1].args[0].input).toEqual({
      StackSetName: "aws-org-guardrails-root-activity-fast-path",
      CallAs: "SELF",
      MaxResults: 100,
      NextToken: "page-2",
    });
    expect(discovery.snapshot.stackSet).toEqual({
      StackSetName: "aws-org-guardrails-root-activity-fast-path",
      Region: "eu-west-1",
      Exists: true,
      Instances: [
        {
          Account: "111111111112",
          Region: "us-east-1",
          Status: "OUTDATED",
          DetailedStatus: "FAILED",
        },
        {
          Account: "222222222222",
          Region: "eu-west-1",
          Status: "CURRENT",
          DetailedStatus: "SUCCEEDED",
        },
        {
          Account: "222222222222",
          Region: "us-east-1",
          Status: "CURRENT",
          DetailedStatus: "SUCCEEDED",
        },
      ],
    });
    expect(
      parseSnapshot(JSON.parse(readFileSync(out, "utf8")), out).stackSet?.instances,
    ).toHaveLength(3);
  });

  it("records a stack set that does not exist yet as such", async () => {
    mock = mockOrganization({ accounts: { [ROOT]: [management] } });
    cfnMock
      .on(ListStackInstancesCommand)
      .rejects(new StackSetNotFoundException({ message: "StackSet not found", $metadata: {} }));
    const out = path.join(mkdtempSync(path.join(tmpdir(), "discover-")), "org.json");
    const discovery = await discoverToFile(new OrganizationsClient({}), out, {
      limiter: FAST,
      cloudFormation: new CloudFormationClient({ region: "eu-west-1" }),
    });
    expect(discovery.snapshot.stackSet).toEqual({
      StackSetName: "aws-org-guardrails-root-activity-fast-path",
      Region: "eu-west-1",
      Exists: false,
      Instances: [],
    });
  });

  it("says in one line what to allow when CloudFormation denies ListStackInstances, and writes nothing", async () => {
    mock = mockOrganization({ accounts: { [ROOT]: [management] } });
    cfnMock
      .on(ListStackInstancesCommand)
      .rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
    const out = path.join(mkdtempSync(path.join(tmpdir(), "discover-")), "org.json");
    const error = await errorOf(
      discoverToFile(new OrganizationsClient({}), out, {
        limiter: FAST,
        cloudFormation: new CloudFormationClient({ region: "eu-west-1" }),
      }),
    );
    expect(error.message).toBe(
      "ListStackInstances: CloudFormation denied access (not authorized); allow cloudformation:ListStackInstances on the aws-org-guardrails stack set to the management account's credentials",
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe("throttling, through the SDK's adaptive retry", () => {
  beforeEach(() => {
    // The SDK waits up to seconds between throttled attempts and its adaptive limiter starts
    // slow after a throttle: fake clocks keep the test fast without changing the retry settings.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function settle<T>(promise: Promise<T>): Promise<T> {
    let done = false;
    promise.then(
      () => (done = true),
      () => (done = true),
    );
    while (!done) {
      await vi.advanceTimersByTimeAsync(50);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return promise;
  }

  function backend() {
    const client = new OrganizationsClient({
      region: "us-east-1",
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
    });
    const mock = mockClient(client);
    mock.on(DescribeOrganizationCommand).resolves({ Organization: organization });
    mock
      .on(ListRootsCommand)
      .resolves({ Roots: [{ Id: ROOT, Arn: arn("root", ROOT), Name: "Root" }] });
    mock.on(ListOrganizationalUnitsForParentCommand).resolves({ OrganizationalUnits: [] });
    mock.on(ListPoliciesCommand).resolves({ Policies: [] });
    return { client, mock };
  }

  const throttle = () =>
    new TooManyRequestsException({ message: "Try again later.", $metadata: {} });

  it("retries TooManyRequestsException and counts every attempt", async () => {
    const { client, mock } = backend();
    mock
      .on(ListAccountsForParentCommand)
      .rejectsOnce(throttle())
      .rejectsOnce(throttle())
      .resolves({ Accounts: [management] });
    const organizations = clientOverMock(client);
    const count = counter();
    try {
      const snapshot = await settle(discoverOrganization(organizations, { onCall: count.onCall }));
      expect(snapshot.accounts.map((a) => a.Id)).toEqual([MANAGEMENT]);
      expect(mock.commandCalls(ListAccountsForParentCommand)).toHaveLength(3);
      expect(count.calls.get("ListAccountsForParent")).toBe(3);
      expect(count.total()).toBe(mock.calls().length);
    } finally {
      organizations.destroy();
      mock.restore();
    }
  });

  it("gives up after the SDK's 10 attempts with one line saying to wait", async () => {
    const { client, mock } = backend();
    mock.on(ListAccountsForParentCommand).rejects(throttle());
    const organizations = clientOverMock(client);
    const count = counter();
    try {
      const error = await settle(
        discoverSnapshot(organizations, { onCall: count.onCall }).then(
          () => new Error("expected a failure"),
          (failure: unknown) => failure as Error,
        ),
      );
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toBe(
        `ListAccountsForParent ${ROOT}: Organizations kept throttling the request after 10 attempts (other tools may be using the account's quota); wait a minute and run again`,
      );
      expect(count.calls.get("ListAccountsForParent")).toBe(10);
    } finally {
      organizations.destroy();
      mock.restore();
    }
  });
});

describe("RateLimiter", () => {
  it("lets the burst (less one token held back) through, then paces at the rate", async () => {
    // A fake clock: the pacing is asserted exactly, whatever else the machine is doing.
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const limiter = new RateLimiter({
        limits: { Op: { perSecond: 100, burst: 4 } },
        now: () => Date.now(),
      });
      const started = Date.now();
      const granted: number[] = [];
      const all = Promise.all(
        Array.from({ length: 13 }, () =>
          limiter.acquire("Op").then(() => granted.push(Date.now() - started)),
        ),
      );
      await vi.advanceTimersByTimeAsync(200);
      await all;
      // 3 at once, 10 more at 100/s: one every 10 ms, the last at 100 ms.
      expect(granted.slice(0, 3)).toEqual([0, 0, 0]);
      expect(granted[3]).toBeGreaterThanOrEqual(10);
      expect(granted[12]).toBeGreaterThanOrEqual(100);
      expect(granted[12]).toBeLessThanOrEqual(110);
    } finally {
      vi.useRealTimers();
    }
  });

  it("restarts from empty, reserve included, after the service throttled", async () => {
    let now = 0;
    const limiter = new RateLimiter({
      limits: { Op: { perSecond: 10, burst: 5 } },
      now: () => now,
    });
    await limiter.acquire("Op");
    limiter.throttled("Op");
    let granted = false;
    const waiting = limiter.acquire("Op").then(() => (granted = true));
    now = 150;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(granted).toBe(false);
    now = 200;
    await waiting;
    expect(granted).toBe(true);
  });

  it("rejects a waiting request when its signal aborts", async () => {
    const limiter = new RateLimiter({ limits: { Op: { perSecond: 0.001, burst: 2 } } });
    await limiter.acquire("Op");
    const controller = new AbortController();
    const waiting = limiter.acquire("Op", controller.signal);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
  });

  it("uses the published rates and refuses nonsense", () => {
    const limiter = new RateLimiter();
    expect(limiter.limitOf("ListAccountsForParent")).toEqual({ perSecond: 5, burst: 8 });
    expect(limiter.limitOf("ListRoots")).toEqual({ perSecond: 1, burst: 2 });
    expect(() => new RateLimiter({ limits: { Op: { perSecond: 0, burst: 1 } } })).toThrow(
      RangeError,
    );
  });
});

describe("describeAwsError", () => {
  it("keeps every message on one line and names what to fix", () => {
    const cases: [unknown, string][] = [
      [
        Object.assign(new Error("Could not load credentials from any providers"), {
          name: "CredentialsProviderError",
        }),
        "aws sso login",
      ],
      [
        Object.assign(new Error("The security token included\nin the request is expired"), {
          name: "ExpiredTokenException",
        }),
        "refresh them",
      ],
      [
        Object.assign(new Error("getaddrinfo ENOTFOUND organizations.us-east-1.amazonaws.com"), {
          code: "ENOTFOUND",
        }),
        "check the network",
      ],
      [
        new DiscoveryCallError(
          "ListRoots",
          undefined,
          1,
          Object.assign(new Error("boom"), { name: "ServiceException" }),
        ),
        "ListRoots: reading the organization failed",
      ],
    ];
    for (const [error, expected] of cases) {
      const described = describeAwsError(error);
      expect(described).toBeInstanceOf(InputError);
      expect(described.message).not.toContain("\n");
      expect(described.message).toContain(expected);
    }
  });
});

describe("npm run discover (arguments)", () => {
  function expectUsageError(args: string[], first: string) {
    const work = mkdtempSync(path.join(tmpdir(), "discover-cli-"));
    const result = runCommand(
      "discover",
      args.map((arg) => arg.replace("$WORK", work)),
    );
    expectCleanFailure(result);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr.startsWith(`discover: ${first.replaceAll("$WORK", work)}`)).toBe(true);
    expect(readdirSync(work)).toEqual([]);
  }

  it("requires --out", () => {
    expectUsageError(["--profile", "prod"], "--out is required; usage: npm run discover -- --out");
  });

  it("refuses unknown options", () => {
    expectUsageError(
      ["--out", "$WORK/org.json", "--import-commands", "dev"],
      "Unknown option '--import-commands'",
    );
  });

  it("refuses an --out in a directory that does not exist, before any AWS call", () => {
    expectUsageError(
      ["--out", "$WORK/missing/org.json"],
      "--out: the folder $WORK/missing does not exist; create it or choose another path for $WORK/missing/org.json",
    );
  });

  it("refuses a --concurrency that is not a small whole number", () => {
    expectUsageError(
      ["--out", "$WORK/org.json", "--concurrency", "0"],
      "--concurrency must be a whole number from 1 to 64",
    );
  });
});
