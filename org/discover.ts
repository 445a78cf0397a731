import {
  DescribeOrganizationCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
  paginateListAWSServiceAccessForOrganization,
  paginateListDelegatedAdministrators,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListPolicies,
  paginateListRoots,
  paginateListTargetsForPolicy,
} from "@aws-sdk/client-organizations";
import { setMaxListeners } from "node:events";
import { InputError } from "../lib/errors";
import { ORGANIZATIONS_RATE_LIMITS, RateLimit, RateLimiter } from "./rateLimiter";
import { OrganizationSnapshot } from "./snapshot";

/** Walks in flight per operation unless told otherwise. */
export const DEFAULT_CONCURRENCY = 4;

/**
 * The largest page every List operation used here accepts (MaxResults "Valid Range: Minimum value
 * of 1. Maximum value of 20", e.g.
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListOrganizationalUnitsForParent.html
 * and API_ListTargetsForPolicy.html). Asked for explicitly: the default is "specific to the
 * operation" and may be smaller, which would cost calls.
 */
export const PAGE_SIZE = 20;

export interface DiscoverOptions {
  /**
   * Paginated walks in flight at once per operation (default 4). The rate limiter, not this, sets
   * the pace; a few walks keep each operation's bucket busy while earlier requests are in transit.
   */
  readonly concurrency?: number;
  /** Overrides of the per-operation limits (requests per second and burst) in `ORGANIZATIONS_RATE_LIMITS`. */
  readonly rateLimits?: Readonly<Record<string, RateLimit>>;
  /** A limiter to use instead of a fresh one (say, shared by discoveries of the same account). */
  readonly limiter?: RateLimiter;
  /**
   * Called once per request sent, retries included, with the operation name
   * (`ListAccountsForParent`), just before the request goes out.
   */
  readonly onCall?: (operation: string) => void;
  /**
   * The account the credentials belong to, when known: discovery stops with an error naming the
   * management account if it is another one.
   */
  readonly callerAccountId?: string;
  /** Aborts the discovery; it then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A request that failed (after the SDK's retries), with where: operation, subject and page. */
export class DiscoveryCallError extends Error {
  readonly operation: string;
  readonly subject: string | undefined;
  readonly page: number;

  constructor(operation: string, subject: string | undefined, page: number, cause: unknown) {
    const name = (cause as { name?: string } | undefined)?.name ?? "Error";
    const message = (cause as { message?: string } | undefined)?.message ?? String(cause);
    super(`${describeCall(operation, subject, page)}: ${name}: ${message}`, { cause });
    this.name = "DiscoveryCallError";
    this.operation = operation;
    this.subject = subject;
    this.page = page;
  }

  /** `ListAccountsForParent ou-ab12-34567890 (page 3)`: the request that failed. */
  get call(): string {
    return describeCall(this.operation, this.subject, this.page);
  }
}

function describeCall(operation: string, subject: string | undefined, page: number): string {
  return `${operation}${subject === undefined ? "" : ` ${subject}`}${page > 1 ? ` (page ${page})` : ""}`;
}

const THROTTLING_ERRORS = new Set([
  "TooManyRequestsException",
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "RequestThrottledException",
]);

/** True for the errors the service sends when a request exceeded its rate. */
export function isThrottlingError(error: unknown): boolean {
  const candidate = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return (
    THROTTLING_ERRORS.has(candidate?.name ?? "") || candidate?.$metadata?.httpStatusCode === 429
  );
}

const OPERATION_OF = new Map<unknown, string>([
  [DescribeOrganizationCommand, "DescribeOrganization"],
  [ListRootsCommand, "ListRoots"],
  [ListOrganizationalUnitsForParentCommand, "ListOrganizationalUnitsForParent"],
  [ListAccountsForParentCommand, "ListAccountsForParent"],
  [ListPoliciesCommand, "ListPolicies"],
  [ListTargetsForPolicyCommand, "ListTargetsForPolicy"],
  [ListAWSServiceAccessForOrganizationCommand, "ListAWSServiceAccessForOrganization"],
  [ListDelegatedAdministratorsCommand, "ListDelegatedAdministrators"],
]);

/** The services the program registers a delegated administrator for: their registrations are read. */
export const DELEGATED_SERVICES = ["cloudtrail.amazonaws.com"] as const;

/** What of a command `send` needs here; the SDK's overloads are too generic to name directly. */
interface SentCommand {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
      ) => (args: unknown) => Promise<unknown>,
      options: { step: "finalizeRequest"; priority: "low"; name: string },
    ): void;
  };
}

