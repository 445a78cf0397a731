import { GuardrailNames } from "../config/names";
import { GuardrailConfig } from "../config/schema";
import { resolveTarget } from "../config/validate";
import { InputError } from "../lib/errors";
import { OrganizationModel } from "../org/model";
import { buildProtectionScp } from "./protectionScp";
import { buildRootAccessScp } from "./rootAccessScp";
import { RenderedScp, renderScp, renderSplittableScp } from "./scpBudget";

export interface ScpTarget {
  /** The id AWS attaches to: `r-...` or `ou-...`. */
  readonly id: string;
  /** Where it sits, e.g. `Root/Workloads`, for the plan and reports. */
  readonly path: string;
}

export interface PlannedScp {
  /** The policy's name in AWS Organizations. */
  readonly name: string;
  /** The Pulumi name of the component that attaches it; stable while the policy is. */
  readonly resourceName: string;
  readonly description: string;
  readonly rendered: RenderedScp;
  readonly targets: readonly ScpTarget[];
}

export interface ScpPlan {
  readonly rootAccess: PlannedScp;
  /** The protection SCP, split over more than one when it does not fit the size budget. */
  readonly protection: readonly PlannedScp[];
  /** Every SCP the program attaches, in a stable order. */
  readonly all: readonly PlannedScp[];
}

/** AWS's FullAWSAccess SCP takes one of the directly-attached slots of every target. */
const FULL_AWS_ACCESS_SLOTS = 1;

/**
 * Decides, from validated config and the organization, every SCP the program attaches and where,
 * rendered and budgeted: the size of each document and the number of SCPs directly attached to
 * each target (FullAWSAccess included). Pure, and run before any resource is registered, so a
 * policy over budget is a config error, not a failed `pulumi up` half-way through.
 */
export function planServiceControlPolicies(
  config: GuardrailConfig,
  organization: OrganizationModel,
  names: GuardrailNames,
): ScpPlan {
  const targets = config.rootAccess.targets.map((target) => {
    const id = resolveTarget(target, organization);
    if (id === undefined) {
      // validateGuardrailConfig rejects unknown targets; reaching here means it was skipped.
      throw new Error(`SCP target ${target} is not in the organization`);
    }
    return { id, path: organization.pathOf(id) };
  });
  const limit = config.scpLimits.maxPolicyCharacters;
  const rootAccess: PlannedScp = {
    name: "aws-org-guardrails-root-access",
    resourceName: "root-access",
    description:
      "Denies the root user of member accounts, except AssumeRoot sessions and open break-glass windows. Managed by aws-org-guardrails.",
    rendered: renderScp(
      "root-access",
      buildRootAccessScp({
        partition: organization.partition,
        breakGlass: config.rootAccess.breakGlass,
      }),
      limit,
      "Close break-glass entries that are no longer needed (aws-org-guardrails:rootAccess.breakGlass).",
    ),
    targets,
  };
  // The protection SCP grows with the resources it guards; it is split over more SCPs (at the
  // same targets) rather than refused when it does not fit one.
  const protection: PlannedScp[] = renderSplittableScp(
    "protection",
    buildProtectionScp({
      names,
      exceptRoleArnPatterns: config.protection.exceptRoleArnPatterns ?? [
        names.logArchiveDeploymentRoleArn,
      ],
      protectDetection: config.centralLogs.location === "delegatedAdministrator",
    }),
    limit,
    "Shorten aws-org-guardrails:protection.exceptRoleArnPatterns, or raise scpLimits.maxPolicyCharacters to 10240 if the organization has the 2026 quota.",
  ).map((rendered, index) => ({
    name:
      index === 0 ? "aws-org-guardrails-protection" : `aws-org-guardrails-protection-${index + 1}`,
    resourceName: index === 0 ? "guardrail-protection" : `guardrail-protection-${index + 1}`,
    description:
      "Members cannot leave the organization or weaken the log archive and root-activity detection. Managed by aws-org-guardrails.",
    rendered,
    targets,
  }));
  const all = [rootAccess, ...protection];
  // Existing SCPs count too (when the organization source recorded them): AWS refuses an
  // attachment past the quota, after the policies themselves were already created.
  const ours = new Set(all.map((scp) => scp.name));
  for (const target of targets) {
    const existing = organization
      .policiesAttachedTo(target.id)
      .filter((policy) => !ours.has(policy.name) && policy.name !== "FullAWSAccess");
    const perTarget = FULL_AWS_ACCESS_SLOTS + existing.length + all.length;
    if (perTarget > config.scpLimits.maxPoliciesPerTarget) {
      const others =
        existing.length > 0
          ? `, ${existing.length} already there (${existing.map((p) => p.name).join(", ")})`
          : "";
      throw new InputError(
        `${target.id} (${target.path}) would have ${perTarget} SCPs attached directly (FullAWSAccess${others} and ${all.length} of this program's), ` +
          `over aws-org-guardrails:scpLimits.maxPoliciesPerTarget (${config.scpLimits.maxPoliciesPerTarget}).`,
      );
    }
  }
  return { rootAccess, protection, all };
}
