import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_DIR } from "../offline/stackFile";
import { RecordedResource } from "../offline/engine";
import { DEV, devOrganization } from "./support/fixtures";
import {
  accountOfResource,
  PHASES,
  PlanContext,
  ProviderRequest,
  providerRequests,
} from "./support/deploymentRole";
import { runProgram } from "./support/program";
import { Decision, principals, simulateScp } from "./support/scpSimulator";

/**
 * The deployment role of the README (docs/deployment-role.json) proved sufficient, and no wider
 * than it says: every call the provider makes to create, read, update and delete each resource the
 * plan puts in the management account (offline/providerFacts.ts), on the ARNs of the plan, in both
 * log-group locations and with every option on, is simulated with @cloud-copilot/iam-simulate
 * against the role's policy; so are the live organization read of `pulumi preview` and the
 * providers' own calls. SCPs never apply to the management account, so none are passed.
 */

const organization = devOrganization();
const ROLE_NAME = "aws-org-guardrails-deployment";
const principal = principals.roleSession(
  { partition: "aws", organizationId: DEV.organizationId, orgPath: `${DEV.organizationId}/` },
  DEV.management,
  ROLE_NAME,
  "pulumi",
);
const NOW = "2026-12-01T12:00:00Z";

/** The three managed policies the README tells users to attach to the role. */
export const ROLE_DOCUMENTS = [
  "deployment-role.json",
  "deployment-role-resources.json",
  "deployment-role-fast-path.json",
];

/** A policy document as the README tells users to install it, with these ids. */
function deploymentRolePolicy(
  file: string,
  ids: Record<string, string> = {
    "<management account>": DEV.management,
    "<log-archive account>": DEV.logArchive,
    "<organization id>": DEV.organizationId,
    "<log-archive role>": "OrganizationAccountAccessRole",
  },
): string {
  let text = readFileSync(path.join(PROJECT_DIR, "docs", file), "utf8");
  for (const [placeholder, value] of Object.entries(ids)) {
    text = text.replaceAll(placeholder, value);
  }
  expect(text).not.toMatch(/<[a-z -]+>/);
  return text;
}
const POLICIES = ROLE_DOCUMENTS.map((file) => ({
  name: file,
  policy: JSON.parse(deploymentRolePolicy(file)),
}));

/**
 * The trust policy Organizations gives OrganizationAccountAccessRole in a member account: the
 * management account may assume it (its IAM policies decide who).
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_create-cross-account-role.html
 */
