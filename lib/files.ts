import { renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { InputError } from "./errors";

/**
 * Checks, before any work, that an output file can be written where the user asked: a missing
 * folder is their input to fix, not a failure after minutes of work.
 */
export function checkOutputPath(option: string, file: string): void {
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
