import * as Organizations from "@aws-sdk/client-organizations";
import {
  DescribeOrganizationCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
  OrganizationsClientConfig,
  ParentNotFoundException,
  PolicyNotFoundException,
  TooManyRequestsException,
} from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";
import { randomGenerator } from "./cloudtrailGenerator";
import { DELEGATED_SERVICES, PAGE_SIZE } from "../../org/discover";
import { createOrganizationsClient } from "../../org/live";
import { RateLimit, UNPUBLISHED_RATE_LIMIT } from "../../org/rateLimiter";
import { OrganizationSnapshot } from "../../org/snapshot";

/**
 * A fake AWS Organizations for tests and the discovery benchmark: a generated organization of any
 * size, shaped like a landing zone, served by aws-sdk-client-mock behind a real
 * OrganizationsClient, with the published rates enforced by its own token buckets
 * (TooManyRequestsException when empty) and a random network delay.
 */

/** The organization's size at full scale; shares of the landing-zone OUs are scaled from it. */
export const ACCOUNTS = 5_000;
export const UNITS = 200;
const SEED = 20261201;

export interface FakeOrganization {
  readonly organization: OrganizationSnapshot["organization"];
  readonly root: { Id: string; Arn: string; Name: string };
  readonly units: OrganizationSnapshot["organizationalUnits"];
  readonly accounts: (OrganizationSnapshot["accounts"][number] & { JoinedTimestamp: Date })[];
  readonly policies: {
    Id: string;
    Arn: string;
    Name: string;
    AwsManaged: boolean;
    Targets: string[];
  }[];
  /** Services with trusted access. */
  readonly servicePrincipals: string[];
  /** Delegated administrators by service principal. */
  readonly delegated: Record<string, string[]>;
}

const LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * An organization shaped like a large landing zone: Security, Infrastructure (Network, Shared
 * Services, Identity), Workloads with business units, each with three or four environments and
 * team OUs below them (five levels at most, the Organizations limit), a big flat Sandbox, a
 * Suspended OU; accounts spread log-normally over the workload OUs, containers left empty.
 * SCPs: FullAWSAccess attached to the root, every OU and every account (as Organizations does by
 * default) and a dozen custom ones on OUs and some accounts.
 */