/**
 * The client as the paginators see it (still an `OrganizationsClient`, as they require), whose
 * `send` waits for the operation's rate-limiter token, reports the call and then sends. Retries
 * happen inside the SDK's `send`; a middleware added to each command (inside the retry loop) makes
 * every retry wait for a token and report itself too, and empties the operation's bucket when the
 * service throttles. With a mocked `send` (aws-sdk-client-mock) there is no retry loop and the
 * first attempt is all there is.
 */
function limitedClient(
  client: OrganizationsClient,
  limiter: RateLimiter,
  signal: AbortSignal,
  onCall: ((operation: string) => void) | undefined,
): OrganizationsClient {
  const limited = Object.create(client) as OrganizationsClient;
  const send = async (command: SentCommand, options?: object): Promise<unknown> => {
    const operation =
      OPERATION_OF.get(command.constructor) ?? command.constructor.name.replace(/Command$/, "");
    await limiter.acquire(operation, signal);
    onCall?.(operation);
    let attempts = 0;
    command.middlewareStack.add(
      (next) => async (args) => {
        attempts += 1;
        if (attempts > 1) {
          await limiter.acquire(operation, signal);
          onCall?.(operation);
        }
        try {
          return await next(args);
        } catch (error) {
          if (isThrottlingError(error)) {
            limiter.throttled(operation);
          }
          throw error;
        }
      },
      { step: "finalizeRequest", priority: "low", name: "discoveryRateLimit" },
    );
    const sendOriginal = client.send.bind(client) as unknown as (
      command: SentCommand,
      options: object,
    ) => Promise<unknown>;
    return sendOriginal(command, { ...options, abortSignal: signal });
  };
  Object.defineProperty(limited, "send", { value: send });
  return limited;
}

/**
 * Runs tasks in lanes (one per operation), at most `concurrency` at once in each (p-queue would do
 * one lane, but it is ESM-only and this project is CommonJS). The first failure
 * aborts the rest; `idle()` settles once nothing runs, rejecting with that failure.
 */
class Lanes {
  private readonly queues = new Map<string, (() => Promise<void>)[]>();
  private readonly running = new Map<string, number>();
  private active = 0;
  private failure: { error: unknown } | undefined;
  private waiting: { resolve: () => void; reject: (error: unknown) => void } | undefined;

  constructor(
    private readonly concurrency: number,
    private readonly onFailure: () => void,
  ) {}

  add(lane: string, task: () => Promise<void>): void {
    if (this.failure !== undefined) {
      return;
    }
    const queue = this.queues.get(lane) ?? [];
    this.queues.set(lane, queue);
    queue.push(task);
    this.pump(lane);
  }

  idle(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.settleIfIdle();
    });
  }

  private pump(lane: string): void {
    const queue = this.queues.get(lane) ?? [];
    while (
      this.failure === undefined &&
      queue.length > 0 &&
      (this.running.get(lane) ?? 0) < this.concurrency
    ) {
      const task = queue.shift() as () => Promise<void>;
      this.running.set(lane, (this.running.get(lane) ?? 0) + 1);
      this.active += 1;
      task()
        .catch((error: unknown) => {
          if (this.failure === undefined) {
            this.failure = { error };
            for (const pending of this.queues.values()) {
              pending.length = 0;
            }
            this.onFailure();
          }
        })
        .finally(() => {
          this.running.set(lane, (this.running.get(lane) ?? 1) - 1);
          this.active -= 1;
          this.pump(lane);
          this.settleIfIdle();
        });
    }
  }

  private settleIfIdle(): void {
    if (this.active > 0 || this.waiting === undefined) {
      return;
    }
    if (this.failure !== undefined) {
      this.waiting.reject(this.failure.error);
    } else {
      this.waiting.resolve();
    }
    this.waiting = undefined;
  }
}

type SnapshotAccount = OrganizationSnapshot["accounts"][number];
type SnapshotUnit = OrganizationSnapshot["organizationalUnits"][number];
type SnapshotPolicy = NonNullable<OrganizationSnapshot["policies"]>[number];

