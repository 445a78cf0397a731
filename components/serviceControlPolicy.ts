import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlannedScp } from "../policies/scpPlan";

/**
 * One planned SCP and its attachments to each target. Only adds this program's own policies:
 * FullAWSAccess, which lets anything be allowed at all, is never attached, detached or changed.
 * Runs in the management account: pass its provider.
 */
export abstract class ServiceControlPolicyComponent extends pulumi.ComponentResource {
  readonly policy: aws.organizations.Policy;
  readonly attachments: aws.organizations.PolicyAttachment[];

  protected constructor(
    type: string,
    name: string,
    scp: PlannedScp,
    opts: pulumi.ComponentResourceOptions,
  ) {
    super(type, name, {}, opts);
    this.policy = new aws.organizations.Policy(
      `${name}-policy`,
      {
        name: scp.name,
        description: scp.description,
        type: "SERVICE_CONTROL_POLICY",
        content: scp.rendered.content,
      },
      { parent: this },
    );
    this.attachments = scp.targets.map(
      (target) =>
        new aws.organizations.PolicyAttachment(
          `${name}-${target.id}`,
          { policyId: this.policy.id, targetId: target.id },
          { parent: this },
        ),
    );
    this.registerOutputs({
      policyId: this.policy.id,
      targetIds: scp.targets.map((target) => target.id),
    });
  }
}
