import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * Organization-wide switches this program turns on and never turns off. Deleting an
 * `AwsServiceAccess` calls DisableAWSServiceAccess, which removes trusted access for the whole
 * organization: other tools' organization trails stop being managed for member accounts, AWS
 * Config organization rules and conformance packs are removed, and IAM's centralized root access
 * stops working ("Disabling trusted access ... may cause the service to stop working in all
 * accounts"). A `pulumi destroy`, or turning `rootMfaRule` or `centralizedRootAccess` off, must
 * not do that to tools this stack does not own, so these resources are retained on delete: the
 * stack forgets them and the organization keeps its setting. Enabling is idempotent, so adopting a
 * service principal that is already enabled changes nothing.
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_DisableAWSServiceAccess.html
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services.html#orgs_how-to-disable
 */
export const ORGANIZATION_WIDE: Pick<pulumi.CustomResourceOptions, "retainOnDelete"> = {
  retainOnDelete: true,
};

/** Trusted access for `servicePrincipal`, in the management account (the parent's provider). */
export function trustedAccess(
  name: string,
  servicePrincipal: string,
  parent: pulumi.Resource,
  opts: pulumi.CustomResourceOptions = {},
): aws.organizations.AwsServiceAccess {
  return new aws.organizations.AwsServiceAccess(
    name,
    { servicePrincipal },
    { ...opts, parent, ...ORGANIZATION_WIDE },
  );
}
