import { OrganizationModel } from "../org/model";
import { entryName } from "./keys";
import { DeclaredAccount, DeclaredUnit, ROOT_TARGET } from "./schema";

/**
 * The OUs and accounts the stack declares, resolved against the organization: each parent is an
 * existing root/OU or another declared OU, and each declared item that already exists (created by
 * an earlier `pulumi up`, or waiting to be adopted with `pulumi import`) is matched to its id.
 * Pure; the validation and the MemberAccounts component both use it.
 */

/** The MemberAccounts component's name: part of every declared resource's URN. */
export const MEMBER_ACCOUNTS_COMPONENT = "member-accounts";

/** A resource-name suffix from a display name: stable as long as the name is. */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

export type ParentRef =
  | { readonly kind: "existing"; readonly id: string }
  | { readonly kind: "declared"; readonly name: string };

export interface ResolvedUnit extends DeclaredUnit {
  readonly parentRef: ParentRef;
  /** The id of an existing OU with this name under the same (existing) parent. */
  readonly existingId?: string;
}

export interface ResolvedAccount extends DeclaredAccount {
  readonly parentRef: ParentRef;
  /** The id of an existing account with this e-mail address. */
  readonly existingId?: string;
}

export interface DeclaredTopology {
  readonly units: readonly ResolvedUnit[];
  readonly accounts: readonly ResolvedAccount[];
  /** Each with its key's path (`["accounts", 3, "email"]`), named by the caller (config/keys.ts). */
  readonly problems: readonly {
    readonly path: readonly (string | number)[];
    readonly message: string;
  }[];
}

function resolveParent(
  reference: string,
  organization: OrganizationModel,
  declaredNames: ReadonlySet<string>,
): ParentRef | undefined {
  if (reference === ROOT_TARGET || reference === organization.root.id) {
    return { kind: "existing", id: organization.root.id };
  }
  if (organization.organizationalUnit(reference) !== undefined) {
    return { kind: "existing", id: reference };
  }
  return declaredNames.has(reference) ? { kind: "declared", name: reference } : undefined;
}

export function resolveDeclared(
  units: readonly DeclaredUnit[],
  accounts: readonly DeclaredAccount[],
  organization: OrganizationModel,
): DeclaredTopology {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const unitNames = new Set<string>();
  units.forEach((unit, index) => {
    if (unitNames.has(unit.name)) {
      problems.push({
        path: ["organizationalUnits", index, "name"],
        message: `repeats "${unit.name}"; declare each OU once`,
      });
    }
    unitNames.add(unit.name);
  });
  const hint = `use "${ROOT_TARGET}", an OU id of ${organization.organization.id}, or the name of an OU declared in organizationalUnits`;
  const resolvedUnits = units.map((unit, index): ResolvedUnit | undefined => {
    const parentRef = resolveParent(unit.parent, organization, unitNames);
    if (
      parentRef === undefined ||
      (parentRef.kind === "declared" && parentRef.name === unit.name)
    ) {
      problems.push({
        path: ["organizationalUnits", index, "parent"],
        message: `"${unit.parent}" is not a parent this OU can have; ${hint}`,
      });
      return undefined;
    }
    const existingId =
      parentRef.kind === "existing"
        ? organization.organizationalUnits.find(
            (ou) => ou.name === unit.name && ou.parentId === parentRef.id,
          )?.id
        : undefined;
    return { ...unit, parentRef, existingId };
  });
  // Declared OUs must form a tree hanging from existing ones.
  const parentOf = new Map(units.map((unit) => [unit.name, unit.parent]));
  units.forEach((unit, index) => {
    const seen = new Set<string>();
    let current: string | undefined = unit.name;
    while (current !== undefined && unitNames.has(current)) {
      if (seen.has(current)) {
        problems.push({
          path: ["organizationalUnits", index, "parent"],
          message: `the declared OUs ${[...seen].join(" -> ")} form a cycle`,
        });
        break;
      }
      seen.add(current);
      current = parentOf.get(current);
    }
  });

  const accountNames = new Set<string>();
  const emails = new Map<string, number>();
  const resolvedAccounts = accounts.map((account, index): ResolvedAccount | undefined => {
    if (accountNames.has(account.name)) {
      problems.push({
        path: ["accounts", index, "name"],
        message: `repeats "${account.name}"; declare each account once`,
      });
    }
    accountNames.add(account.name);
    const email = account.email.toLowerCase();
    if (emails.has(email)) {
      problems.push({
        path: ["accounts", index, "email"],
        message: `${account.email} is already used by accounts[${entryName(accounts, emails.get(email) ?? index)}]; every account needs its own address`,
      });
    }
    emails.set(email, index);
    const existing = organization.accounts.find(
      (candidate) => candidate.email.toLowerCase() === email,
    );
    if (existing !== undefined && existing.name !== account.name) {
      problems.push({
        path: ["accounts", index, "email"],
        message: `${account.email} belongs to the existing account ${existing.id} (${existing.name}); an address can only be used once in AWS`,
      });
    }
    const parentRef = resolveParent(account.ou, organization, unitNames);
    if (parentRef === undefined) {
      problems.push({
        path: ["accounts", index, "ou"],
        message: `"${account.ou}" is not an OU of this organization or this stack; ${hint}`,
      });
      return undefined;
    }
    return {
      ...account,
      parentRef,
      existingId: existing?.name === account.name ? existing.id : undefined,
    };
  });
  return {
    units: resolvedUnits.filter((unit): unit is ResolvedUnit => unit !== undefined),
    accounts: resolvedAccounts.filter(
      (account): account is ResolvedAccount => account !== undefined,
    ),
    problems,
  };
}

/**
 * The ids above a declared item once it exists: its declared OUs are not ids yet, so they are
 * named `declared:<name>`, followed by the existing chain they hang from.
 */
export function declaredAncestors(
  parentRef: ParentRef,
  topology: DeclaredTopology,
  organization: OrganizationModel,
): string[] {
  const chain: string[] = [];
  let ref: ParentRef | undefined = parentRef;
  const guard = new Set<string>();
  while (ref !== undefined && ref.kind === "declared" && !guard.has(ref.name)) {
    guard.add(ref.name);
    const name: string = ref.name;
    const unit = topology.units.find((candidate) => candidate.name === name);
    chain.push(unit?.existingId ?? `declared:${name}`);
    ref = unit?.parentRef;
  }
  if (ref?.kind === "existing") {
    chain.push(ref.id, ...organization.ancestors(ref.id));
  }
  return chain;
}
