import * as pulumi from "@pulumi/pulumi";
import { InputError } from "../lib/errors";
import { OrganizationModel } from "../org/model";
import { loadOrganization } from "../org/source";
import { readStackFileNumbers, STACK_FILE_ENV, stackFilePath } from "../offline/stackFile";
import { GuardrailConfig } from "./schema";
import { projectConfigOf, validateGuardrailConfig, YamlNumbers } from "./validate";

export interface ProgramInputs {
  readonly config: GuardrailConfig;
  readonly organization: OrganizationModel;
}

/**
 * Reads the stack config, then the organization (snapshot or live), and validates the one against
 * the other. Any problem ends the program with a `RunError` (the Pulumi CLI prints its message
 * without a stack trace) before a single resource is registered.
 */
export async function loadProgramInputs(now: Date = new Date()): Promise<ProgramInputs> {
  const source = `stacks/Pulumi.${pulumi.getStack()}.yaml`;
  const values = pulumi.runtime.allConfig();
  // Fail before touching AWS: without config there is nothing to check the organization against.
  const raw = failCleanly(() =>
    projectConfigOf(values, { source, yamlNumbers: unquotedNumbers(pulumi.getStack()) }),
  );
  const region = typeof raw.homeRegion === "string" ? raw.homeRegion : undefined;
  const organization = await failCleanlyAsync(() => loadOrganization({ region }));
  const config = failCleanly(() =>
    validateGuardrailConfig(raw, { organization, now, source, stackConfig: values }),
  );
  return { config, organization };
}

/**
 * The top-level keys the stack file leaves unquoted as numbers (config/validate.ts, YamlNumbers):
 * the CLI passes only their text, so the program reads them from the stack file, the one the
 * offline plan names or else the stack's file in the project. None when there is no such file
 * to read (a config kept elsewhere): the CLI has read it then, and the values are checked as given.
 */
function unquotedNumbers(stack: string): YamlNumbers {
  try {
    return readStackFileNumbers(process.env[STACK_FILE_ENV] || stackFilePath(stack));
  } catch {
    return new Map();
  }
}

/** Runs `step`, turning an `InputError` into a `RunError` (message only, no stack trace). */
export function failCleanly<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw toRunError(error);
  }
}

async function failCleanlyAsync<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw toRunError(error);
  }
}

function toRunError(error: unknown): unknown {
  return error instanceof InputError ? new pulumi.RunError(error.message) : error;
}
