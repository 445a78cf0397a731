import { IAMClient } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { GLOBAL_EVENTS_REGION } from "../config/regions";
import { inParallel } from "../lib/concurrency";
import { InputError } from "../lib/errors";
import { writeFileAtomic } from "../lib/files";
import { loadStackInputs } from "../offline/stackInputs";
import { OrganizationModel } from "../org/model";
import {
  AccountAudit,
  AccountRemoval,
  auditAccount,
  describeCredentials,
  hasCredentials,
  oneLine,
  removeAccountCredentials,
  RootCredentialClients,
} from "../rootCredentials/credentials";
import {
  CommandIo,
  defineCommand,
  EXIT,
  JSON_OPTION,
  runWhenMain,
  STACK_OPTIONS,
  stackInputs,
} from "./command";

/**
 * Accounts in flight at once. Each costs one AssumeRoot and four IAM reads (five calls); AWS
 * publishes no rate for AssumeRoot or these IAM reads, so the SDK's adaptive retry paces the
 * clients when AWS throttles (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
 */
export const ACCOUNT_CONCURRENCY = 8;

/**
 * The clients, as the AWS CLI would build them: credentials from the default chain (the
 * management account's), STS on the regional endpoint of the stack's homeRegion (AssumeRoot is
 * called on a regional endpoint), IAM on its global endpoint, each overridable by the SDK's
 * standard variables (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_IAM), adaptive retry.
 */
export function defaultClients(
  homeRegion: string,
  partition: string,
  /** Settings for both clients' constructors (the benchmark's endpoint and credentials). */
  overrides: {
    readonly endpoint?: string;
    readonly stsCredentials?: { accessKeyId: string; secretAccessKey: string };
  } = {},
): RootCredentialClients {
  const retry = { retryMode: "adaptive", maxAttempts: 10 } as const;
  const endpoint = overrides.endpoint === undefined ? {} : { endpoint: overrides.endpoint };
  return {
    sts: new STSClient({
      region: homeRegion,
      ...retry,
      ...endpoint,
      ...(overrides.stsCredentials === undefined ? {} : { credentials: overrides.stsCredentials }),
    }),
    iamFor: (credentials) =>
      new IAMClient({
        region: GLOBAL_EVENTS_REGION[partition] ?? homeRegion,
        credentials,
        ...retry,
        ...endpoint,
      }),
  };
}

/** The accounts to act on: every active member account, or those listed (each checked). */
export function selectAccounts(
  organization: OrganizationModel,
  listed: string | undefined,
): { id: string; name: string }[] {
  const active = organization.memberAccounts().filter((account) => account.state === "ACTIVE");
  if (listed === undefined) {
    return active.map((account) => ({ id: account.id, name: account.name }));
  }
  const ids = [...new Set(listed.split(",").map((id) => id.trim()))].filter((id) => id !== "");
  if (ids.length === 0) {
    throw new InputError("--accounts: name at least one account id, e.g. --accounts 111122223333");
  }
  const problems = ids.flatMap((id) => {
    if (!/^\d{12}$/.test(id)) {
      return [`${id} is not a 12-digit account id`];
    }
    if (id === organization.managementAccountId) {
      return [`${id} is the management account: its root user is never touched`];
    }
    const account = organization.account(id);
    if (account === undefined) {
      return [`${id} is not an account of ${organization.organization.id}`];
    }
    return account.state === "ACTIVE" ? [] : [`${id} is ${account.state}, not active`];
  });
  if (problems.length > 0) {
    throw new InputError(`--accounts: ${problems.join("; ")}`);
  }
  return ids.map((id) => ({ id, name: organization.account(id)?.name ?? "" }));
}

export interface AuditReport {
  readonly organizationId: string;
  readonly auditedAt: string;
  readonly accounts: readonly {
    readonly accountId: string;
    readonly name: string;
    readonly password: boolean | null;
    readonly accessKeys: readonly { id: string; status: string }[] | null;
    readonly mfaDevices: readonly string[] | null;
    readonly signingCertificates: readonly { id: string; status: string }[] | null;
    readonly error: string | null;
  }[];
}

