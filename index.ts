import * as pulumi from "@pulumi/pulumi";
import { failCleanly, loadProgramInputs } from "./config/load";
import { createAccountProviders } from "./components/providers";
import { RootAccessGuardrail } from "./components/rootAccessGuardrail";
import { planServiceControlPolicies } from "./policies/scpPlan";

/**
 * aws-org-guardrails: root-user guardrails for every member account of an AWS organization.
 * Everything that can be wrong with the input is found before the first resource is registered.
 */
export = async () => {
  // 1. Stack config and the organization, validated against each other.
  const { config, organization } = await loadProgramInputs();

  // 2. Every policy document rendered and budgeted.
  const scps = failCleanly(() => planServiceControlPolicies(config, organization));

  // 3. One explicit provider per account.
  const providers = createAccountProviders({
    partition: organization.partition,
    region: config.homeRegion,
    managementAccountId: config.managementAccountId,
    logArchiveAccountId: config.logArchive.accountId,
    logArchiveRoleName: config.logArchive.roleName,
    stack: pulumi.getStack(),
  });

  // 4. The guardrails.
  const rootAccess = new RootAccessGuardrail(
    "root-access",
    { scp: scps.rootAccess },
    { provider: providers.management },
  );

  return {
    organizationId: organization.organization.id,
    rootAccessPolicyId: rootAccess.policy.id,
    rootAccessTargets: scps.rootAccess.targets.map((target) => target.id),
    rootAccessPolicyCharacters: scps.rootAccess.rendered.size,
  };
};
