/**
 * The organization as data: what the program needs to know about AWS Organizations, whether it
 * came from the live API or from a snapshot file. Pure: no AWS or Pulumi imports.
 */

export type AccountState =
  "ACTIVE" | "SUSPENDED" | "PENDING_ACTIVATION" | "PENDING_CLOSURE" | "CLOSED";

export interface OrganizationInfo {
  readonly id: string;
  readonly arn: string;
  readonly managementAccountId: string;
  /** The ARN partition (`aws`, `aws-cn`, `aws-us-gov`), taken from the organization's ARN. */
  readonly partition: string;
}

export interface RootNode {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
}

export interface OrganizationalUnitNode {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly parentId: string;
}

export interface AccountNode {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly email: string;
  readonly state: AccountState;
  readonly parentId: string;
}

export interface PolicyNode {
  readonly id: string;
  readonly name: string;
  /** AWS-managed, like FullAWSAccess. */
  readonly awsManaged: boolean;
  /** Roots, OUs and accounts it is attached to directly. */
  readonly targets: readonly string[];
}

export interface TrailNode {
  readonly name: string;
  readonly arn: string;
  readonly homeRegion: string | undefined;
  readonly organizationTrail: boolean;
  /** The log group it delivers to, `:*` suffix and all, as CloudTrail reports it. */
  readonly logGroupArn: string | undefined;
}

export interface StackInstanceNode {
  readonly accountId: string;
  readonly region: string;
  /** CURRENT, OUTDATED or INOPERABLE. */
  readonly status: string;
  readonly detailedStatus: string | undefined;
  readonly statusReason: string | undefined;
}

export interface StackSetNode {
  readonly name: string;
  /** The region it was read in. */
  readonly region: string;
  readonly exists: boolean;
  readonly instances: readonly StackInstanceNode[];
}

/** A read-only view of one organization with the look-ups the program and its commands need. */
export class OrganizationModel {
  readonly organization: OrganizationInfo;
  readonly root: RootNode;
  readonly organizationalUnits: readonly OrganizationalUnitNode[];
  readonly accounts: readonly AccountNode[];
  /** The SCPs and their direct attachments, when the source recorded them. */
  readonly policies: readonly PolicyNode[] | undefined;
  /** Service principals with trusted access in the organization, when the source recorded them. */
  readonly enabledServicePrincipals: readonly string[] | undefined;
  /** Delegated administrators per service principal, when the source recorded them. */
  readonly delegatedAdministrators:
    | readonly { readonly servicePrincipal: string; readonly accountIds: readonly string[] }[]
    | undefined;
  /** The management account's trails, when the source recorded them. */
  readonly trails: readonly TrailNode[] | undefined;
  /** The fast path's stack set and its instances, when the source recorded them. */
  readonly stackSet: StackSetNode | undefined;
  private readonly unitsById: ReadonlyMap<string, OrganizationalUnitNode>;
  private readonly accountsById: ReadonlyMap<string, AccountNode>;
  private readonly policiesByTarget: ReadonlyMap<string, PolicyNode[]>;

  constructor(args: {
    organization: OrganizationInfo;
    root: RootNode;
    organizationalUnits: readonly OrganizationalUnitNode[];
    accounts: readonly AccountNode[];
    policies?: readonly PolicyNode[];
    enabledServicePrincipals?: readonly string[];
    delegatedAdministrators?: OrganizationModel["delegatedAdministrators"];
    trails?: readonly TrailNode[];
    stackSet?: StackSetNode;
  }) {
    this.organization = args.organization;
    this.root = args.root;
    this.organizationalUnits = args.organizationalUnits;
    this.accounts = args.accounts;
    this.policies = args.policies;
    this.enabledServicePrincipals = args.enabledServicePrincipals;
    this.delegatedAdministrators = args.delegatedAdministrators;
    this.trails = args.trails;
    this.stackSet = args.stackSet;
    this.unitsById = new Map(args.organizationalUnits.map((unit) => [unit.id, unit]));
    this.accountsById = new Map(args.accounts.map((account) => [account.id, account]));
    // Indexed once: FullAWSAccess alone is attached to every root, OU and account.
    const byTarget = new Map<string, PolicyNode[]>();
    for (const policy of args.policies ?? []) {
      for (const target of policy.targets) {
        const list = byTarget.get(target) ?? [];
        list.push(policy);
        byTarget.set(target, list);
      }
    }
    this.policiesByTarget = byTarget;
  }

  get managementAccountId(): string {
    return this.organization.managementAccountId;
  }

  get partition(): string {
    return this.organization.partition;
  }

  account(id: string): AccountNode | undefined {
    return this.accountsById.get(id);
  }

  organizationalUnit(id: string): OrganizationalUnitNode | undefined {
    return this.unitsById.get(id);
  }

  /** True for the root's id and every OU id: the places an SCP can be attached above accounts. */
  isContainer(id: string): boolean {
    return id === this.root.id || this.unitsById.has(id);
  }

  /** Accounts other than the management account: the only ones SCPs act on. */
  memberAccounts(): AccountNode[] {
    return this.accounts.filter((account) => account.id !== this.managementAccountId);
  }

  /**
   * The chain of containers above a node, nearest first, ending with the root. Policies attached
   * anywhere on this chain (or on the node itself) are in force for it.
   */
  ancestors(id: string): string[] {
    const chain: string[] = [];
    let parentId = this.accountsById.get(id)?.parentId ?? this.unitsById.get(id)?.parentId;
    while (parentId !== undefined) {
      chain.push(parentId);
      parentId = this.unitsById.get(parentId)?.parentId;
    }
    return chain;
  }

  /** SCPs attached directly to a root, OU or account (empty when policies were not recorded). */
  policiesAttachedTo(targetId: string): PolicyNode[] {
    return this.policiesByTarget.get(targetId) ?? [];
  }

  /**
   * Whether trusted access for `servicePrincipal` is on: true or false when the source recorded the
   * enabled services, undefined when it did not.
   */
  hasTrustedAccess(servicePrincipal: string): boolean | undefined {
    return this.enabledServicePrincipals?.includes(servicePrincipal);
  }

  /**
   * Whether `accountId` is a delegated administrator for `servicePrincipal`: undefined when the
   * source did not record that service's delegated administrators.
   */
  isDelegatedAdministrator(servicePrincipal: string, accountId: string): boolean | undefined {
    const entry = this.delegatedAdministrators?.find(
      (e) => e.servicePrincipal === servicePrincipal,
    );
    return entry === undefined ? undefined : entry.accountIds.includes(accountId);
  }

  /** A human-readable path such as `Root/Workloads/Prod`, for messages and reports. */
  pathOf(containerId: string): string {
    if (containerId === this.root.id) {
      return this.root.name;
    }
    const unit = this.unitsById.get(containerId);
    if (unit === undefined) {
      return containerId;
    }
    return `${this.pathOf(unit.parentId)}/${unit.name}`;
  }
}
