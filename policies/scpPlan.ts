import { GuardrailConfig } from "../config/schema";
import { resolveTarget } from "../config/validate";
import { OrganizationModel } from "../org/model";
import { buildRootAccessScp } from "./rootAccessScp";
import { RenderedScp, renderScp } from "./scpBudget";

export interface ScpTarget {
  /** The id AWS attaches to: `r-...` or `ou-...`. */
  readonly id: string;
  /** Where it sits, e.g. `Root/Workloads`, for the plan and reports. */
  readonly path: string;
}

export interface PlannedScp {
  readonly rendered: RenderedScp;
  readonly targets: readonly ScpTarget[];
}

export interface ScpPlan {
  readonly rootAccess: PlannedScp;
}

/**
 * Decides, from validated config and the organization, every SCP the program attaches and where.
 * Pure, and run before any resource is registered, so a policy over budget is a config error.
 */
export function planServiceControlPolicies(
  config: GuardrailConfig,
  organization: OrganizationModel,
): ScpPlan {
  const targets = config.rootAccess.targets.map((target) => {
    const id = resolveTarget(target, organization);
    if (id === undefined) {
      // validateGuardrailConfig rejects unknown targets; reaching here means it was skipped.
      throw new Error(`SCP target ${target} is not in the organization`);
    }
    return { id, path: organization.pathOf(id) };
  });
  const rootAccess = renderScp(
    "root-access",
    buildRootAccessScp({
      partition: organization.partition,
      breakGlass: config.rootAccess.breakGlass,
    }),
    config.scpLimits.maxPolicyCharacters,
    "Close break-glass entries that are no longer needed (aws-org-guardrails:rootAccess.breakGlass).",
  );
  return { rootAccess: { rendered: rootAccess, targets } };
}
