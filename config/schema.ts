import { z } from "zod";
import { alertsSchema } from "./sections/alerts";
import { backtestSchema } from "./sections/backtest";
import { centralizedRootAccessSchema } from "./sections/centralizedRootAccess";
import { centralLogsSchema } from "./sections/centralLogs";
import { fastPathSchema } from "./sections/fastPath";
import { logArchiveSchema } from "./sections/logArchive";
import { accountsSchema, organizationalUnitsSchema } from "./sections/organization";
import { protectionSchema } from "./sections/protection";
import { rootAccessSchema } from "./sections/rootAccess";
import { rootMfaRuleSchema } from "./sections/rootMfaRule";
import { scpLimitsSchema } from "./sections/scpLimits";
import { trailSchema } from "./sections/trail";
import { accountIdSchema, regionSchema } from "./rules";

/**
 * The stack config, as a zod schema: the single description of every key under the
 * `aws-org-guardrails:` namespace, its type, default and meaning. Each section is a module of
 * config/sections/; the rules they share (account ids, log retention, regions) are in
 * config/rules.ts. Validation against the organization (accounts and targets that must exist,
 * break-glass windows) lives in `validate.ts`. Pure: no Pulumi or AWS imports, so it is cheap to
 * test and to render as documentation.
 */

export {
  ACCOUNT_ID,
  accountIdSchema,
  isAccountId,
  isLogRetentionDays,
  LOG_RETENTION_DAYS,
  PROJECT_NAMESPACE,
  ROOT_TARGET,
} from "./rules";
export { ALERT_PROTOCOLS } from "./sections/alerts";
export { DEFAULT_STACK_INSTANCE_QUOTA } from "./sections/fastPath";
export { LOG_GROUP_LOCATIONS, type LogGroupLocation } from "./sections/centralLogs";
export { ARCHIVE_STORAGE_CLASSES } from "./sections/logArchive";
export { type BreakGlassEntry } from "./sections/rootAccess";
export { SCP_MAX_CHARACTERS_HARD_LIMIT, SCP_MAX_PER_TARGET_HARD_LIMIT } from "./sections/scpLimits";
export { DELEGATED_TRAIL_SUFFIX } from "./sections/trail";

export const guardrailConfigSchema = z.strictObject({
  managementAccountId: accountIdSchema.describe(
    "The organization's management account, where the program runs and the trail is owned.",
  ),
  homeRegion: regionSchema.describe(
    "The region of the trail's home, the log group and the alarms. Every provider of this program uses it; the stack's aws:region, if set, must be the same region. Must be in the organization's partition.",
  ),
  logArchive: logArchiveSchema,
  trail: trailSchema,
  alerts: alertsSchema,
  rootAccess: rootAccessSchema,
  centralLogs: centralLogsSchema,
  fastPath: fastPathSchema,
  scpLimits: scpLimitsSchema,
  protection: protectionSchema,
  centralizedRootAccess: centralizedRootAccessSchema,
  rootMfaRule: rootMfaRuleSchema,
  backtest: backtestSchema,
  organizationalUnits: organizationalUnitsSchema,
  accounts: accountsSchema,
  protectAuditData: z
    .boolean()
    .default(true)
    .describe(
      "Mark the trail, archive bucket, keys and log group `protect` and `retainOnDelete`, so a bad `pulumi destroy` or a rename never deletes audit data. Turn off only for throw-away sandboxes.",
    ),
});

export type GuardrailConfig = z.output<typeof guardrailConfigSchema>;
export type GuardrailConfigInput = z.input<typeof guardrailConfigSchema>;
export type DeclaredAccount = GuardrailConfig["accounts"][number];
export type DeclaredUnit = GuardrailConfig["organizationalUnits"][number];
