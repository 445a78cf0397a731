import * as pulumi from "@pulumi/pulumi";
import { PlannedScp } from "../policies/scpPlan";
import { ServiceControlPolicyComponent } from "./serviceControlPolicy";

export interface RootAccessGuardrailArgs {
  /** The rendered root-access SCP and the Root/OU ids it is attached to. */
  readonly scp: PlannedScp;
}

/**
 * The SCP that denies the root user of every member account (except AssumeRoot sessions and open
 * break-glass windows), attached to each configured target. Runs in the management account.
 */
export class RootAccessGuardrail extends ServiceControlPolicyComponent {
  constructor(name: string, args: RootAccessGuardrailArgs, opts: pulumi.ComponentResourceOptions) {
    super("aws-org-guardrails:scp:RootAccessGuardrail", name, args.scp, opts);
  }
}
