import {
  DescribeOrganizationCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
} from "@aws-sdk/client-organizations";
import { InputError } from "../lib/errors";
import { OrganizationSnapshot } from "./snapshot";

export interface DiscoverOptions {
  /** Parents read at once; the Organizations API throttles per operation (quotas page). */
  readonly concurrency?: number;
}

/**
 * Reads the live organization into the snapshot format, breadth-first from the root. Each
 * parent costs one ListOrganizationalUnitsForParent and one ListAccountsForParent walk, which
 * also yields every account's parent without a ListParents call per account.
 * The caller supplies the client, configured with the SDK's adaptive retry mode.
 */
export async function discoverOrganization(
  client: OrganizationsClient,
  options: DiscoverOptions = {},
): Promise<OrganizationSnapshot> {
  const concurrency = options.concurrency ?? 4;
  const described = await client.send(new DescribeOrganizationCommand({}));
  const organization = described.Organization;
  if (
    organization?.Id === undefined ||
    organization.Arn === undefined ||
    organization.MasterAccountId === undefined
  ) {
    throw new InputError(
      "DescribeOrganization returned no organization: are these credentials for an organization's account?",
    );
  }
  const rootsResponse = await client.send(new ListRootsCommand({}));
  const roots = (rootsResponse.Roots ?? []).map((root) => ({
    Id: root.Id ?? "",
    Arn: root.Arn ?? "",
    Name: root.Name ?? "Root",
  }));
  const snapshot: OrganizationSnapshot = {
    organization: {
      Id: organization.Id,
      Arn: organization.Arn,
      MasterAccountId: organization.MasterAccountId,
      MasterAccountArn: organization.MasterAccountArn,
      MasterAccountEmail: organization.MasterAccountEmail,
      FeatureSet: organization.FeatureSet as "ALL" | "CONSOLIDATED_BILLING" | undefined,
    },
    roots,
    organizationalUnits: [],
    accounts: [],
  };
  const pending = roots.map((root) => root.Id);
  const readParent = async (parentId: string): Promise<void> => {
    for await (const page of paginateListOrganizationalUnitsForParent(
      { client },
      { ParentId: parentId },
    )) {
      for (const unit of page.OrganizationalUnits ?? []) {
        snapshot.organizationalUnits.push({
          Id: unit.Id ?? "",
          Arn: unit.Arn ?? "",
          Name: unit.Name ?? "",
          ParentId: parentId,
        });
        pending.push(unit.Id ?? "");
      }
    }
    for await (const page of paginateListAccountsForParent({ client }, { ParentId: parentId })) {
      for (const account of page.Accounts ?? []) {
        snapshot.accounts.push({
          Id: account.Id ?? "",
          Arn: account.Arn ?? "",
          Name: account.Name ?? "",
          Email: account.Email ?? "",
          Status: account.Status as "ACTIVE" | "SUSPENDED" | "PENDING_CLOSURE" | undefined,
          ParentId: parentId,
        });
      }
    }
  };
  const inFlight = new Set<Promise<void>>();
  try {
    while (pending.length > 0 || inFlight.size > 0) {
      while (pending.length > 0 && inFlight.size < concurrency) {
        const task: Promise<void> = readParent(pending.shift() as string).finally(() =>
          inFlight.delete(task),
        );
        inFlight.add(task);
      }
      if (inFlight.size > 0) {
        await Promise.race(inFlight);
      }
    }
  } catch (error) {
    // Let the other walks finish so that none rejects later unobserved; the first error wins.
    await Promise.allSettled(inFlight);
    throw error;
  }
  return snapshot;
}
