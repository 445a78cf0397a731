import { z } from "zod";
import { humanIssueMessage } from "../config/messages";
import { formatIssuePath, InputError } from "../lib/errors";
import { AccountState, OrganizationModel } from "./model";

/**
 * The snapshot file: the organization in the Organizations API's own field names
 * (DescribeOrganization, ListRoots, ListOrganizationalUnitsForParent, ListAccounts), so a file
 * written by `npm run discover` and one assembled by hand from `aws organizations ...` output read
 * the same. Identifier shapes are the ones the API reference documents for each field.
 */

// https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html
const organizationId = z.string().regex(/^o-[a-z0-9]{10,32}$/, "must look like o-exampleorgid");
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_Root.html
const rootId = z.string().regex(/^r-[0-9a-z]{4,32}$/, "must look like r-examplerootid");
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_OrganizationalUnit.html
const unitId = z
  .string()
  .regex(/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/, "must look like ou-abcd-12345678");
const accountId = z.string().regex(/^\d{12}$/, "must be a 12-digit account id");
const arn = z
  .string()
  .regex(/^arn:aws[a-z-]*:organizations::\d{12}:/, "must be an Organizations ARN");
const accountStates = [
  "ACTIVE",
  "SUSPENDED",
  "PENDING_ACTIVATION",
  "PENDING_CLOSURE",
  "CLOSED",
] as const;

export const snapshotSchema = z.object({
  organization: z.object({
    Id: organizationId,
    Arn: arn,
    MasterAccountId: accountId,
    MasterAccountArn: z.string().optional(),
    MasterAccountEmail: z.string().optional(),
    FeatureSet: z.enum(["ALL", "CONSOLIDATED_BILLING"]).optional(),
  }),
  roots: z.array(z.object({ Id: rootId, Arn: arn, Name: z.string().min(1) })).length(1, {
    message: "an organization has exactly one root",
  }),
  organizationalUnits: z.array(
    z.object({ Id: unitId, Arn: arn, Name: z.string().min(1), ParentId: z.string() }),
  ),
  accounts: z.array(
    z.object({
      Id: accountId,
      Arn: arn,
      Name: z.string(),
      Email: z.string(),
      // `Status` is what ListAccounts has always returned; `State` is its 2025 successor with
      // PENDING_ACTIVATION, PENDING_CLOSURE and CLOSED. Either is accepted; `State` wins when both are present.
      Status: z.enum(["ACTIVE", "SUSPENDED", "PENDING_CLOSURE"]).optional(),
      State: z.enum(accountStates).optional(),
      ParentId: z.string(),
    }),
  ),
  // Optional: the service control policies and where each is attached directly (ListPolicies and
  // ListTargetsForPolicy), so coverage can tell which SCPs are in force for an account.
  policies: z
    .array(
      z.object({
        Id: z.string().regex(/^p-[0-9a-zA-Z_]{8,128}$/, "must look like p-examplepolicyid"),
        Name: z.string(),
        AwsManaged: z.boolean().optional(),
        Targets: z.array(z.string()),
      }),
    )
    .optional(),
  // Optional: the services with trusted access (ListAWSServiceAccessForOrganization), so the plan
  // can say which of the program's trusted-access resources adopt a setting that is already on.
  // DateEnabled is kept as the ISO text JSON gives.
  enabledServicePrincipals: z
    .array(
      z.object({
        ServicePrincipal: z.string().min(1),
        DateEnabled: z.string().optional(),
      }),
    )
    .optional(),
  // Optional: the delegated administrators of the services the program registers one for
  // (ListDelegatedAdministrators per service principal), so the plan can adopt a registration.
  delegatedAdministrators: z
    .array(
      z.object({
        ServicePrincipal: z.string().min(1),
        AccountIds: z.array(accountId),
      }),
    )
    .optional(),
  // Optional: the organization trails (CloudTrail DescribeTrails with shadow trails, in the
  // management account), so validation can tell a move of the central log group from a rename.
  trails: z
    .array(
      z.object({
        Name: z.string().min(1),
        TrailARN: z
          .string()
          .regex(/^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/.+$/, "must be a trail ARN"),
        HomeRegion: z.string().optional(),
        IsOrganizationTrail: z.boolean().optional(),
        CloudWatchLogsLogGroupArn: z.string().optional(),
      }),
    )
    .optional(),
  // Optional: the fast path's stack set and its instances (ListStackInstances), so coverage can
  // tell, per member account and region, whether root events reach EventBridge's rule.
  stackSet: z
    .object({
      StackSetName: z.string().min(1),
      // Where it was read: the stack set lives in the stack's homeRegion.
      Region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be a region such as eu-west-1"),
      Exists: z.boolean(),
      Instances: z.array(
        z.object({
          Account: accountId,
          Region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be a region such as eu-west-1"),
          // CURRENT, OUTDATED or INOPERABLE; DetailedStatus SUCCEEDED, RUNNING, FAILED, ...
          Status: z.string().min(1),
          DetailedStatus: z.string().optional(),
          StatusReason: z.string().optional(),
        }),
      ),
    })
    .optional(),
});

export type OrganizationSnapshot = z.infer<typeof snapshotSchema>;

/**
 * Parses and checks a snapshot document: every id well-formed and unique, every parent a root or
 * OU of this organization, no cycles, the management account present, all features enabled (SCPs
 * need them). Throws an `InputError` listing every problem, each prefixed with `source`.
 */