const ACCESS_ROLE_TRUST = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${DEV.management}:root` },
      Action: "sts:AssumeRole",
    },
  ],
};

async function decide(
  request: Omit<ProviderRequest, "why">,
  resourcePolicy?: unknown,
): Promise<Decision> {
  const outcome = await simulateScp({
    chain: [{ id: DEV.management }],
    managementAccount: true,
    principal,
    action: request.action,
    resource: { arn: request.resource, accountId: accountOfArn(request.resource) },
    context: { "aws:CurrentTime": NOW, ...request.context },
    identityPolicies: POLICIES,
    ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
  });
  return outcome.decision;
}

function accountOfArn(arn: string): string {
  if (arn === "*") {
    return DEV.management;
  }
  const account = arn.split(":")[4];
  return /^\d{12}$/.test(account) ? account : DEV.management;
}

const VARIANTS: Record<string, Record<string, string>> = {
  "log group in the management account": {},
  "log group in the log-archive account, while moving": {
    "aws-org-guardrails:centralLogs": JSON.stringify({
      location: "delegatedAdministrator",
      movingFrom: "management",
    }),
  },
  "every option": {
    "aws-org-guardrails:rootMfaRule": JSON.stringify({ enabled: true }),
    "aws-org-guardrails:organizationalUnits": JSON.stringify([
      { name: "Payments", parent: DEV.workloadsOu },
    ]),
    "aws-org-guardrails:accounts": JSON.stringify([
      { name: "payments-dr", email: "aws-payments-dr@example.com", ou: "Payments" },
      {
        name: "payments-sandbox",
        email: "aws-payments-sandbox@example.com",
        ou: DEV.sandboxOu,
        closeOnDeletion: true,
      },
    ]),
    "aws-org-guardrails:alerts": JSON.stringify({
      emails: ["oncall@example.com"],
      subscriptions: [{ protocol: "https", endpoint: "https://hooks.example.com/root" }],
    }),
  },
};

/** Every provider request of a plan for the resources in the management account. */
async function managementRequests(
  resources: readonly RecordedResource[],
): Promise<ProviderRequest[]> {
  const ctx: PlanContext = {
    partition: "aws",
    region: "eu-west-1",
    managementAccountId: DEV.management,
    organization,
    defaultTags: { "managed-by": "aws-org-guardrails", "guardrails-stack": "dev" },
    resources,
  };
  const requests: ProviderRequest[] = [];
  for (const resource of resources) {
    if (
      !resource.custom ||
      resource.type.startsWith("pulumi:providers:") ||
      accountOfResource(resources, resource) !== DEV.management
    ) {
      continue;
    }
    for (const phase of PHASES) {
      requests.push(...(await providerRequests(resource, phase, ctx)));
    }
  }
  return requests;
}

describe("the deployment role (docs/deployment-role.json) is enough for every provider call", async () => {
  const plans = await Promise.all(
    Object.entries(VARIANTS).map(async ([variant, config]) => ({
      variant,
      resources: (await runProgram({ config })).resources,
    })),
  );

  for (const { variant, resources } of plans) {
    it(`${variant}: every create, read, update and delete call is allowed`, async () => {
      const requests = await managementRequests(resources);
      expect(requests.length).toBeGreaterThan(150);
      const seen = new Set<string>();
      const refused: string[] = [];
      for (const request of requests) {
        const key = JSON.stringify([
          request.action,
          request.resource,
          request.context,
          request.resourcePolicy,
        ]);
        if (seen.has(key)) {
          continue;
        }
        seen.add(key);
        const decision = await decide(request, request.resourcePolicy);
        if (decision !== "Allowed") {
          refused.push(`${request.why}: ${request.action} on ${request.resource} -> ${decision}`);
        }
      }
      expect(refused).toEqual([]);
    });
  }

  it("covers the providers' own calls and the live organization read of pulumi preview", async () => {
    const reads: Omit<ProviderRequest, "why">[] = [
      // The log-archive provider assumes the role the protection SCP exempts.
      {
        action: "sts:AssumeRole",
        resource: `arn:aws:iam::${DEV.logArchive}:role/OrganizationAccountAccessRole`,
        context: {},
      },
      // org/discover.ts: every operation, on the resources it names.
      { action: "organizations:DescribeOrganization", resource: "*", context: {} },
      { action: "organizations:ListRoots", resource: "*", context: {} },
      ...[organization.root.arn, organization.organizationalUnit(DEV.prodOu)!.arn].flatMap(
        (parent) => [
          {
            action: "organizations:ListOrganizationalUnitsForParent",
            resource: parent,
            context: {},
          },
          { action: "organizations:ListAccountsForParent", resource: parent, context: {} },
        ],
      ),
      { action: "organizations:ListPolicies", resource: "*", context: {} },
      {
        action: "organizations:ListTargetsForPolicy",
        resource: `arn:aws:organizations::${DEV.management}:policy/${DEV.organizationId}/service_control_policy/p-examplepo`,
        context: { "organizations:PolicyType": "SERVICE_CONTROL_POLICY" },
      },
      { action: "organizations:ListAWSServiceAccessForOrganization", resource: "*", context: {} },
      {
        action: "organizations:ListDelegatedAdministrators",
        resource: "*",
        context: { "organizations:ServicePrincipal": "cloudtrail.amazonaws.com" },
      },
      // org/trails.ts: the organization trails.
      { action: "cloudtrail:DescribeTrails", resource: "*", context: {} },
    ];
    for (const request of reads) {
      const trust = request.action === "sts:AssumeRole" ? ACCESS_ROLE_TRUST : undefined;
      expect({ ...request, decision: await decide(request, trust) }).toEqual({
        ...request,
        decision: "Allowed",
      });
    }
  });
});

describe("the deployment role's documents fit IAM", () => {
  it("each managed policy stays within 6,144 characters (whitespace not counted), with the longest ids", () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html ("Managed policy size")
    for (const file of ROLE_DOCUMENTS) {
      const text = deploymentRolePolicy(file, {
        "<management account>": "123456789012",
        "<log-archive account>": "123456789012",
        "<organization id>": `o-${"a".repeat(32)}`,
        "<log-archive role>": "r".repeat(64),
      });
      expect({ file, size: text.replace(/\s/g, "").length <= 6144 }).toEqual({ file, size: true });
    }
  });
});

describe("the deployment role is no wider than the program needs", () => {
  const scp = (id: string, type = "service_control_policy") =>
    `arn:aws:organizations::${DEV.management}:policy/${DEV.organizationId}/${type}/p-${id}`;
  const ours = { "aws:ResourceTag/managed-by": "aws-org-guardrails" };
  const cases: [string, Omit<ProviderRequest, "why">][] = [
    [
      "never disables trusted access (the program retains it)",
      {
        action: "organizations:DisableAWSServiceAccess",
        resource: "*",
        context: { "organizations:ServicePrincipal": "cloudtrail.amazonaws.com" },
      },
    ],
    [
      "enables trusted access only for the services the program uses",
      {
        action: "organizations:EnableAWSServiceAccess",
        resource: "*",
        context: { "organizations:ServicePrincipal": "ram.amazonaws.com" },
      },
    ],
    [
      "never deactivates StackSets' trusted access (the program retains it)",
      { action: "cloudformation:DeactivateOrganizationsAccess", resource: "*", context: {} },
    ],
    [
      "passes the forwarding role to no service outside the program's (EC2, say)",
      {
        action: "iam:PassRole",
        resource: `arn:aws:iam::${DEV.management}:role/aws-org-guardrails-root-activity-forwarder`,
        context: { "iam:PassedToService": "ec2.amazonaws.com" },
      },
    ],
    [
      "changes no stack set of someone else's",
      {
        action: "cloudformation:UpdateStackSet",
        resource: `arn:aws:cloudformation:eu-west-1:${DEV.management}:stackset/AWSControlTowerBP-BASELINE-ROLES:0123abcd-0000-0000-0000-000000000000`,
        context: {},
      },
    ],
    [
      "never disables centralized root access (the program retains it)",
      { action: "iam:DisableOrganizationsRootSessions", resource: "*", context: {} },
    ],
    [
      "changes no SCP of someone else's",
      {
        action: "organizations:UpdatePolicy",
        resource: scp("someoneelse"),
        context: { "organizations:PolicyType": "SERVICE_CONTROL_POLICY" },
      },
    ],
    [
      "attaches no policy of another type (resource control, tag, backup policies)",
      {
        action: "organizations:AttachPolicy",
        resource: scp("rcp0000001", "resource_control_policy"),
        context: { "organizations:PolicyType": "RESOURCE_CONTROL_POLICY", ...ours },
      },
    ],
    [
      "attaches nothing to an account (the program attaches at the Root and OUs)",
      {
        action: "organizations:AttachPolicy",
        resource: organization.account(DEV.paymentsProd)!.arn,
        context: { "organizations:PolicyType": "SERVICE_CONTROL_POLICY" },
      },
    ],
    [
      "detaches no SCP of someone else's",
      {
        action: "organizations:DetachPolicy",
        resource: scp("someoneelse"),
        context: { "organizations:PolicyType": "SERVICE_CONTROL_POLICY" },
      },
    ],
    [
      "closes no account it did not create (the log-archive account, say)",
      {
        action: "organizations:CloseAccount",
        resource: organization.account(DEV.logArchive)!.arn,
        context: {},
      },
    ],
    [
      "passes no role but its own",
      {
        action: "iam:PassRole",
        resource: `arn:aws:iam::${DEV.management}:role/OrganizationAccountAccessRole`,
        context: { "iam:PassedToService": "lambda.amazonaws.com" },
      },
    ],
    [
      "creates service-linked roles only for the services the program uses",
      {
        action: "iam:CreateServiceLinkedRole",
        resource: `arn:aws:iam::${DEV.management}:role/aws-service-role/ram.amazonaws.com/AWSServiceRoleForResourceAccessManager`,
        context: { "iam:AWSServiceName": "ram.amazonaws.com" },
      },
    ],
  ];
  for (const [name, request] of cases) {
    it(name, async () => {
      expect(await decide(request)).not.toBe("Allowed");
    });
  }
});
