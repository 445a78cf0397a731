import { readFileSync } from "node:fs";
import * as path from "node:path";
import { renderConfigReference } from "../config/reference";
import { writeFileAtomic } from "../lib/files";
import { PROJECT_DIR } from "../offline/stackFile";
import { runCli } from "./run";

export const CONFIG_REFERENCE = path.join(PROJECT_DIR, "docs", "config.md");

runCli("docs", async () => {
  const example = readFileSync(path.join(PROJECT_DIR, "stacks", "Pulumi.dev.yaml"), "utf8");
  writeFileAtomic(CONFIG_REFERENCE, renderConfigReference(example));
  process.stdout.write(`Wrote ${path.relative(process.cwd(), CONFIG_REFERENCE)}\n`);
});