export function parseSnapshot(document: unknown, source: string): OrganizationModel {
  // The same readable messages as the stack config: what was given, what is expected.
  const parsed = snapshotSchema.safeParse(document, { error: humanIssueMessage });
  if (!parsed.success) {
    throw new InputError(
      `${source}: not a valid organization snapshot`,
      parsed.error.issues.map(
        (issue) => `${formatIssuePath(issue.path) || "(document)"}: ${issue.message}`,
      ),
    );
  }
  const snapshot = parsed.data;
  const problems: string[] = [];
  const root = snapshot.roots[0];
  const containerIds = new Set<string>([root.Id]);
  for (const unit of snapshot.organizationalUnits) {
    if (containerIds.has(unit.Id)) {
      problems.push(`organizationalUnits: ${unit.Id} appears more than once`);
    }
    containerIds.add(unit.Id);
  }
  snapshot.organizationalUnits.forEach((unit, index) => {
    if (!containerIds.has(unit.ParentId)) {
      problems.push(
        `organizationalUnits[${index}].ParentId: ${unit.ParentId} is neither the root nor an OU in this snapshot`,
      );
    }
  });
  const seenAccounts = new Set<string>();
  snapshot.accounts.forEach((account, index) => {
    if (seenAccounts.has(account.Id)) {
      problems.push(`accounts[${index}].Id: ${account.Id} appears more than once`);
    }
    seenAccounts.add(account.Id);
    if (!containerIds.has(account.ParentId)) {
      problems.push(
        `accounts[${index}].ParentId: ${account.ParentId} is neither the root nor an OU in this snapshot`,
      );
    }
  });
  const parentOf = new Map(snapshot.organizationalUnits.map((unit) => [unit.Id, unit.ParentId]));
  for (const unit of snapshot.organizationalUnits) {
    const visited = new Set<string>();
    let current: string | undefined = unit.Id;
    while (current !== undefined && current !== root.Id) {
      if (visited.has(current)) {
        problems.push(
          `organizationalUnits: the parent chain of ${unit.Id} loops and never reaches the root`,
        );
        break;
      }
      visited.add(current);
      current = parentOf.get(current);
    }
  }
  if (!seenAccounts.has(snapshot.organization.MasterAccountId)) {
    problems.push(
      `organization.MasterAccountId: ${snapshot.organization.MasterAccountId} is not among the accounts`,
    );
  }
  if (snapshot.organization.FeatureSet === "CONSOLIDATED_BILLING") {
    problems.push(
      "organization.FeatureSet: service control policies need all features enabled (FeatureSet ALL)",
    );
  }
  (snapshot.policies ?? []).forEach((policy, index) => {
    policy.Targets.forEach((target, targetIndex) => {
      if (!containerIds.has(target) && !seenAccounts.has(target)) {
        problems.push(
          `policies[${index}].Targets[${targetIndex}]: ${target} is not a root, OU or account in this snapshot`,
        );
      }
    });
  });
  if (problems.length > 0) {
    throw new InputError(`${source}: not a valid organization snapshot`, problems);
  }
  const partition = snapshot.organization.Arn.split(":")[1];
  return new OrganizationModel({
    organization: {
      id: snapshot.organization.Id,
      arn: snapshot.organization.Arn,
      managementAccountId: snapshot.organization.MasterAccountId,
      partition,
    },
    root: { id: root.Id, arn: root.Arn, name: root.Name },
    organizationalUnits: snapshot.organizationalUnits.map((unit) => ({
      id: unit.Id,
      arn: unit.Arn,
      name: unit.Name,
      parentId: unit.ParentId,
    })),
    accounts: snapshot.accounts.map((account) => ({
      id: account.Id,
      arn: account.Arn,
      name: account.Name,
      email: account.Email,
      state: (account.State ?? account.Status ?? "ACTIVE") as AccountState,
      parentId: account.ParentId,
    })),
    policies:
      snapshot.policies === undefined
        ? undefined
        : snapshot.policies.map((policy) => ({
            id: policy.Id,
            name: policy.Name,
            awsManaged: policy.AwsManaged ?? false,
            targets: policy.Targets,
          })),
    enabledServicePrincipals: snapshot.enabledServicePrincipals?.map(
      (entry) => entry.ServicePrincipal,
    ),
    delegatedAdministrators: snapshot.delegatedAdministrators?.map((entry) => ({
      servicePrincipal: entry.ServicePrincipal,
      accountIds: entry.AccountIds,
    })),
    trails: snapshot.trails?.map((trail) => ({
      name: trail.Name,
      arn: trail.TrailARN,
      homeRegion: trail.HomeRegion,
      organizationTrail: trail.IsOrganizationTrail ?? false,
      logGroupArn: trail.CloudWatchLogsLogGroupArn,
    })),
    stackSet:
      snapshot.stackSet === undefined
        ? undefined
        : {
            name: snapshot.stackSet.StackSetName,
            region: snapshot.stackSet.Region,
            exists: snapshot.stackSet.Exists,
            instances: snapshot.stackSet.Instances.map((instance) => ({
              accountId: instance.Account,
              region: instance.Region,
              status: instance.Status,
              detailedStatus: instance.DetailedStatus,
              statusReason: instance.StatusReason,
            })),
          },
  });
}
