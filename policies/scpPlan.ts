import { GuardrailNames } from "../config/names";
import { GuardrailConfig } from "../config/schema";
import { resolveTarget } from "../config/validate";
import { InputError } from "../lib/errors";
import { OrganizationModel } from "../org/model";
import { SCP_DEFINITIONS, ScpDefinition, ScpKind } from "./scpDefinitions";
import { RenderedScp, renderScp, renderSplittableScp } from "./scpBudget";

export interface ScpTarget {
  /** The id AWS attaches to: `r-...` or `ou-...`. */
  readonly id: string;
  /** Where it sits, e.g. `Root/Workloads`, for the plan and reports. */
  readonly path: string;
}

export interface PlannedScp {
  /** Which definition it comes from (policies/scpDefinitions.ts). */
  readonly kind: ScpKind;
  readonly definition: ScpDefinition;
  /** The policy's name in AWS Organizations. */
  readonly name: string;
  /** The Pulumi name of the component that attaches it; stable while the policy is. */
  readonly resourceName: string;
  readonly description: string;
  readonly rendered: RenderedScp;
  readonly targets: readonly ScpTarget[];
}

export interface ScpPlan {
  /** Every SCP the program attaches, in the order of SCP_DEFINITIONS (a split one in parts). */
  readonly all: readonly PlannedScp[];
  /** The SCPs of one definition: one, or the parts of a split one. */
  ofKind(kind: ScpKind): readonly PlannedScp[];
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
  const input = { config, names, organization };
  const all: PlannedScp[] = SCP_DEFINITIONS.flatMap((definition: ScpDefinition) => {
    const document = definition.build(input);
    // A policy that grows with what it guards is split over more SCPs (at the same targets)
    // rather than refused when it does not fit one.
    const parts = definition.splittable
      ? renderSplittableScp(definition.label, document, limit, definition.overBudgetHint)
      : [renderScp(definition.label, document, limit, definition.overBudgetHint)];
    return parts.map((rendered, index) => ({
      kind: definition.kind as ScpKind,
      definition,
      name: index === 0 ? definition.policyName : `${definition.policyName}-${index + 1}`,
      resourceName:
        index === 0 ? definition.resourceName : `${definition.resourceName}-${index + 1}`,
      description: definition.description,
      rendered,
      targets,
    }));
  });
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
  return { all, ofKind: (kind) => all.filter((scp) => scp.kind === kind) };
}
