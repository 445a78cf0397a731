import { GuardrailNames } from "../config/names";
import { GuardrailConfig } from "../config/schema";
import { OrganizationModel } from "../org/model";
import { PolicyDocument } from "./document";
import { buildProtectionScp } from "./protectionScp";
import { buildRootAccessScp } from "./rootAccessScp";

/** What a builder may read: the validated config, the derived names and the organization. */
export interface ScpBuildInput {
  readonly config: GuardrailConfig;
  readonly names: GuardrailNames;
  readonly organization: OrganizationModel;
}

/**
 * One SCP the program attaches, as data: everything else (the plan and its budget, the component
 * that creates and attaches it, the stack outputs, the coverage report's column and gap text) is
 * derived from these fields. Adding an SCP is a builder, one entry in `SCP_DEFINITIONS`, and tests.
 *
 * The component type token and the Pulumi names are part of every deployed stack's URNs: changing
 * either of an existing entry is a replacement of its policy and attachments, so never rename
 * them without recording the old ones in `previously` (they become Pulumi aliases).
 */
export interface ScpDefinition {
  /** Also the stem of its stack outputs (`<kind>PolicyId`...) and coverage field (`<kind>Scp`). */
  readonly kind: string;
  /** The component's type token, `aws-org-guardrails:scp:<Name>`. */
  readonly componentType: string;
  /** The Pulumi name of its component; a split policy's parts get `-2`, `-3`, ... */
  readonly resourceName: string;
  /** Its name in AWS Organizations; split parts get the same suffixes. */
  readonly policyName: string;
  readonly description: string;
  readonly build: (input: ScpBuildInput) => PolicyDocument;
  /**
   * Whether a document over the size budget is split over more SCPs at the same targets (each
   * statement whole) instead of refused: for policies that grow with what they guard.
   */
  readonly splittable: boolean;
  /** What to do when it does not fit, for the one-line error. */
  readonly overBudgetHint: string;
  /**
   * What it was called in earlier releases, if its token or name ever changed: each becomes a
   * Pulumi alias, so deployed stacks move the component instead of replacing the policy.
   */
  readonly previously?: readonly {
    readonly componentType?: string;
    readonly resourceName?: string;
  }[];
  /** The coverage report's column header. */
  readonly column: string;
  /** How errors and the coverage report's gaps name it: "the <label> SCP". */
  readonly label: string;
}

export const SCP_DEFINITIONS = [
  {
    kind: "rootAccess",
    componentType: "aws-org-guardrails:scp:RootAccessGuardrail",
    resourceName: "root-access",
    policyName: "aws-org-guardrails-root-access",
    description:
      "Denies the root user of member accounts, except AssumeRoot sessions and open break-glass windows. Managed by aws-org-guardrails.",
    build: ({ config, organization }) =>
      buildRootAccessScp({
        partition: organization.partition,
        breakGlass: config.rootAccess.breakGlass,
      }),
    splittable: false,
    overBudgetHint:
      "Close break-glass entries that are no longer needed (aws-org-guardrails:rootAccess.breakGlass).",
    column: "root SCP",
    label: "root-access",
  },
  {
    kind: "protection",
    componentType: "aws-org-guardrails:scp:GuardrailProtection",
    resourceName: "guardrail-protection",
    policyName: "aws-org-guardrails-protection",
    description:
      "Members cannot leave the organization or weaken the log archive and root-activity detection. Managed by aws-org-guardrails.",
    build: ({ config, names }) =>
      buildProtectionScp({
        names,
        exceptRoleArnPatterns: config.protection.exceptRoleArnPatterns ?? [
          names.logArchiveDeploymentRoleArn,
        ],
        protectDetection: config.centralLogs.location === "delegatedAdministrator",
        protectBacktest: config.backtest.enabled,
      }),
    splittable: true,
    overBudgetHint:
      "Shorten aws-org-guardrails:protection.exceptRoleArnPatterns, or raise scpLimits.maxPolicyCharacters to 10240 if the organization has the 2026 quota.",
    column: "protection",
    label: "protection",
  },
] as const satisfies readonly ScpDefinition[];

export type ScpKind = (typeof SCP_DEFINITIONS)[number]["kind"];
