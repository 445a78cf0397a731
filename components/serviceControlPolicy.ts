import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlannedScp } from "../policies/scpPlan";

/**
 * One planned SCP and its attachments, as children of `parent`. Only adds policies of this
 * program: FullAWSAccess, which lets anything be allowed at all, is never attached, detached or
 * changed.
 */
export function createScpWithAttachments(
  parent: pulumi.ComponentResource,
  name: string,
  scp: PlannedScp,
): { policy: aws.organizations.Policy; attachments: aws.organizations.PolicyAttachment[] } {
  const policy = new aws.organizations.Policy(
    `${name}-policy`,
    {
      name: scp.name,
      description: scp.description,
      type: "SERVICE_CONTROL_POLICY",
      content: scp.rendered.content,
    },
    { parent },
  );
  const attachments = scp.targets.map(
    (target) =>
      new aws.organizations.PolicyAttachment(
        `${name}-${target.id}`,
        { policyId: policy.id, targetId: target.id },
        { parent },
      ),
  );
  return { policy, attachments };
}
