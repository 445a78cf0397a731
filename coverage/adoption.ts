import { DeclaredTopology, MEMBER_ACCOUNTS_COMPONENT, slug } from "../config/declared";

/**
 * `pulumi import` commands that adopt declared OUs and accounts which already exist in the
 * organization, under the names and parent the program gives them. Run them once per resource
 * not yet in the stack's state (`pulumi stack --show-urns` lists those that are).
 * https://www.pulumi.com/docs/iac/cli/commands/pulumi_import/
 */
export function importCommands(
  stack: string,
  project: string,
  topology: DeclaredTopology,
): string[] {
  return adoptions(stack, project, topology).map((adoption) => adoption.command);
}

/** Each declared OU and account that exists already: its type, Pulumi name, id and command. */
export function adoptions(
  stack: string,
  project: string,
  topology: DeclaredTopology,
): { type: string; name: string; id: string; command: string }[] {
  const component = MEMBER_ACCOUNTS_COMPONENT;
  const parent = `${component}=urn:pulumi:${stack}::${project}::aws-org-guardrails:accounts:MemberAccounts::${component}`;
  const provider = `management=urn:pulumi:${stack}::${project}::pulumi:providers:aws::management`;
  const command = (type: string, name: string, id: string) => ({
    type,
    name,
    id,
    command: `pulumi import --stack ${stack} --yes --parent ${parent} --provider ${provider} ${type} ${name} ${id}`,
  });
  return [
    ...topology.units
      .filter((unit) => unit.existingId !== undefined)
      .map((unit) =>
        command(
          "aws:organizations/organizationalUnit:OrganizationalUnit",
          `${component}-ou-${slug(unit.name)}`,
          unit.existingId as string,
        ),
      ),
    ...topology.accounts
      .filter((account) => account.existingId !== undefined)
      .map((account) =>
        command(
          "aws:organizations/account:Account",
          `${component}-${slug(account.name)}`,
          account.existingId as string,
        ),
      ),
  ];
}
