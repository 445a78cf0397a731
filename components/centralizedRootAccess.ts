import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ORGANIZATION_WIDE, trustedAccess } from "./organizationSettings";

/**
 * Centralized root access (AWS, November 2024): trusted access for IAM, then the organization
 * features that let the management account remove member root credentials and start short,
 * task-scoped root sessions with `sts:AssumeRoot`. That is the audited path the root-access SCP
 * leaves open (`Null aws:AssumedRoot`). Runs in the management account: pass its provider.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user-access-management
 */
export class CentralizedRootAccess extends pulumi.ComponentResource {
  readonly features: aws.iam.OrganizationsFeatures;

  constructor(name: string, opts: pulumi.ComponentResourceOptions) {
    super("aws-org-guardrails:rootaccess:CentralizedRootAccess", name, {}, opts);
    const access = trustedAccess(`${name}-trusted-access`, "iam.amazonaws.com", this);
    // Deleting the features would disable centralized root access for the whole organization
    // (DisableOrganizationsRootCredentialsManagement / RootSessions): retained like trusted access.
    this.features = new aws.iam.OrganizationsFeatures(
      `${name}-features`,
      { enabledFeatures: ["RootCredentialsManagement", "RootSessions"] },
      { parent: this, dependsOn: [access], ...ORGANIZATION_WIDE },
    );
    this.registerOutputs({ enabledFeatures: this.features.enabledFeatures });
  }
}
