import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { InputError } from "../lib/errors";
import { PROJECT_DIR } from "../lib/paths";

export { PROJECT_DIR };

/**
 * Environment variable naming the stack file the program's config came from. The offline plan
 * sets it (its stack file may be anywhere); without it the program reads the stack's file in
 * the project's stackConfigDir, as the Pulumi CLI does.
 */
export const STACK_FILE_ENV = "AWS_ORG_GUARDRAILS_STACK_FILE";

export interface StackFile {
  readonly project: string;
  readonly stack: string;
  readonly path: string;
  /** Config as the Pulumi CLI hands it to a program: every value a string, objects as JSON. */
  readonly config: Record<string, string>;
  /** Top-level keys written as plain YAML numbers (unquoted), with the number YAML reads. */
  readonly numbers: ReadonlyMap<string, number>;
}

function readYaml(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === "ENOENT" ? `${file}: ${what} not found` : `${file}: cannot read ${what} (${code})`,
    );
  }
  try {
    return parse(text);
  } catch (error) {
    throw new InputError(`${file}: not valid YAML (${(error as Error).message.split("\n")[0]})`);
  }
}

/** The project name and stack config directory from Pulumi.yaml. */
export function readProject(projectDir: string = PROJECT_DIR): {
  name: string;
  stackConfigDir: string;
} {
  const file = path.join(projectDir, "Pulumi.yaml");
  const project = readYaml(file, "Pulumi project file") as {
    name?: unknown;
    stackConfigDir?: unknown;
  } | null;
  if (typeof project?.name !== "string") {
    throw new InputError(`${file}: has no project name`);
  }
  return {
    name: project.name,
    stackConfigDir: typeof project.stackConfigDir === "string" ? project.stackConfigDir : ".",
  };
}

function configSection(document: unknown, file: string): Record<string, unknown> {
  const values = (document as { config?: unknown } | null)?.config;
  if (values === undefined || values === null) {
    return {};
  }
  if (typeof values !== "object" || Array.isArray(values)) {
    throw new InputError(`${file}: "config" must be a map of keys to values`);
  }
  return values as Record<string, unknown>;
}

/** A bare key ("managementAccountId:") belongs to the project, as in the Pulumi CLI. */
function fullKey(key: string, project: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * The top-level keys of a parsed stack file's `config` that YAML read as numbers: written without
 * quotes. The CLI passes their text, so only the stack file tells (config/validate.ts, YamlNumbers).
 */
export function stackConfigNumbers(
  document: unknown,
  project: string,
  file: string,
): Map<string, number> {
  const numbers = new Map<string, number>();
  for (const [key, value] of Object.entries(configSection(document, file))) {
    if (typeof value === "number") {
      numbers.set(fullKey(key, project), value);
    }
  }
  return numbers;
}

/**
 * The `config` section of a parsed stack file as the Pulumi CLI hands it to a program: strings
 * as they are, numbers and booleans as their text, lists and maps as JSON text.
 */
export function stackConfigValues(
  document: unknown,
  project: string,
  file: string,
): Record<string, string> {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(configSection(document, file))) {
    if (typeof value === "object" && value !== null && "secure" in value) {
      throw new InputError(
        `${file}: ${key} is a secret (secure:), which cannot be decrypted offline`,
      );
    }
    config[fullKey(key, project)] =
      typeof value === "string"
        ? value
        : typeof value === "object"
          ? JSON.stringify(value)
          : String(value);
  }
  return config;
}

/** A stack name as `pulumi stack init` accepts it. */
export const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Where `Pulumi.<stack>.yaml` is: in `stacksDir` when given (tests, copies), else in the project's
 * stackConfigDir. Refuses a name `pulumi stack init` would refuse.
 */
export function stackFilePath(
  stack: string,
  projectDir: string = PROJECT_DIR,
  stacksDir?: string,
): string {
  if (!STACK_NAME.test(stack)) {
    throw new InputError(`--stack: "${stack}" is not a stack name (letters, digits, _ . - only)`);
  }
  return path.join(
    stacksDir ?? path.join(projectDir, readProject(projectDir).stackConfigDir),
    `Pulumi.${stack}.yaml`,
  );
}

/**
 * Reads `Pulumi.<stack>.yaml` the way the Pulumi CLI does for a program: strings as they are,
 * numbers and booleans as their text, lists and maps as JSON text.
 */
export function readStackFile(
  stack: string,
  projectDir: string = PROJECT_DIR,
  /** Where Pulumi.<stack>.yaml is, if not in the project's stackConfigDir (tests, copies). */
  stacksDir?: string,
): StackFile {
  const project = readProject(projectDir);
  const file = stackFilePath(stack, projectDir, stacksDir);
  const document = readYaml(file, `stack file for stack "${stack}"`);
  const config = stackConfigValues(document, project.name, file);
  const numbers = stackConfigNumbers(document, project.name, file);
  return { project: project.name, stack, path: file, config, numbers };
}

/** The unquoted top-level numbers of a stack file (stackConfigNumbers), read from disk. */
export function readStackFileNumbers(
  file: string,
  projectDir: string = PROJECT_DIR,
): Map<string, number> {
  return stackConfigNumbers(readYaml(file, "stack file"), readProject(projectDir).name, file);
}

/** The default snapshot for a stack: `org.<stack>.json` beside its stack file. */
export function defaultSnapshotPath(
  stack: string,
  projectDir: string = PROJECT_DIR,
  stacksDir?: string,
): string {
  if (stacksDir !== undefined) {
    return path.join(stacksDir, `org.${stack}.json`);
  }
  return path.join(projectDir, "stacks", `org.${stack}.json`);
}