const STATES = new Set(["ACTIVE", "SUSPENDED", "PENDING_ACTIVATION", "PENDING_CLOSURE", "CLOSED"]);
const STATUSES = new Set(["ACTIVE", "SUSPENDED", "PENDING_CLOSURE"]);

/**
 * Reads the live organization into the snapshot format (not yet validated: pass the result to
 * `parseSnapshot`). DescribeOrganization and ListRoots first, then breadth-first from the root:
 * each root or OU costs one ListOrganizationalUnitsForParent walk (which finds the OUs below it)
 * and one ListAccountsForParent walk (which gives every account with its parent, so no ListParents
 * per account); meanwhile ListPolicies (service control policies) and one ListTargetsForPolicy
 * walk per policy record the SCPs and their direct attachments, and
 * ListAWSServiceAccessForOrganization the services with trusted access. Each operation has its own lane
 * of walks and its own token bucket at the published rate, so the operations proceed in parallel
 * and each is paced by its own quota.
 *
 * Resolves only with the whole organization: the first failed request (after the SDK's retries)
 * aborts the other walks and rejects with a `DiscoveryCallError` naming the request, or with an
 * `InputError` for a wrong account. The caller supplies the client; `createOrganizationsClient`
 * in ./live builds one with the SDK's adaptive retry.
 */