export function generateOrganization(
  options: { seed?: number; accounts?: number; units?: number } = {},
): FakeOrganization {
  const random = randomGenerator(options.seed ?? SEED);
  const accountTotal = options.accounts ?? ACCOUNTS;
  const unitTotal = options.units ?? UNITS;
  const token = (length: number): string =>
    Array.from({ length }, () => LOWER[Math.floor(random() * LOWER.length)]).join("");
  const orgId = `o-${token(10)}`;
  const rootSuffix = token(4);
  const management = "100000000001";
  const orgArn = (kind: string, id: string): string =>
    `arn:aws:organizations::${management}:${kind}/${orgId}/${id}`;
  const root = { Id: `r-${rootSuffix}`, Arn: orgArn("root", `r-${rootSuffix}`), Name: "Root" };

  const units: FakeOrganization["units"][number][] = [];
  const depth = new Map<string, number>([[root.Id, 0]]);
  const usedUnitIds = new Set<string>();
  const addUnit = (name: string, parentId: string): string => {
    let id = `ou-${rootSuffix}-${token(8)}`;
    while (usedUnitIds.has(id)) {
      id = `ou-${rootSuffix}-${token(8)}`;
    }
    usedUnitIds.add(id);
    units.push({ Id: id, Arn: orgArn("ou", id), Name: name, ParentId: parentId });
    depth.set(id, (depth.get(parentId) ?? 0) + 1);
    return id;
  };
  const top = Object.fromEntries(
    [
      "Security",
      "Infrastructure",
      "Workloads",
      "Sandbox",
      "Suspended",
      "Policy Staging",
      "Exceptions",
    ].map((name) => [name, addUnit(name, root.Id)]),
  );
  const infrastructure = ["Network", "Shared Services", "Identity"].map((name) =>
    addUnit(name, top.Infrastructure),
  );
  const businessUnits: string[] = [];
  const environments: string[] = [];
  const prodUnits: string[] = [];
  const businessUnitCount = Math.max(1, Math.round((16 * unitTotal) / UNITS));
  for (let index = 1; index <= businessUnitCount; index += 1) {
    const bu = addUnit(`BU-${String(index).padStart(2, "0")}`, top.Workloads);
    businessUnits.push(bu);
    const envs = random() < 0.5 ? ["Prod", "Staging", "Dev"] : ["Prod", "Staging", "Dev", "Test"];
    for (const env of envs) {
      const id = addUnit(env, bu);
      environments.push(id);
      if (env === "Prod") {
        prodUnits.push(id);
      }
    }
  }
  const teams: string[] = [];
  while (units.length < unitTotal) {
    if (teams.length > 0 && random() < 0.25) {
      const parent = teams[Math.floor(random() * teams.length)];
      if ((depth.get(parent) ?? 0) < 5) {
        addUnit(`Squad-${units.length}`, parent);
      }
    } else {
      const parent = environments[Math.floor(random() * environments.length)];
      teams.push(addUnit(`Team-${units.length}`, parent));
    }
  }

  // Accounts per container: fixed shares for the landing-zone OUs (scaled from 5,000 accounts),
  // log-normal for the workload OUs. The root holds the management account and two others.
  const scale = (n: number) => Math.max(1, Math.round((n * accountTotal) / ACCOUNTS));
  const counts = new Map<string, number>([
    [root.Id, 3],
    [top.Security, scale(4)],
    [infrastructure[0], scale(6)],
    [infrastructure[1], scale(8)],
    [infrastructure[2], scale(3)],
    [top.Sandbox, scale(640)],
    [top.Suspended, scale(180)],
    [top["Policy Staging"], scale(5)],
    [top.Exceptions, scale(12)],
  ] as [string, number][]);
  const fixed = [...counts.values()].reduce((sum, n) => sum + n, 0);
  const workloadUnits = units
    .map((unit) => unit.Id)
    .filter(
      (id) =>
        !counts.has(id) &&
        !businessUnits.includes(id) &&
        !Object.values(top).includes(id) &&
        !infrastructure.includes(id),
    );
  const weights = workloadUnits.map(() => {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.exp(0.9 * normal);
  });
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  let remaining = accountTotal - fixed;
  workloadUnits.forEach((id, index) => {
    const share =
      index === workloadUnits.length - 1
        ? remaining
        : Math.min(remaining, Math.round(((accountTotal - fixed) * weights[index]) / weightSum));
    counts.set(id, share);
    remaining -= share;
  });

  const accounts: FakeOrganization["accounts"] = [];
  let serial = 1;
  for (const [parentId, count] of counts) {
    for (let index = 0; index < count; index += 1) {
      const id = String(100000000000 + serial);
      const suspended = parentId === top.Suspended;
      accounts.push({
        Id: id,
        Arn: orgArn("account", id),
        Name: id === management ? "management" : `account-${serial}`,
        Email: `aws+${id}@example.com`,
        Status: suspended ? "SUSPENDED" : "ACTIVE",
        State: suspended ? "SUSPENDED" : "ACTIVE",
        ParentId: parentId,
        JoinedTimestamp: new Date(Date.UTC(2020, 0, 1) + serial * 3_600_000),
      });
      serial += 1;
    }
  }

  const everyTarget = [root.Id, ...units.map((unit) => unit.Id), ...accounts.map((a) => a.Id)];
  const pick = (ids: readonly string[], n: number): string[] => {
    const copy = [...ids];
    const wanted = Math.min(n, copy.length);
    for (let index = 0; index < wanted; index += 1) {
      const other = index + Math.floor(random() * (copy.length - index));
      [copy[index], copy[other]] = [copy[other], copy[index]];
    }
    return copy.slice(0, wanted);
  };
  const policies: FakeOrganization["policies"] = [
    { Name: "FullAWSAccess", AwsManaged: true, Targets: everyTarget },
    { Name: "DenyLeaveOrganization", AwsManaged: false, Targets: [root.Id] },
    { Name: "DenyRootUser", AwsManaged: false, Targets: [root.Id] },
    { Name: "RegionRestriction", AwsManaged: false, Targets: [top.Workloads, top.Sandbox] },
    {
      Name: "ProtectSecurityServices",
      AwsManaged: false,
      Targets: [top.Workloads, top.Infrastructure, top.Sandbox],
    },
    { Name: "SandboxLimits", AwsManaged: false, Targets: [top.Sandbox] },
    { Name: "SuspendedDenyAll", AwsManaged: false, Targets: [top.Suspended] },
    { Name: "ProdGuardrails", AwsManaged: false, Targets: prodUnits },
    {
      Name: "DenyExpensiveInstances",
      AwsManaged: false,
      Targets: pick(
        accounts.map((a) => a.Id),
        300,
      ),
    },
    { Name: "NetworkBoundary", AwsManaged: false, Targets: [infrastructure[0]] },
    { Name: "DenyIamUsers", AwsManaged: false, Targets: [top.Workloads] },
    {
      Name: "Exceptions",
      AwsManaged: false,
      Targets: pick(
        accounts.map((a) => a.Id),
        12,
      ),
    },
    { Name: "DenyPublicS3", AwsManaged: false, Targets: [root.Id] },
    { Name: "TeamsBaseline", AwsManaged: false, Targets: pick(teams, 25) },
  ].map((policy, index) => {
    const id = index === 0 ? "p-FullAWSAccess" : `p-${token(8)}`;
    return {
      ...policy,
      Id: id,
      Arn:
        index === 0
          ? "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
          : orgArn("policy", `service_control_policy/${id}`),
    };
  });

  return {
    organization: {
      Id: orgId,
      Arn: `arn:aws:organizations::${management}:organization/${orgId}`,
      MasterAccountId: management,
      MasterAccountArn: orgArn("account", management),
      MasterAccountEmail: `aws+${management}@example.com`,
      FeatureSet: "ALL",
    },
    root,
    units,
    accounts,
    policies,
    // What a landing zone typically has on: the organization trail, Config, IAM, SSO.
    servicePrincipals: [
      "cloudtrail.amazonaws.com",
      "config-multiaccountsetup.amazonaws.com",
      "config.amazonaws.com",
      "iam.amazonaws.com",
      "sso.amazonaws.com",
    ],
    delegated: {},
  };
}

