import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlannedScp } from "../policies/scpPlan";
import { createScpWithAttachments } from "./serviceControlPolicy";

export interface RootAccessGuardrailArgs {
  /** The rendered root-access SCP and the Root/OU ids it is attached to. */
  readonly scp: PlannedScp;
}

/**
 * The SCP that denies the root user of every member account (except AssumeRoot sessions and open
 * break-glass windows), attached to each configured target. Runs in the management account: pass
 * its provider.
 */
export class RootAccessGuardrail extends pulumi.ComponentResource {
  readonly policy: aws.organizations.Policy;
  readonly attachments: aws.organizations.PolicyAttachment[];

  constructor(name: string, args: RootAccessGuardrailArgs, opts: pulumi.ComponentResourceOptions) {
    super("aws-org-guardrails:scp:RootAccessGuardrail", name, {}, opts);
    ({ policy: this.policy, attachments: this.attachments } = createScpWithAttachments(
      this,
      name,
      args.scp,
    ));
    this.registerOutputs({
      policyId: this.policy.id,
      targetIds: args.scp.targets.map((target) => target.id),
    });
  }
}
