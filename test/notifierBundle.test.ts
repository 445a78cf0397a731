import { cpSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { bundleNotifierSource } from "../components/notifierCode";
import { PROJECT_DIR } from "../lib/paths";

describe("the notifier bundle", () => {
  it("is the same wherever the project is checked out and wherever node_modules really lives", () => {
    // A second checkout, as the pipeline's base-branch worktree is, with node_modules a link (a
    // shared cache, pnpm): its bundle must equal this one, or every pull request's diff shows
    // the notifier as changed.
    const copy = mkdtempSync(path.join(tmpdir(), "checkout-"));
    for (const folder of ["notifier", "detection", "org", "config", "lib"]) {
      cpSync(path.join(PROJECT_DIR, folder), path.join(copy, folder), { recursive: true });
    }
    cpSync(path.join(PROJECT_DIR, "package.json"), path.join(copy, "package.json"));
    cpSync(path.join(PROJECT_DIR, "tsconfig.json"), path.join(copy, "tsconfig.json"));
    symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(copy, "node_modules"));
    const here = bundleNotifierSource();
    expect(bundleNotifierSource(copy)).toBe(here);
    // And it names no absolute path of this machine.
    expect(here).not.toContain(PROJECT_DIR);
  });
});