const FAKE_CREDENTIALS = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "not-a-secret" };

/**
 * A real OrganizationsClient (createOrganizationsClient's settings plus `overrides`) whose HTTP
 * handler decodes each request (operation from X-Amz-Target, input from the JSON body), hands it
 * to `backend.send` (an aws-sdk-client-mock'ed client) and encodes the result or error as the
 * awsJson1_1 protocol would. aws-sdk-client-mock alone replaces `send`, which also removes the
 * SDK's retry loop: this keeps it.
 */
export function clientOverMock(
  backend: OrganizationsClient,
  overrides: Partial<OrganizationsClientConfig> = {},
): OrganizationsClient {
  const commands = Organizations as unknown as Record<string, new (input: unknown) => unknown>;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const respond = (statusCode: number, document: unknown) => ({
    response: {
      statusCode,
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-requestid": "00000000-0000-4000-8000-000000000000",
      },
      body: encoder.encode(
        JSON.stringify(document, function (this: Record<string, unknown>, key, value) {
          const raw = this[key];
          return raw instanceof Date ? raw.getTime() / 1000 : value;
        }),
      ),
    },
  });
  const requestHandler = {
    async handle(request: { headers: Record<string, string>; body?: unknown }) {
      const operation = String(request.headers["x-amz-target"]).split(".").pop() ?? "";
      const body =
        request.body instanceof Uint8Array
          ? decoder.decode(request.body)
          : String(request.body ?? "{}");
      const Command = commands[`${operation}Command`];
      try {
        const output = (await backend.send(
          new Command(JSON.parse(body || "{}")) as Parameters<OrganizationsClient["send"]>[0],
        )) as unknown as Record<string, unknown>;
        const document = { ...output };
        delete document.$metadata;
        return respond(200, document);
      } catch (error) {
        const failure = error as {
          name?: string;
          message?: string;
          $fault?: string;
          $metadata?: { httpStatusCode?: number };
        };
        const status =
          failure.$metadata?.httpStatusCode ?? (failure.$fault === "server" ? 500 : 400);
        return respond(status, {
          __type: failure.name ?? "ServiceException",
          Message: failure.message,
        });
      }
    },
    updateHttpClientConfig(): void {},
    httpHandlerConfigs: () => ({}),
  };
  return createOrganizationsClient(
    { region: "us-east-1" },
    {
      credentials: FAKE_CREDENTIALS,
      requestHandler: requestHandler as unknown as OrganizationsClientConfig["requestHandler"],
      ...overrides,
    },
  );
}

export interface MockService {
  /** The client discovery uses: real SDK stack, mocked service. */
  readonly client: OrganizationsClient;
  /** Requests the mock answered, per operation. */
  readonly served: Map<string, number>;
  /** Requests the mock rejected with TooManyRequestsException, per operation. */
  readonly throttled: Map<string, number>;
  restore(): void;
}

/**
 * Serves `org` from an aws-sdk-client-mock'ed client behind `clientOverMock`. With `limits`, each
 * operation has a token bucket (full at the start, refilled continuously, like the service's) and
 * a request finding it empty gets TooManyRequestsException. Each request is delayed by a random
 * one-way latency before the bucket is checked and again before the answer is returned.
 */
