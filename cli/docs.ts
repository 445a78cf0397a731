import { readFileSync } from "node:fs";
import * as path from "node:path";
import { renderBadInputCatalogue } from "../catalogue/badInputs";
import { renderConfigReference } from "../config/reference";
import { writeFileAtomic } from "../lib/files";
import { PROJECT_DIR } from "../offline/stackFile";
import { runCli } from "./run";

export const CONFIG_REFERENCE = path.join(PROJECT_DIR, "docs", "config.md");
export const BAD_INPUT_CATALOGUE = path.join(PROJECT_DIR, "docs", "bad-input.md");

runCli("docs", async () => {
  const example = readFileSync(path.join(PROJECT_DIR, "stacks", "Pulumi.dev.yaml"), "utf8");
  writeFileAtomic(CONFIG_REFERENCE, renderConfigReference(example));
  writeFileAtomic(BAD_INPUT_CATALOGUE, renderBadInputCatalogue());
  for (const file of [CONFIG_REFERENCE, BAD_INPUT_CATALOGUE]) {
    process.stdout.write(`Wrote ${path.relative(process.cwd(), file)}\n`);
  }
});
