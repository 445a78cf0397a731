import { renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";

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
