import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { trustedAccess } from "./organizationSettings";

/**
 * The AWS Config organization managed rule `root-account-mfa-enabled`, evaluated in every member
 * account. It needs an AWS Config recorder in each account (this program does not create them),
 * and reports NOT_APPLICABLE for accounts whose root credentials were removed through centralized
 * root access. Runs in the management account: pass its provider.
 * https://docs.aws.amazon.com/config/latest/developerguide/root-account-mfa-enabled.html
 */
export class RootMfaRule extends pulumi.ComponentResource {
  readonly rule: aws.cfg.OrganizationManagedRule;

  constructor(name: string, opts: pulumi.ComponentResourceOptions) {
    super("aws-org-guardrails:compliance:RootMfaRule", name, {}, opts);
    const access = trustedAccess(
      `${name}-trusted-access`,
      "config-multiaccountsetup.amazonaws.com",
      this,
    );
    this.rule = new aws.cfg.OrganizationManagedRule(
      `${name}-rule`,
      {
        name: "aws-org-guardrails-root-account-mfa-enabled",
        ruleIdentifier: "ROOT_ACCOUNT_MFA_ENABLED",
        description:
          "Reports member accounts whose root user has no MFA device. Managed by aws-org-guardrails.",
        maximumExecutionFrequency: "TwentyFour_Hours",
      },
      { parent: this, dependsOn: [access] },
    );
    this.registerOutputs({ ruleArn: this.rule.arn });
  }
}
