import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlannedScp } from "../policies/scpPlan";

/**
 * One planned SCP and its attachments to each target: the one component class for every entry of
 * policies/scpDefinitions.ts. Its type token comes from the definition
 * (`aws-org-guardrails:scp:RootAccessGuardrail`, ...), so the URNs of stacks deployed before the
 * SCPs became data are unchanged. Only adds this program's own policies: FullAWSAccess, which lets
 * anything be allowed at all, is never attached, detached or changed. Runs in the management
 * account: pass its provider.
 */
export class ServiceControlPolicy extends pulumi.ComponentResource {
  readonly policy: aws.organizations.Policy;
  readonly attachments: aws.organizations.PolicyAttachment[];

  constructor(scp: PlannedScp, opts: pulumi.ComponentResourceOptions) {
    super(
      scp.definition.componentType,
      scp.resourceName,
      {},
      {
        ...opts,
        // A renamed definition keeps its deployed resources: the old token or name is an alias, so
        // Pulumi moves the component (and its children, whose URNs embed it) instead of replacing.
        aliases: [
          ...(opts.aliases ?? []),
          ...(scp.definition.previously ?? []).map((old) => ({
            type: old.componentType ?? scp.definition.componentType,
            name:
              old.resourceName === undefined
                ? scp.resourceName
                : old.resourceName + scp.resourceName.slice(scp.definition.resourceName.length),
          })),
        ],
      },
    );
    const name = scp.resourceName;
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

/**
 * The stack outputs of the SCPs, per definition: `<kind>PolicyId`, `<kind>Targets` and
 * `<kind>PolicyCharacters` for one that is never split, `<kind>PolicyIds` and
 * `<kind>PolicyCharacters` (lists, one per part) for a splittable one.
 */
export function scpOutputs(
  components: readonly { readonly scp: PlannedScp; readonly component: ServiceControlPolicy }[],
): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  const kinds = [...new Set(components.map(({ scp }) => scp.kind))];
  for (const kind of kinds) {
    const parts = components.filter(({ scp }) => scp.kind === kind);
    if (parts[0].scp.definition.splittable) {
      outputs[`${kind}PolicyIds`] = parts.map(({ component }) => component.policy.id);
      outputs[`${kind}PolicyCharacters`] = parts.map(({ scp }) => scp.rendered.size);
    } else {
      outputs[`${kind}PolicyId`] = parts[0].component.policy.id;
      outputs[`${kind}Targets`] = parts[0].scp.targets.map((target) => target.id);
      outputs[`${kind}PolicyCharacters`] = parts[0].scp.rendered.size;
    }
  }
  return outputs;
}
