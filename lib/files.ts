import { readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { InputError } from "./errors";

/**
 * Checks, before any work, that an output file can be written where the user asked: a missing
 * folder is their input to fix, not a failure after minutes of work.
 */
export function checkOutputPath(
  option: string,
  file: string,
  /** What the command reads: an output must never overwrite one, or land inside an input folder. */
  inputs: readonly string[] = [],
): void {
  if (file.trim() === "") {
    throw new InputError(`${option}: name a file to write, such as ${option} out.json`);
  }
  const resolved = realOrResolved(file);
  for (const input of inputs) {
    const target = realOrResolved(input);
    if (resolved === target) {
      throw new InputError(
        `${option}: ${file} is also an input of this command; writing it would replace what is read. Choose another path`,
      );
    }
    if (isDirectory(target) && resolved.startsWith(`${target}${path.sep}`)) {
      throw new InputError(
        `${option}: ${file} is inside the input folder ${input}, which the next run would read; write it elsewhere`,
      );
    }
  }
  const folder = path.dirname(path.resolve(file));
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder) {
    throw new InputError(
      `${option}: the folder ${folder} does not exist; create it or choose another path for ${file}`,
    );
  }
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(file);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory()) {
    throw new InputError(
      `${option}: ${file} is a folder; name a file, such as ${path.join(file, "out.json")}`,
    );
  }
}

function realOrResolved(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    // Not there yet: its folder may be a link.
    try {
      return path.join(realpathSync(path.dirname(path.resolve(file))), path.basename(file));
    } catch {
      return path.resolve(file);
    }
  }
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Writes a file so that readers see the old content or the new one, never half of it: write to
 * a temporary file beside it, then rename (atomic within one file system).
 */
export function writeFileAtomic(file: string, content: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * A JSON file the user names, read and parsed, every failure one line starting with `label`:
 * `notFound` says how to make the file when it does not exist, `how` (when given) is appended to
 * the other failures.
 */
export function readJsonInput(
  file: string,
  label: string,
  messages: { readonly notFound: string; readonly how?: string },
): unknown {
  const how = messages.how === undefined ? "" : `; ${messages.how}`;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === "ENOENT"
        ? `${label}: ${messages.notFound}`
        : code === "EISDIR"
          ? `${label}: is a folder; name the file${messages.how === undefined ? "" : `, ${messages.how}`}`
          : `${label}: cannot be read (${code ?? String(error)})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message.replace(/\s+/g, " ").trim();
    throw new InputError(`${label}: not JSON (${reason})${how}`);
  }
}