export async function discoverOrganization(
  client: OrganizationsClient,
  options: DiscoverOptions = {},
): Promise<OrganizationSnapshot> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  }
  const limiter =
    options.limiter ??
    new RateLimiter({ limits: { ...ORGANIZATIONS_RATE_LIMITS, ...options.rateLimits } });
  const controller = new AbortController();
  const abortFromCaller = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) {
    abortFromCaller();
  }
  options.signal?.addEventListener("abort", abortFromCaller, { once: true });
  const signal = controller.signal;
  // Every waiting token request and every request in flight listens for the abort.
  setMaxListeners(0, signal);
  const limited = limitedClient(client, limiter, signal, options.onCall);
  const pagination = { client: limited, pageSize: PAGE_SIZE };

  try {
    const described = await walk("DescribeOrganization", undefined, [
      limited.send(new DescribeOrganizationCommand({})),
    ]);
    const organization = described[0].Organization;
    if (
      organization?.Id === undefined ||
      organization.Arn === undefined ||
      organization.MasterAccountId === undefined
    ) {
      throw new InputError(
        "DescribeOrganization returned no organization: use credentials of the organization's management account",
      );
    }
    if (
      options.callerAccountId !== undefined &&
      options.callerAccountId !== organization.MasterAccountId
    ) {
      throw new InputError(
        `these credentials are for account ${options.callerAccountId}, not the management account ${organization.MasterAccountId} of ${organization.Id}: use the management account's credentials (--profile)`,
      );
    }
    if (organization.FeatureSet === "CONSOLIDATED_BILLING") {
      throw new InputError(
        `${organization.Id} has only consolidated billing features: enable all features in the organization (service control policies need them)`,
      );
    }

    let rootPages;
    try {
      rootPages = await walk("ListRoots", undefined, paginateListRoots(pagination, {}));
    } catch (error) {
      const name = ((error as DiscoveryCallError).cause as { name?: string } | undefined)?.name;
      if (name === "AccessDeniedException" || name === "AccessDenied") {
        throw new InputError(
          `ListRoots was denied: these credentials are not the management account's (${organization.MasterAccountId}) or lack organizations:ListRoots; discover with the management account's credentials (--profile)`,
        );
      }
      throw error;
    }
    const roots = rootPages
      .flatMap((page) => page.Roots ?? [])
      .map((root) => ({ Id: root.Id ?? "", Arn: root.Arn ?? "", Name: root.Name ?? "Root" }));
    if (roots.length !== 1) {
      throw new InputError(
        `ListRoots returned ${roots.length} roots where an organization has exactly one; rerun discover`,
      );
    }

    const units = new Map<string, SnapshotUnit>();
    const accounts = new Map<string, SnapshotAccount>();
    const policies = new Map<string, SnapshotPolicy>();
    const lanes = new Lanes(concurrency, () => controller.abort(new Error("discovery failed")));

    const readUnits = (parentId: string) => async (): Promise<void> => {
      await walk(
        "ListOrganizationalUnitsForParent",
        parentId,
        paginateListOrganizationalUnitsForParent(pagination, { ParentId: parentId }),
        (page) => {
          for (const unit of page.OrganizationalUnits ?? []) {
            const id = unit.Id ?? "";
            if (units.has(id)) {
              continue;
            }
            units.set(id, {
              Id: id,
              Arn: unit.Arn ?? "",
              Name: unit.Name ?? "",
              ParentId: parentId,
            });
            lanes.add("ListOrganizationalUnitsForParent", readUnits(id));
            lanes.add("ListAccountsForParent", readAccounts(id));
          }
        },
      );
    };
    const readAccounts = (parentId: string) => async (): Promise<void> => {
      await walk(
        "ListAccountsForParent",
        parentId,
        paginateListAccountsForParent(pagination, { ParentId: parentId }),
        (page) => {
          for (const account of page.Accounts ?? []) {
            const id = account.Id ?? "";
            const seen = accounts.get(id);
            if (seen !== undefined && seen.ParentId !== parentId) {
              throw new InputError(
                `account ${id} was listed under both ${seen.ParentId} and ${parentId}: it moved while discover ran; run discover again`,
              );
            }
            accounts.set(id, {
              Id: id,
              Arn: account.Arn ?? "",
              Name: account.Name ?? "",
              Email: account.Email ?? "",
              ...(account.Status !== undefined && STATUSES.has(account.Status)
                ? { Status: account.Status as SnapshotAccount["Status"] }
                : {}),
              ...(account.State !== undefined && STATES.has(account.State)
                ? { State: account.State as SnapshotAccount["State"] }
                : {}),
              ParentId: parentId,
            });
          }
        },
      );
    };
    const readTargets = (policy: SnapshotPolicy) => async (): Promise<void> => {
      await walk(
        "ListTargetsForPolicy",
        policy.Id,
        paginateListTargetsForPolicy(pagination, { PolicyId: policy.Id }),
        (page) => {
          for (const target of page.Targets ?? []) {
            policy.Targets.push(target.TargetId ?? "");
          }
        },
      );
    };
    const readPolicies = async (): Promise<void> => {
      await walk(
        "ListPolicies",
        undefined,
        paginateListPolicies(pagination, { Filter: "SERVICE_CONTROL_POLICY" }),
        (page) => {
          for (const summary of page.Policies ?? []) {
            const id = summary.Id ?? "";
            if (policies.has(id)) {
              continue;
            }
            const policy: SnapshotPolicy = {
              Id: id,
              Name: summary.Name ?? "",
              AwsManaged: summary.AwsManaged ?? false,
              Targets: [],
            };
            policies.set(id, policy);
            lanes.add("ListTargetsForPolicy", readTargets(policy));
          }
        },
      );
    };

    const servicePrincipals = new Map<string, string | undefined>();
    const readTrustedAccess = async (): Promise<void> => {
      await walk(
        "ListAWSServiceAccessForOrganization",
        undefined,
        paginateListAWSServiceAccessForOrganization(pagination, {}),
        (page) => {
          for (const entry of page.EnabledServicePrincipals ?? []) {
            if (entry.ServicePrincipal !== undefined) {
              servicePrincipals.set(entry.ServicePrincipal, entry.DateEnabled?.toISOString());
            }
          }
        },
      );
    };

    const delegated = new Map<string, string[]>();
    const readDelegated = (servicePrincipal: string) => async (): Promise<void> => {
      const accountIds: string[] = [];
      delegated.set(servicePrincipal, accountIds);
      await walk(
        "ListDelegatedAdministrators",
        servicePrincipal,
        paginateListDelegatedAdministrators(pagination, { ServicePrincipal: servicePrincipal }),
        (page) => {
          for (const account of page.DelegatedAdministrators ?? []) {
            if (account.Id !== undefined) {
              accountIds.push(account.Id);
            }
          }
        },
      );
    };

    const rootId = roots[0].Id;
    for (const servicePrincipal of DELEGATED_SERVICES) {
      lanes.add("ListDelegatedAdministrators", readDelegated(servicePrincipal));
    }
    lanes.add("ListAWSServiceAccessForOrganization", readTrustedAccess);
    lanes.add("ListOrganizationalUnitsForParent", readUnits(rootId));
    lanes.add("ListAccountsForParent", readAccounts(rootId));
    lanes.add("ListPolicies", readPolicies);
    await lanes.idle();

    return {
      organization: {
        Id: organization.Id,
        Arn: organization.Arn,
        MasterAccountId: organization.MasterAccountId,
        ...(organization.MasterAccountArn === undefined
          ? {}
          : { MasterAccountArn: organization.MasterAccountArn }),
        ...(organization.MasterAccountEmail === undefined
          ? {}
          : { MasterAccountEmail: organization.MasterAccountEmail }),
        ...(organization.FeatureSet === undefined
          ? {}
          : { FeatureSet: organization.FeatureSet as "ALL" | "CONSOLIDATED_BILLING" }),
      },
      roots,
      ...inTreeOrder(rootId, roots[0].Name, [...units.values()], [...accounts.values()]),
      policies: [...policies.values()]
        .map((policy) => ({ ...policy, Targets: [...new Set(policy.Targets)].sort() }))
        .sort((a, b) => compare(a.Name, b.Name) || compare(a.Id, b.Id)),
      delegatedAdministrators: [...delegated]
        .sort(([a], [b]) => compare(a, b))
        .map(([ServicePrincipal, AccountIds]) => ({
          ServicePrincipal,
          AccountIds: [...AccountIds].sort(),
        })),
      enabledServicePrincipals: [...servicePrincipals]
        .sort(([a], [b]) => compare(a, b))
        .map(([ServicePrincipal, DateEnabled]) => ({
          ServicePrincipal,
          ...(DateEnabled === undefined ? {} : { DateEnabled }),
        })),
    };
  } catch (error) {
    if (options.signal?.aborted) {
      throw options.signal.reason;
    }
    // Nothing should still wait, but nothing may outlive a failed discovery either.
    controller.abort(new Error("discovery failed"));
    throw error;
  } finally {
    options.signal?.removeEventListener("abort", abortFromCaller);
  }
}

