import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlannedScp } from "../policies/scpPlan";

export interface RootAccessGuardrailArgs {
  /** The rendered root-access SCP and the Root/OU ids it is attached to. */
  readonly scp: PlannedScp;
}

/**
 * The SCP that denies the root user of every member account (except AssumeRoot sessions and open
 * break-glass windows), attached to each configured target. It only adds a Deny policy: the
 * FullAWSAccess policy that lets anything be allowed at all is never attached, detached or changed.
 * Runs in the management account: pass its provider.
 */
export class RootAccessGuardrail extends pulumi.ComponentResource {
  readonly policy: aws.organizations.Policy;
  readonly attachments: aws.organizations.PolicyAttachment[];

  constructor(name: string, args: RootAccessGuardrailArgs, opts: pulumi.ComponentResourceOptions) {
    super("aws-org-guardrails:scp:RootAccessGuardrail", name, {}, opts);
    this.policy = new aws.organizations.Policy(
      `${name}-policy`,
      {
        name: "aws-org-guardrails-root-access",
        description:
          "Denies the root user of member accounts, except AssumeRoot sessions and open break-glass windows. Managed by aws-org-guardrails.",
        type: "SERVICE_CONTROL_POLICY",
        content: args.scp.rendered.content,
      },
      { parent: this },
    );
    this.attachments = args.scp.targets.map(
      (target) =>
        new aws.organizations.PolicyAttachment(
          `${name}-${target.id}`,
          { policyId: this.policy.id, targetId: target.id },
          { parent: this },
        ),
    );
    this.registerOutputs({
      policyId: this.policy.id,
      targetIds: args.scp.targets.map((target) => target.id),
    });
  }
}