export function mockOrganizationsService(
  org: FakeOrganization,
  options: {
    limits?: Readonly<Record<string, RateLimit>>;
    fallback?: RateLimit;
    latencyMs?: readonly [number, number];
    seed?: number;
  } = {},
): MockService {
  const backend = new OrganizationsClient({ region: "us-east-1", credentials: FAKE_CREDENTIALS });
  const mock = mockClient(backend);
  const random = randomGenerator(options.seed ?? 7);
  const served = new Map<string, number>();
  const throttled = new Map<string, number>();
  const buckets = new Map<string, { tokens: number; at: number; limit: RateLimit }>();
  const [minLatency, maxLatency] = options.latencyMs ?? [0, 0];
  const delay = (): Promise<void> =>
    maxLatency <= 0
      ? Promise.resolve()
      : new Promise((resolve) =>
          setTimeout(resolve, minLatency + random() * (maxLatency - minLatency)),
        );
  const admit = (operation: string): boolean => {
    if (options.limits === undefined) {
      return true;
    }
    const now = performance.now();
    let bucket = buckets.get(operation);
    if (bucket === undefined) {
      const limit = options.limits[operation] ?? options.fallback ?? UNPUBLISHED_RATE_LIMIT;
      bucket = { tokens: limit.burst, at: now, limit };
      buckets.set(operation, bucket);
    }
    bucket.tokens = Math.min(
      bucket.limit.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * bucket.limit.perSecond,
    );
    bucket.at = now;
    if (bucket.tokens < 1) {
      return false;
    }
    bucket.tokens -= 1;
    return true;
  };
  const serve =
    <Input extends { NextToken?: string; MaxResults?: number }, Output>(
      operation: string,
      answer: (input: Input) => Output,
    ) =>
    async (input: Input): Promise<Output> => {
      await delay();
      if (!admit(operation)) {
        throttled.set(operation, (throttled.get(operation) ?? 0) + 1);
        await delay();
        throw new TooManyRequestsException({
          message:
            "You have sent too many requests in too short a period of time. Try again later.",
          $metadata: {},
        });
      }
      served.set(operation, (served.get(operation) ?? 0) + 1);
      const output = answer(input);
      await delay();
      return output;
    };
  const page = <Item>(
    items: readonly Item[],
    input: { NextToken?: string; MaxResults?: number },
  ) => {
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const size = Math.min(input.MaxResults ?? PAGE_SIZE, PAGE_SIZE);
    const end = start + size;
    return {
      items: items.slice(start, end),
      NextToken: end < items.length ? String(end) : undefined,
    };
  };

  const unitsOf = new Map<string, FakeOrganization["units"][number][]>([[org.root.Id, []]]);
  const accountsOf = new Map<string, FakeOrganization["accounts"][number][]>([[org.root.Id, []]]);
  for (const unit of org.units) {
    unitsOf.set(unit.Id, []);
    accountsOf.set(unit.Id, []);
  }
  for (const unit of org.units) {
    unitsOf.get(unit.ParentId)?.push(unit);
  }
  for (const account of org.accounts) {
    accountsOf.get(account.ParentId)?.push(account);
  }
  const kindOf = (id: string): "ROOT" | "ORGANIZATIONAL_UNIT" | "ACCOUNT" =>
    id.startsWith("r-") ? "ROOT" : id.startsWith("ou-") ? "ORGANIZATIONAL_UNIT" : "ACCOUNT";
  const parentNotFound = (id: string) =>
    new ParentNotFoundException({
      message: `We can't find a root or OU with the ParentId ${id}.`,
      $metadata: {},
    });

  mock.on(DescribeOrganizationCommand).callsFake(
    serve("DescribeOrganization", () => ({
      Organization: { ...org.organization, AvailablePolicyTypes: [] },
    })),
  );
  mock.on(ListRootsCommand).callsFake(
    serve("ListRoots", (input: { NextToken?: string; MaxResults?: number }) => {
      const { items, NextToken } = page([org.root], input);
      return { Roots: items.map((root) => ({ ...root, PolicyTypes: [] })), NextToken };
    }),
  );
  mock.on(ListOrganizationalUnitsForParentCommand).callsFake(
    serve(
      "ListOrganizationalUnitsForParent",
      (input: { ParentId: string; NextToken?: string; MaxResults?: number }) => {
        const children = unitsOf.get(input.ParentId);
        if (children === undefined) {
          throw parentNotFound(input.ParentId);
        }
        const { items, NextToken } = page(children, input);
        return {
          OrganizationalUnits: items.map(({ Id, Arn, Name }) => ({ Id, Arn, Name })),
          NextToken,
        };
      },
    ),
  );
  mock.on(ListAccountsForParentCommand).callsFake(
    serve(
      "ListAccountsForParent",
      (input: { ParentId: string; NextToken?: string; MaxResults?: number }) => {
        const children = accountsOf.get(input.ParentId);
        if (children === undefined) {
          throw parentNotFound(input.ParentId);
        }
        const { items, NextToken } = page(children, input);
        return {
          Accounts: items.map(({ ParentId: _parent, ...account }) => ({
            ...account,
            JoinedMethod: "CREATED",
          })),
          NextToken,
        };
      },
    ),
  );
  mock.on(ListPoliciesCommand).callsFake(
    serve("ListPolicies", (input: { Filter: string; NextToken?: string; MaxResults?: number }) => {
      const { items, NextToken } = page(
        input.Filter === "SERVICE_CONTROL_POLICY" ? org.policies : [],
        input,
      );
      return {
        Policies: items.map(({ Id, Arn, Name, AwsManaged }) => ({
          Id,
          Arn,
          Name,
          AwsManaged,
          Type: "SERVICE_CONTROL_POLICY",
          Description: Name,
        })),
        NextToken,
      };
    }),
  );
  mock.on(ListTargetsForPolicyCommand).callsFake(
    serve(
      "ListTargetsForPolicy",
      (input: { PolicyId: string; NextToken?: string; MaxResults?: number }) => {
        const policy = org.policies.find((candidate) => candidate.Id === input.PolicyId);
        if (policy === undefined) {
          throw new PolicyNotFoundException({
            message: `no policy ${input.PolicyId}`,
            $metadata: {},
          });
        }
        const { items, NextToken } = page(policy.Targets, input);
        return {
          Targets: items.map((id) => ({
            TargetId: id,
            Arn: `arn:${id}`,
            Name: id,
            Type: kindOf(id),
          })),
          NextToken,
        };
      },
    ),
  );
  mock.on(ListDelegatedAdministratorsCommand).callsFake(
    serve(
      "ListDelegatedAdministrators",
      (input: { ServicePrincipal?: string; NextToken?: string; MaxResults?: number }) => {
        const { items, NextToken } = page(org.delegated[input.ServicePrincipal ?? ""] ?? [], input);
        return { DelegatedAdministrators: items.map((Id) => ({ Id })), NextToken };
      },
    ),
  );
  mock.on(ListAWSServiceAccessForOrganizationCommand).callsFake(
    serve(
      "ListAWSServiceAccessForOrganization",
      (input: { NextToken?: string; MaxResults?: number }) => {
        const { items, NextToken } = page(org.servicePrincipals, input);
        return {
          EnabledServicePrincipals: items.map((ServicePrincipal) => ({
            ServicePrincipal,
            DateEnabled: new Date("2024-11-20T10:00:00Z"),
          })),
          NextToken,
        };
      },
    ),
  );
  return { client: clientOverMock(backend), served, throttled, restore: () => mock.restore() };
}

