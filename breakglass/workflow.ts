import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Document } from "yaml";
import { GuardrailConfig } from "../config/schema";
import { isAccountId } from "../config/rules";
import { validateStackConfig } from "../config/validate";
import { InputError } from "../lib/errors";
import { writeFileAtomic } from "../lib/files";
import {
  PROJECT_DIR,
  readProject,
  stackConfigNumbers,
  stackConfigValues,
  stackFilePath,
  defaultSnapshotPath,
} from "../offline/stackFile";
import { OrganizationModel } from "../org/model";
import { readSnapshotFile } from "../org/source";
import { assumeRootCommand, AssumeRootTask, findTask, guessTask, OTHER_TASK } from "./assumeRoot";
import {
  addBreakGlass,
  BreakGlassEntryText,
  parseStackDocument,
  readBreakGlass,
  removeBreakGlass,
} from "./stackEdit";

/**
 * The break-glass workflow behind `npm run breakglass`: open, close and list time-boxed root
 * exceptions in a stack file. Every change is validated exactly as the program validates config
 * (same schema, same organization checks) before the file is written, atomically.
 */

export interface StackLocation {
  readonly stack: string;
  /** Where Pulumi.<stack>.yaml and org.<stack>.json are; default the project's stacks/. */
  readonly stacksDir?: string;
  /** The organization snapshot; default org.<stack>.json beside the stack file. */
  readonly orgSnapshot?: string;
}

interface LoadedStack {
  readonly file: string;
  readonly text: string;
  readonly document: Document;
  readonly organization: OrganizationModel;
}

const HOUR_MS = 3_600_000;

function load(location: StackLocation): LoadedStack {
  const file = stackFilePath(location.stack, PROJECT_DIR, location.stacksDir);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new InputError(`${file}: stack file for stack "${location.stack}" not found`);
  }
  const document = parseStackDocument(text, file);
  const organization = readSnapshotFile(
    location.orgSnapshot ?? defaultSnapshotPath(location.stack, PROJECT_DIR, location.stacksDir),
  );
  return { file, text, document, organization };
}

/** Validates the edited stack file as the program would, so a change that cannot deploy is never written. */
function validated(loaded: LoadedStack, now: Date): GuardrailConfig {
  const document: unknown = loaded.document.toJS();
  const project = readProject().name;
  return validateStackConfig(stackConfigValues(document, project, loaded.file), {
    organization: loaded.organization,
    now,
    source: loaded.file,
    yamlNumbers: stackConfigNumbers(document, project, loaded.file),
  });
}

