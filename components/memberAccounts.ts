import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DeclaredTopology, ParentRef, slug } from "../config/declared";

export interface MemberAccountsArgs {
  /** Declared OUs and accounts, resolved against the organization (config/declared.ts). */
  readonly topology: DeclaredTopology;
  /**
   * The SCP attachments every new account must be under from its first minute. CreateAccount
   * returns while the account is being set up, and on a first `pulumi up` an account that does not
   * wait for them could exist, with its root user's password recoverable, before the root-access
   * SCP is attached.
   */
  readonly guardrails: readonly pulumi.Resource[];
}

/**
 * The OUs and member accounts the stack declares. Onboarding an account is one config entry and
 * one new resource: guardrails are attached at the Root or OUs, so nothing else changes, and the
 * account is under every guardrail of its OU from the moment it exists. Runs in the management
 * account: pass its provider.
 */
export class MemberAccounts extends pulumi.ComponentResource {
  readonly organizationalUnits: Map<string, aws.organizations.OrganizationalUnit>;
  readonly accounts: Map<string, aws.organizations.Account>;

  constructor(name: string, args: MemberAccountsArgs, opts: pulumi.ComponentResourceOptions) {
    super("aws-org-guardrails:accounts:MemberAccounts", name, {}, opts);
    const { topology } = args;
    this.organizationalUnits = new Map();
    this.accounts = new Map();

    const parentId = (ref: ParentRef): pulumi.Input<string> => {
      if (ref.kind === "existing") {
        return ref.id;
      }
      return this.unit(ref.name).id;
    };
    // Parents first: validation guarantees the declared OUs form a tree below existing ones.
    const pending = [...topology.units];
    while (pending.length > 0) {
      const index = pending.findIndex(
        (unit) =>
          unit.parentRef.kind === "existing" || this.organizationalUnits.has(unit.parentRef.name),
      );
      if (index < 0) {
        throw new Error(
          `declared OUs without a resolvable parent: ${pending.map((unit) => unit.name).join(", ")}`,
        );
      }
      const [unit] = pending.splice(index, 1);
      this.organizationalUnits.set(
        unit.name,
        new aws.organizations.OrganizationalUnit(
          `${name}-ou-${slug(unit.name)}`,
          { name: unit.name, parentId: parentId(unit.parentRef) },
          { parent: this },
        ),
      );
    }

    for (const account of topology.accounts) {
      this.accounts.set(
        account.name,
        new aws.organizations.Account(
          `${name}-${slug(account.name)}`,
          {
            name: account.name,
            email: account.email,
            parentId: parentId(account.parentRef),
            tags: account.tags,
            ...(account.roleName === undefined ? {} : { roleName: account.roleName }),
            closeOnDeletion: account.closeOnDeletion,
          },
          {
            parent: this,
            dependsOn: [...args.guardrails],
            // Organizations cannot report these back: after an import they would always differ.
            ignoreChanges: ["roleName", "iamUserAccessToBilling"],
            // Removing an entry only forgets the account, unless config asks to close it: an
            // account removed from its organization needs its own payment method and support plan.
            retainOnDelete: !account.closeOnDeletion,
          },
        ),
      );
    }
    this.registerOutputs({
      accountIds: Object.fromEntries(
        [...this.accounts].map(([accountName, resource]) => [accountName, resource.id]),
      ),
    });
  }

  private unit(unitName: string): aws.organizations.OrganizationalUnit {
    const unit = this.organizationalUnits.get(unitName);
    if (unit === undefined) {
      throw new Error(`declared OU ${unitName} is not created yet`);
    }
    return unit;
  }
}