/** Pages of PAGE_SIZE needed for `count` items (an empty list still costs one request). */
export const pages = (count: number): number => Math.max(1, Math.ceil(count / PAGE_SIZE));

/** The fewest requests per operation the page size allows for discovering `org` this way. */
export function fewestCalls(org: FakeOrganization): Record<string, number> {
  const parents = [org.root.Id, ...org.units.map((unit) => unit.Id)];
  const count = <T>(items: readonly T[], key: (item: T) => string) => {
    const counts = new Map<string, number>();
    for (const item of items) {
      counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
    }
    return counts;
  };
  const unitsPer = count(org.units, (unit) => unit.ParentId);
  const accountsPer = count(org.accounts, (account) => account.ParentId);
  const sum = (values: number[]) => values.reduce((total, n) => total + n, 0);
  return {
    DescribeOrganization: 1,
    ListRoots: 1,
    ListOrganizationalUnitsForParent: sum(parents.map((id) => pages(unitsPer.get(id) ?? 0))),
    ListAccountsForParent: sum(parents.map((id) => pages(accountsPer.get(id) ?? 0))),
    ListPolicies: pages(org.policies.length),
    ListTargetsForPolicy: sum(org.policies.map((policy) => pages(policy.Targets.length))),
    ListAWSServiceAccessForOrganization: pages(org.servicePrincipals.length),
    ListDelegatedAdministrators: DELEGATED_SERVICES.length,
  };
}
