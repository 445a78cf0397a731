import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { InputError } from "../lib/errors";

/** The project root: where Pulumi.yaml is. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface StackFile {
  readonly project: string;
  readonly stack: string;
  readonly path: string;
  /** Config as the Pulumi CLI hands it to a program: every value a string, objects as JSON. */
  readonly config: Record<string, string>;
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
  const values = (document as { config?: unknown } | null)?.config;
  if (values === undefined || values === null) {
    return config;
  }
  if (typeof values !== "object" || Array.isArray(values)) {
    throw new InputError(`${file}: "config" must be a map of keys to values`);
  }
  for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
    if (typeof value === "object" && value !== null && "secure" in value) {
      throw new InputError(
        `${file}: ${key} is a secret (secure:), which cannot be decrypted offline`,
      );
    }
    // A bare key ("managementAccountId:") belongs to the project, as in the Pulumi CLI.
    const fullKey = key.includes(":") ? key : `${project}:${key}`;
    config[fullKey] =
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
  return { project: project.name, stack, path: file, config };
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