/** An ISO-8601 UTC time to the second, as the stack file keeps it. */
function isoSecond(time: Date): string {
  return new Date(Math.floor(time.getTime() / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
}

export type OpenResult =
  | {
      readonly kind: "opened";
      readonly file: string;
      readonly entry: BreakGlassEntryText;
      readonly accountName: string;
    }
  | {
      readonly kind: "assume-root";
      readonly task: AssumeRootTask;
      readonly command: string;
      readonly accountName: string;
      /** The task was guessed from the reason, not named with --task. */
      readonly inferred: boolean;
    };

export interface OpenRequest extends StackLocation {
  readonly accountId: string;
  readonly reason: string;
  readonly hours: number;
  /** An AssumeRoot task name, `other`, or undefined to infer from the reason. */
  readonly task?: string;
  readonly now?: Date;
}

export function openBreakGlass(request: OpenRequest): OpenResult {
  const now = request.now ?? new Date();
  if (!isAccountId(request.accountId)) {
    throw new InputError(`--account: "${request.accountId}" is not a 12-digit account id`);
  }
  if (request.reason.trim() === "") {
    throw new InputError(
      '--reason: say why root is needed, e.g. --reason "INC-4711: restore access to payments-data"',
    );
  }
  if (!Number.isFinite(request.hours) || request.hours <= 0) {
    throw new InputError(`--hours: must be a positive number of hours, got "${request.hours}"`);
  }
  let task: AssumeRootTask | undefined;
  if (request.task !== undefined && request.task !== OTHER_TASK) {
    task = findTask(request.task);
    if (task === undefined) {
      throw new InputError(
        `--task: "${request.task}" is not an AssumeRoot task; use one of the tasks listed by --help, or "other"`,
      );
    }
  } else if (request.task === undefined) {
    task = guessTask(request.reason);
  }
  const loaded = load(request);
  const account = loaded.organization.account(request.accountId);
  const accountName = account?.name ?? "not in the organization";
  // AssumeRoot only helps an active member account of a stack that enables centralized root access.
  if (
    task !== undefined &&
    account?.state === "ACTIVE" &&
    request.accountId !== loaded.organization.managementAccountId &&
    validated(loaded, now).centralizedRootAccess.enabled
  ) {
    return {
      kind: "assume-root",
      task,
      command: assumeRootCommand(loaded.organization.partition, request.accountId, task),
      accountName,
      inferred: request.task === undefined,
    };
  }
  const existing = readBreakGlass(loaded.document, loaded.file).find(
    (entry) => entry.accountId === request.accountId,
  );
  if (existing !== undefined) {
    throw new InputError(
      `--account: ${request.accountId} already has a break-glass entry until ${existing.expiresAt}; close it first to change it`,
    );
  }
  const entry = {
    accountId: request.accountId,
    reason: request.reason.trim(),
    // The notifier counts root events as inside the window from here on, never before.
    openedAt: isoSecond(now),
    expiresAt: isoSecond(new Date(now.getTime() + request.hours * HOUR_MS)),
  };
  addBreakGlass(loaded.document, loaded.file, entry);
  try {
    validated(loaded, now);
  } catch (error) {
    if (error instanceof InputError && error.problems.length > 0) {
      // One line for the person at the terminal: what is wrong, and that nothing was written.
      throw new InputError(
        `${error.problems.join("; ")} (${path.basename(loaded.file)} not changed)`,
      );
    }
    throw error;
  }
  writeFileAtomic(loaded.file, loaded.document.toString());
  return { kind: "opened", file: loaded.file, entry, accountName };
}

export interface CloseRequest extends StackLocation {
  readonly accountId: string;
}

export function closeBreakGlass(request: CloseRequest): {
  file: string;
  entry: BreakGlassEntryText;
} {
  if (!isAccountId(request.accountId)) {
    throw new InputError(`--account: "${request.accountId}" is not a 12-digit account id`);
  }
  const loaded = load(request);
  const entry = readBreakGlass(loaded.document, loaded.file).find(
    (candidate) => candidate.accountId === request.accountId,
  );
  if (entry === undefined || !removeBreakGlass(loaded.document, loaded.file, request.accountId)) {
    throw new InputError(
      `--account: ${request.accountId} has no break-glass entry in ${loaded.file}`,
    );
  }
  writeFileAtomic(loaded.file, loaded.document.toString());
  return { file: loaded.file, entry };
}

export interface ListedWindow extends BreakGlassEntryText {
  readonly accountName: string;
  readonly state: "open" | "expired";
  /** Positive while open, negative once expired. */
  readonly minutesLeft: number;
}

export function listBreakGlass(request: StackLocation & { readonly now?: Date }): {
  file: string;
  windows: ListedWindow[];
} {
  const now = request.now ?? new Date();
  const loaded = load(request);
  const windows = readBreakGlass(loaded.document, loaded.file).map((entry): ListedWindow => {
    const minutesLeft = Math.trunc((Date.parse(entry.expiresAt) - now.getTime()) / 60_000);
    return {
      ...entry,
      accountName: loaded.organization.account(entry.accountId)?.name ?? "not in the organization",
      state: Date.parse(entry.expiresAt) >= now.getTime() ? "open" : "expired",
      minutesLeft,
    };
  });
  return { file: loaded.file, windows };
}
