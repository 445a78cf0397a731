import * as pulumi from "@pulumi/pulumi";
import { PlannedScp } from "../policies/scpPlan";
import { ServiceControlPolicyComponent } from "./serviceControlPolicy";

export interface GuardrailProtectionArgs {
  /** The rendered protection SCP and the Root/OU ids it is attached to (those of the root-access SCP). */
  readonly scp: PlannedScp;
}

/**
 * The SCP that keeps the guardrails on: members cannot leave the organization, and only the
 * deployment role can weaken the log archive, its keys and (in the delegated-administrator mode)
 * the detection beside the central log group. Runs in the management account.
 */
export class GuardrailProtection extends ServiceControlPolicyComponent {
  constructor(name: string, args: GuardrailProtectionArgs, opts: pulumi.ComponentResourceOptions) {
    super("aws-org-guardrails:scp:GuardrailProtection", name, args.scp, opts);
  }
}
