import { z } from "zod";
import { InputError } from "../lib/errors";
import { readJsonInput } from "../lib/files";
import { describeCredentials, RootCredentials } from "./credentials";

/**
 * The JSON `npm run root-credentials -- audit --json` writes, read back by coverage and
 * break-glass: checked to be an audit of this organization and recent enough, so a gate never
 * passes on last month's audit or another organization's.
 */

const key = z.object({ id: z.string(), status: z.string() });
const auditSchema = z.object({
  organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, "must be an organization id"),
  auditedAt: z.iso.datetime({ message: "must be an ISO 8601 time" }),
  accounts: z.array(
    z.object({
      accountId: z.string().regex(/^\d{12}$/, "must be 12 digits"),
      name: z.string(),
      password: z.boolean().nullable(),
      accessKeys: z.array(key).nullable(),
      mfaDevices: z.array(z.string()).nullable(),
      signingCertificates: z.array(key).nullable(),
      error: z.string().nullable(),
    }),
  ),
});

export type AuditFile = z.infer<typeof auditSchema>;

/** How old an audit coverage and break-glass accept by default. */
export const DEFAULT_MAX_AUDIT_AGE_HOURS = 24;

export interface RootCredentialsAudit {
  readonly file: string;
  readonly auditedAt: Date;
  readonly ageHours: number;
  /** Per audited account: its credentials, or the audit's error. */
  readonly byAccount: ReadonlyMap<string, { credentials?: RootCredentials; error?: string }>;
}

export function readAuditFile(
  file: string,
  options: { organizationId: string; maxAgeHours: number; now: Date },
): RootCredentialsAudit {
  const document = readJsonInput(file, `--root-credentials ${file}`, {
    notFound: `not found; write one with npm run root-credentials -- audit --stack <env> --json ${file}`,
  });
  const parsed = auditSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `--root-credentials: ${file} is not an audit of npm run root-credentials: ${issue.path.join(".") || "(top)"}: ${issue.message}`,
    );
  }
  const audit = parsed.data;
  if (audit.organizationId !== options.organizationId) {
    throw new InputError(
      `--root-credentials: ${file} audits ${audit.organizationId}, not this stack's organization ${options.organizationId}`,
    );
  }
  const auditedAt = new Date(audit.auditedAt);
  const ageHours = (options.now.getTime() - auditedAt.getTime()) / 3_600_000;
  if (ageHours > options.maxAgeHours) {
    throw new InputError(
      `--root-credentials: ${file} is ${ageHours.toFixed(1)} h old (audited ${audit.auditedAt}), older than ${options.maxAgeHours} h (--max-audit-age): audit again`,
    );
  }
  if (ageHours < -0.1) {
    throw new InputError(
      `--root-credentials: ${file} was audited in the future (${audit.auditedAt}): check the clocks`,
    );
  }
  return {
    file,
    auditedAt,
    ageHours,
    byAccount: new Map(
      audit.accounts.map((entry) => [
        entry.accountId,
        entry.password === null ||
        entry.accessKeys === null ||
        entry.mfaDevices === null ||
        entry.signingCertificates === null
          ? { error: entry.error ?? "the audit recorded no answer" }
          : {
              credentials: {
                password: entry.password,
                accessKeys: entry.accessKeys,
                mfaDevices: entry.mfaDevices,
                signingCertificates: entry.signingCertificates,
              },
            },
      ]),
    ),
  };
}

/** "none", "password, 2 access keys", "audit failed: ...", or "not audited". */
export function rootCredentialsLine(audit: RootCredentialsAudit, accountId: string): string {
  const entry = audit.byAccount.get(accountId);
  if (entry === undefined) {
    return "not audited";
  }
  return entry.credentials === undefined
    ? `audit failed: ${entry.error}`
    : describeCredentials(entry.credentials);
}