export function auditReport(
  organizationId: string,
  at: Date,
  audits: readonly AccountAudit[],
): AuditReport {
  return {
    organizationId,
    auditedAt: at.toISOString(),
    accounts: audits.map((audit) => ({
      accountId: audit.accountId,
      name: audit.name,
      password: audit.credentials?.password ?? null,
      accessKeys: audit.credentials?.accessKeys ?? null,
      mfaDevices: audit.credentials?.mfaDevices ?? null,
      signingCertificates: audit.credentials?.signingCertificates ?? null,
      error: audit.error ?? null,
    })),
  };
}

function table(rows: readonly string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function auditTable(audits: readonly AccountAudit[]): string {
  return table([
    ["account", "name", "root credentials"],
    ...audits.map((audit) => [
      audit.accountId,
      audit.name,
      audit.credentials === undefined
        ? `FAILED: ${audit.error}`
        : describeCredentials(audit.credentials),
    ]),
  ]);
}

/** A progress line on a terminal only: pipelines get the table alone. */
function progress(io: CommandIo, verb: string, total: number): (done: number) => void {
  if (!process.stderr.isTTY) {
    return () => undefined;
  }
  return (done) => {
    io.stderr(`\r${verb} ${done}/${total} accounts`);
    if (done === total) {
      io.stderr("\n");
    }
  };
}

export const rootCredentialsCommand = defineCommand(
  {
    name: "root-credentials",
    summary:
      "audit or remove member accounts' root passwords, access keys, MFA devices and signing certificates through AssumeRoot",
    inputs: stackInputs,
    options: {
      ...STACK_OPTIONS,
      accounts: {
        type: "string",
        value: "<id,...>",
        description: "only these member accounts (default for audit: every active member account)",
      },
      all: { type: "boolean", description: "remove: every active member account" },
      yes: {
        type: "boolean",
        description: "remove: delete (without it, print what would be deleted)",
      },
      ...JSON_OPTION,
    },
    subcommands: {
      audit: { summary: "what each member account's root user has (IAMAuditRootUserCredentials)" },
      remove: {
        summary:
          "delete it (IAMDeleteRootUserCredentials), then audit again; a dry run without --yes",
      },
    },
    verdict:
      "an account has root credentials left, or could not be audited or cleaned (listed in the table)",
    details: [
      "Needs the management account's credentials (the default chain) and centralized root access (centralizedRootAccess.enabled).",
      "The management account and suspended accounts are never touched.",
    ],
  },
  async ({ values, subcommand }, io) => {
    const inputs = loadStackInputs({
      stack: values.stack,
      orgSnapshot: values.org,
      stacksDir: values.stacks,
    });
    const { organization, config } = inputs;
    if (subcommand === "remove" && values.all === (values.accounts !== undefined)) {
      throw new InputError(
        "remove: name the accounts with --accounts <id,...>, or give --all for every active member account (one of the two)",
      );
    }
    if (subcommand === "audit" && (values.all || values.yes)) {
      throw new InputError(
        "audit: --all and --yes belong to remove; audit reads every active member account unless --accounts names some",
      );
    }
    if (!config.centralizedRootAccess.enabled) {
      throw new InputError(
        "centralizedRootAccess.enabled is false in the stack: AssumeRoot needs RootCredentialsManagement and RootSessions; turn it on and pulumi up first",
      );
    }
    // The arguments first: bad input is refused before any call to AWS.
    const selected = selectAccounts(organization, values.accounts);
    const clients = defaultClients(config.homeRegion, organization.partition);
    const caller = await callerOf(
      clients,
      organization,
      config.centralizedRootAccess.delegatedAdministrators,
    );
    // The caller's own account is never a target (AssumeRoot is for member accounts).
    const accounts = selected.filter((account) => account.id !== caller);
    const partition = organization.partition;
    const out = (text = "") => io.stdout(`${text}\n`);

    const audit = async (verb: string): Promise<{ at: Date; audits: AccountAudit[] }> => {
      // The audit's time is when it started: its oldest answer is that old.
      const at = new Date();
      const audits = await inParallel(
        accounts,
        ACCOUNT_CONCURRENCY,
        (account) => auditAccount(clients, account, partition),
        progress(io, verb, accounts.length),
      );
      return { at, audits };
    };
    const finish = (
      at: Date,
      audits: readonly AccountAudit[],
      removals?: readonly AccountRemoval[],
    ): number => {
      out(auditTable(audits));
      if (values.json !== undefined) {
        const report = auditReport(organization.organization.id, at, audits);
        writeFileAtomic(
          values.json,
          `${JSON.stringify(
            removals === undefined
              ? report
              : {
                  ...report,
                  removals: removals.map((removal) => ({
                    accountId: removal.accountId,
                    deleted: removal.deleted,
                    error: removal.error ?? null,
                  })),
                },
            null,
            2,
          )}\n`,
        );
      }
      const failed = audits.filter((entry) => entry.credentials === undefined).length;
      const dirty = audits.filter(
        (entry) => entry.credentials !== undefined && hasCredentials(entry.credentials),
      ).length;
      const unfinished = (removals ?? []).filter((removal) => removal.error !== undefined).length;
      out();
      out(
        failed + dirty + unfinished === 0
          ? `No root credentials in any of the ${audits.length} account(s).`
          : `Of ${audits.length} account(s): ${dirty} with root credentials, ${failed} that could not be checked${removals === undefined ? "" : `, ${unfinished} whose removal failed in part`}.`,
      );
      return failed + dirty + unfinished === 0 ? EXIT.ok : EXIT.verdict;
    };

    if (subcommand === "audit") {
      const { at, audits } = await audit("audited");
      return finish(at, audits);
    }
    if (!values.yes) {
      const { at, audits } = await audit("audited");
      out("Dry run: nothing deleted. With --yes, remove would delete:");
      for (const entry of audits) {
        out(
          `  ${entry.accountId} (${entry.name}): ${
            entry.credentials === undefined
              ? `cannot tell, the audit failed: ${entry.error}`
              : removalOf(entry.credentials)
          }`,
        );
      }
      return finish(at, audits);
    }
    const at = new Date();
    out("Deleted:");
    // Each account's line as soon as it is done: a run stopped half-way leaves its record.
    const removals: AccountRemoval[] = await inParallel(
      accounts,
      ACCOUNT_CONCURRENCY,
      async (account) => {
        const removal = await removeAccountCredentials(clients, account, partition);
        out(
          `  ${removal.accountId} (${removal.name}): ${
            removal.deleted.length === 0 && removal.error === undefined
              ? "nothing (no root credentials)"
              : removal.deleted.join(", ") || "nothing"
          }${removal.error === undefined ? "" : `; FAILED: ${removal.error}`}`,
        );
        return removal;
      },
      progress(io, "cleaned", accounts.length),
    );
    out();
    out("After (read with the same sessions):");
    return finish(
      at,
      removals.map((removal) => ({
        accountId: removal.accountId,
        name: removal.name,
        ...(removal.after === undefined
          ? { error: removal.error ?? "not read" }
          : { credentials: removal.after }),
      })),
      removals,
    );
  },
);

/**
 * Who runs the command (STS GetCallerIdentity): the management account, or an IAM delegated
 * administrator of the stack; anything else is refused before any AssumeRoot, in one line (a
 * wrong profile would otherwise fail once per account).
 */
async function callerOf(
  clients: RootCredentialClients,
  organization: OrganizationModel,
  delegatedAdministrators: readonly string[],
): Promise<string> {
  let account: string | undefined;
  try {
    account = (await clients.sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch (error) {
    throw new InputError(`cannot call STS with these credentials: ${oneLine(error)}`);
  }
  const allowed = [organization.managementAccountId, ...delegatedAdministrators];
  if (account === undefined || !allowed.includes(account)) {
    throw new InputError(
      `the credentials are for account ${String(account)}, not the management account ${organization.managementAccountId}${delegatedAdministrators.length > 0 ? ` or an IAM delegated administrator (${delegatedAdministrators.join(", ")})` : ""}: run with the management account's credentials`,
    );
  }
  return account;
}

/** What remove would delete, in words. */
function removalOf(credentials: NonNullable<AccountAudit["credentials"]>): string {
  const items = [
    ...(credentials.password ? ["the password"] : []),
    ...credentials.accessKeys.map((key) => `access key ${key.id} (${key.status})`),
    ...credentials.mfaDevices.map((serial) => `MFA device ${serial}`),
    ...credentials.signingCertificates.map(
      (certificate) => `signing certificate ${certificate.id}`,
    ),
  ];
  return items.length === 0 ? "nothing (no root credentials)" : items.join(", ");
}

runWhenMain(module, rootCredentialsCommand);
