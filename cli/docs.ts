import { readFileSync } from "node:fs";
import * as path from "node:path";
import { renderBadInputCatalogue } from "../test/cases/badInputsDoc";
import { renderConfigReference } from "../config/reference";
import { writeFileAtomic } from "../lib/files";
import { PROJECT_DIR } from "../offline/stackFile";
import { defineCommand, runWhenMain } from "./command";

export const CONFIG_REFERENCE = path.join(PROJECT_DIR, "docs", "config.md");
export const BAD_INPUT_CATALOGUE = path.join(PROJECT_DIR, "docs", "bad-input.md");
export const PRODUCTION_TEMPLATE = path.join(PROJECT_DIR, "templates", "Pulumi.prod.yaml");

export const docsCommand = defineCommand(
  {
    name: "docs",
    summary:
      "regenerate docs/config.md (from the config schema) and docs/bad-input.md (from the bad-input table)",
    options: {},
  },
  async (_args, io) => {
    // The template ships with the project; the dev stack is an example a repository drops.
    const example = readFileSync(PRODUCTION_TEMPLATE, "utf8");
    writeFileAtomic(CONFIG_REFERENCE, renderConfigReference(example));
    writeFileAtomic(BAD_INPUT_CATALOGUE, renderBadInputCatalogue());
    for (const file of [CONFIG_REFERENCE, BAD_INPUT_CATALOGUE]) {
      io.stdout(`Wrote ${path.relative(process.cwd(), file)}\n`);
    }
  },
);

runWhenMain(module, docsCommand);
