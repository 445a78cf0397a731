import * as pulumi from "@pulumi/pulumi";
import { InputError } from "../lib/errors";
import { OrganizationModel } from "../org/model";
import { loadOrganization } from "../org/source";
import { GuardrailConfig } from "./schema";
import { missingConfigError, projectConfigFromPulumi, validateGuardrailConfig } from "./validate";

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
  const raw = projectConfigFromPulumi(values);
  if (raw === undefined) {
    // Fail before touching AWS: without config there is nothing to check the organization against.
    throw toRunError(missingConfigError(source));
  }
  const region = typeof raw.homeRegion === "string" ? raw.homeRegion : undefined;
  const organization = await failCleanlyAsync(() => loadOrganization({ region }));
  const config = failCleanly(() =>
    validateGuardrailConfig(raw, { organization, now, source, awsRegion: values["aws:region"] }),
  );
  return { config, organization };
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
