import { GuardrailNames } from "../config/names";
import { GuardrailConfig } from "../config/schema";
import { OrganizationModel } from "../org/model";
import { RecordedResource } from "./engine";

const SERVICE_ACCESS = "aws:organizations/awsServiceAccess:AwsServiceAccess";

export interface PlanNotesInput {
  readonly stack: string;
  readonly config: GuardrailConfig;
  readonly names: GuardrailNames;
  readonly organization: OrganizationModel;
  readonly resources: readonly RecordedResource[];
}

/**
 * What a reader of the plan must know beyond the list of resources: which organization-wide
 * settings it adopts rather than turns on, and, while the central log group moves, the exact
 * steps of the move. Pure: derived from the validated inputs and the recorded registrations.
 */
export function planNotes(input: PlanNotesInput): string[] {
  return [
    ...trustedAccessNotes(input),
    ...delegatedAdminNotes(input),
    ...moveNotes(input),
    ...pagingNotes(input),
  ];
}

/**
 * Without `alerts.paging`, pages go to the alert subscribers, who also receive every approved
 * root use (AssumeRoot sessions, break-glass events) and the root-usage alarms: the on-call is
 * then paged for approved work, which is the fatigue the paging topic exists to end.
 */
function pagingNotes({ config, names }: PlanNotesInput): string[] {
  if (config.alerts.paging !== undefined) {
    return [];
  }
  return [
    `Paging: alerts.paging is not set, so ${names.pagingTopicName} pages the alert subscribers, ` +
      "who also receive approved root use and the root-usage alarms. Set alerts.paging to the " +
      "on-call's address or endpoint so that only unexplained root use and a failing notifier page them.",
  ];
}

const DELEGATED_ADMIN =
  "aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount";

/**
 * The CloudTrail delegated-administrator registration: creating one that exists already fails
 * (AccountAlreadyRegisteredException) half-way through a first `pulumi up`, so an existing one is
 * adopted with `pulumi import` first.
 */
function delegatedAdminNotes({ stack, organization, resources }: PlanNotesInput): string[] {
  const registration = resources.find((resource) => resource.type === DELEGATED_ADMIN);
  if (registration === undefined) {
    return [];
  }
  const accountId = String(registration.inputs.accountId);
  const registered = organization.isDelegatedAdministrator("cloudtrail.amazonaws.com", accountId);
  const project = registration.urn.split("::")[1];
  const parent = registration.parent.split("::").pop();
  const command =
    `pulumi import --stack ${stack} --yes --parent ${parent}=${registration.parent} ` +
    `--provider management=urn:pulumi:${stack}::${project}::pulumi:providers:aws::management ` +
    `${DELEGATED_ADMIN} ${registration.name} ${accountId}`;
  if (registered === undefined) {
    return [
      `CloudTrail delegated administrator: the snapshot does not record it (rerun npm run discover); if ${accountId} is registered already, import it once: ${command}`,
    ];
  }
  return registered
    ? [
        `CloudTrail delegated administrator: ${accountId} is registered already; unless the stack's state has it, import it once before pulumi up:`,
        `  ${command}`,
      ]
    : [`CloudTrail delegated administrator: ${accountId} to be registered (retained on delete).`];
}

/**
 * Trusted access per service principal: already on in the organization (adopted: enabling is
 * idempotent) or to be turned on; either way never turned off by this stack (retainOnDelete).
 */
function trustedAccessNotes({ organization, resources }: PlanNotesInput): string[] {
  const services = resources
    .filter((resource) => resource.type === SERVICE_ACCESS)
    .map((resource) => String(resource.inputs.servicePrincipal));
  if (services.length === 0) {
    return [];
  }
  const lines = [
    "Trusted access (organization-wide; retained on delete, so this stack never turns it off):",
  ];
  for (const service of services) {
    const enabled = organization.hasTrustedAccess(service);
    lines.push(
      `  ${service}: ${
        enabled === undefined
          ? "unknown: the organization snapshot does not record trusted access (rerun npm run discover)"
          : enabled
            ? "already enabled: adopted as it is"
            : "to be enabled"
      }`,
    );
  }
  return lines;
}

/** The move of the central log group between locations (`centralLogs.movingFrom`). */
function moveNotes({ stack, config, names, organization, resources }: PlanNotesInput): string[] {
  const from = config.centralLogs.movingFrom;
  if (from === undefined || names.retiringTrailArn === undefined) {
    return organization.trails === undefined
      ? [
          "Organization trails: the snapshot does not record them (rerun npm run discover), so a move of the central log group cannot be checked.",
        ]
      : [];
  }
  const retiring = names.retiringTrailArn.split("/").pop();
  if (organization.trails !== undefined && !organization.trails.some((t) => t.name === retiring)) {
    return [
      `Moving the central log group: the snapshot shows no trail ${retiring} any more; remove aws-org-guardrails:centralLogs.movingFrom and run pulumi up.`,
    ];
  }
  const to = config.centralLogs.location;
  const lines = [
    `Moving the central log group from ${from} to ${to} (README, "Moving the central log group"):`,
  ];
  // The trail, its log group and key keep their logical names in both locations, so each is
  // replaced: its provider (the account) changes. Pulumi refuses to replace a protected resource.
  const protectedParts = resources.filter(
    (resource) =>
      resource.protect &&
      resource.custom &&
      resource.parent.endsWith("::aws-org-guardrails:logs:OrganizationTrail::organization-trail"),
  );
  let step = 1;
  if (protectedParts.length > 0) {
    lines.push(
      `  ${step++}. Pulumi refuses to replace protected resources: unprotect the old ones in the stack's state first:`,
    );
    for (const resource of protectedParts) {
      lines.push(`       pulumi state unprotect --stack ${stack} --yes '${resource.urn}'`);
    }
  }
  lines.push(
    `  ${step++}. pulumi up --stack ${stack}: creates the new trail ${names.trailName}, its log group and key in ${names.trailAccountId}, then retires the old ones.`,
  );
  if (config.protectAuditData) {
    lines.push(
      "     The old trail, log group and key are retained in AWS (retainOnDelete): the old trail keeps writing to the archive (not to CloudWatch Logs any more), and the archive accepts its files, until you delete it; meanwhile its copy of the events is billed.",
      `  ${step++}. Once aws cloudtrail get-trail-status --name ${names.trailArn} --region ${names.region} shows IsLogging and a recent LatestDeliveryTime:`,
      `       aws cloudtrail delete-trail --name ${names.retiringTrailArn} --region ${names.region}`,
      "     (with management-account credentials; keep the old log group until its retention has passed, then delete it and schedule its key's deletion).",
    );
  }
  lines.push(
    `  ${step}. Remove aws-org-guardrails:centralLogs.movingFrom and run pulumi up again: the archive then accepts only ${names.trailArn}.`,
  );
  return lines;
}
