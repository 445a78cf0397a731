import { evaluateProgram, Evaluation, ProgramError, RecordedResource } from "../../offline/engine";
import { SNAPSHOT_ENV } from "../../org/source";
import { DEV_SNAPSHOT, devStackConfig } from "./fixtures";

export interface RunProgramOptions {
  /** Replaces or adds config keys (full keys, values as the CLI passes them). */
  readonly config?: Record<string, string>;
  /** Removes config keys. */
  readonly without?: readonly string[];
  readonly preview?: boolean;
  readonly snapshot?: string;
}

/**
 * Runs the real index.ts under Pulumi mocks (setMocks first, then a dynamic import, as the
 * Pulumi testing docs show) with the dev stack's config, and returns every registration.
 */
export async function runProgram(options: RunProgramOptions = {}): Promise<Evaluation> {
  const config = { ...devStackConfig(), ...(options.config ?? {}) };
  for (const key of options.without ?? []) {
    delete config[key];
  }
  return evaluateProgram({
    project: "aws-org-guardrails",
    stack: "dev",
    config,
    preview: options.preview ?? false,
    env: { [SNAPSHOT_ENV]: options.snapshot ?? DEV_SNAPSHOT },
  });
}

/** Runs the program expecting it to fail; returns the failure. */
export async function runProgramExpectingFailure(
  options: RunProgramOptions = {},
): Promise<ProgramError> {
  try {
    await runProgram(options);
  } catch (error) {
    if (error instanceof ProgramError) {
      return error;
    }
    throw error;
  }
  throw new Error("expected the program to fail");
}

export function byType(resources: readonly RecordedResource[], type: string): RecordedResource[] {
  return resources.filter((resource) => resource.type === type);
}

export function one(
  resources: readonly RecordedResource[],
  type: string,
  name?: string,
): RecordedResource {
  const matches = byType(resources, type).filter(
    (resource) => name === undefined || resource.name === name,
  );
  if (matches.length !== 1) {
    throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${matches.length}`);
  }
  return matches[0];
}

export const TYPES = {
  stack: "pulumi:pulumi:Stack",
  provider: "pulumi:providers:aws",
  policy: "aws:organizations/policy:Policy",
  attachment: "aws:organizations/policyAttachment:PolicyAttachment",
  rootAccessGuardrail: "aws-org-guardrails:scp:RootAccessGuardrail",
} as const;