/**
 * Follows one walk (a paginator, or a single request) to its end, handing each page to `onPage`.
 * A failure becomes a `DiscoveryCallError` naming the request, except errors that already say
 * what to do (`InputError`) and aborts caused by another walk's failure.
 */
async function walk<Page>(
  operation: string,
  subject: string | undefined,
  pages: AsyncIterable<Page> | Iterable<Promise<Page>>,
  onPage: (page: Page) => void = () => undefined,
): Promise<Page[]> {
  const seen: Page[] = [];
  try {
    for await (const page of pages) {
      seen.push(page);
      onPage(page);
    }
  } catch (error) {
    if (error instanceof InputError || error instanceof DiscoveryCallError) {
      throw error;
    }
    throw new DiscoveryCallError(operation, subject, seen.length + 1, error);
  }
  return seen;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * OUs and accounts in a stable order whatever order the walks finished in: OUs by their path from
 * the root (`Root/Workloads/Prod`), accounts by their parent's path, then name and id.
 */
function inTreeOrder(
  rootId: string,
  rootName: string,
  units: SnapshotUnit[],
  accounts: SnapshotAccount[],
): Pick<OrganizationSnapshot, "organizationalUnits" | "accounts"> {
  const byId = new Map(units.map((unit) => [unit.Id, unit]));
  const paths = new Map<string, string>([[rootId, rootName]]);
  const pathOf = (id: string, depth = 0): string => {
    const known = paths.get(id);
    if (known !== undefined) {
      return known;
    }
    const unit = byId.get(id);
    // Depth guard: parseSnapshot reports loops and strays; ordering must not hang on them.
    const path =
      unit === undefined || depth > units.length
        ? id
        : `${pathOf(unit.ParentId, depth + 1)}/${unit.Name}\u0000${unit.Id}`;
    paths.set(id, path);
    return path;
  };
  return {
    organizationalUnits: [...units].sort((a, b) => compare(pathOf(a.Id), pathOf(b.Id))),
    accounts: [...accounts].sort(
      (a, b) =>
        compare(pathOf(a.ParentId), pathOf(b.ParentId)) ||
        compare(a.Name, b.Name) ||
        compare(a.Id, b.Id),
    ),
  };
}
