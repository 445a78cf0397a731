import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BAD_INPUTS, newWorkspace } from "./cases/badInputs";
import { renderBadInputCatalogue } from "./cases/badInputsDoc";
import { PROJECT_DIR } from "../offline/stackFile";
import { expectCleanFailure, runCommandAsync } from "./support/cli";

/** Every file under a folder with its content: "nothing written" is checked by comparing these. */
function contents(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(folder)) {
    const full = path.join(folder, name);
    if (statSync(full).isDirectory()) {
      contents(full).forEach((value, key) => files.set(key, value));
    } else {
      files.set(full, readFileSync(full, "latin1"));
    }
  }
  return files;
}

describe("bad-input catalogue", () => {
  it("has at least 40 cases across stack config, snapshots, arguments of every command and CloudTrail files and plan baselines", () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(BAD_INPUTS.map((item) => item.command))).toEqual(
      new Set([
        "plan",
        "coverage",
        "discover",
        "replay",
        "breakglass",
        "bench",
        "adopt",
        "root-credentials",
        "backtest",
      ]),
    );
    expect(new Set(BAD_INPUTS.map((item) => item.area)).size).toBe(5);
  });

  it("docs/bad-input.md lists every case (npm run docs regenerates it)", () => {
    expect(readFileSync(path.join(PROJECT_DIR, "docs", "bad-input.md"), "utf8")).toBe(
      renderBadInputCatalogue(),
    );
  });

  it.concurrent.each(
    BAD_INPUTS.map((item, index) => [index + 1, item.command, item.input, item] as const),
  )(
    "%i. %s: %s",
    async (_number, _command, _input, item) => {
      const work = newWorkspace();
      item.prepare?.(work);
      const before = new Map([...contents(work.stacks), ...contents(work.scratch)]);
      const result = await runCommandAsync(item.command, item.args(work));
      expectCleanFailure(result);
      expect(result.status).toBe(item.exitCode);
      const lines = result.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(item.expect);
      expect(lines[0].startsWith(`${item.command}: `)).toBe(true);
      // Nothing written or half-written: no output file, and the inputs are as they were.
      if (item.exitCode === 2) {
        expect(existsSync(work.output)).toBe(false);
      }
      expect(new Map([...contents(work.stacks), ...contents(work.scratch)])).toEqual(before);
    },
    60_000,
  );
});
