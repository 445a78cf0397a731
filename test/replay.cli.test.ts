import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { compileDeployedDetections } from "../detection/compile";
import { expectCleanFailure, runCommand } from "./support/cli";

const CORPUS_DIR = path.resolve(__dirname, "../../shared/data/cloudtrail-root-events");
const records = readFileSync(path.join(CORPUS_DIR, "events.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line));

describe("npm run replay", () => {
  const work = mkdtempSync(path.join(tmpdir(), "replay-cli-"));
  const logs = path.join(work, "AWSLogs", "o-7h2kq9x4mz", "2026", "11");
  mkdirSync(logs, { recursive: true });
  // Half the corpus as CloudTrail writes it (gzip), half pretty-printed plain JSON.
  writeFileSync(
    path.join(logs, "a.json.gz"),
    gzipSync(JSON.stringify({ Records: records.slice(0, 40) })),
  );
  writeFileSync(path.join(logs, "b.json"), JSON.stringify({ Records: records.slice(40) }, null, 2));
  writeFileSync(path.join(logs, "notes.txt"), "not a log file, not read");

  const { detections } = compileDeployedDetections();
  const expected = Object.fromEntries(
    detections.map((d) => [d.name, records.filter((record) => d.matches(record)).length]),
  );

  it("walks directories, reads .json and .json.gz, and finds exactly what the evaluator finds", () => {
    const out = path.join(work, "report.json");
    const result = runCommand("replay", ["--json", out, path.join(work, "AWSLogs")]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(report.files).toBe(2);
    expect(report.records).toBe(67);
    expect(Object.fromEntries(report.detections.map((d: any) => [d.name, d.matches]))).toEqual(
      expected,
    );
    expect(expected.RootAccountUsage).toBe(26);
    const consoleLogin = report.matches.find(
      (m: any) => m.detection === "RootConsoleSignInSuccess",
    );
    expect(consoleLogin).toMatchObject({
      eventName: "ConsoleLogin",
      eventSource: "signin.amazonaws.com",
    });
    expect(result.stdout).toContain("RootAccountUsage: 26 matches");
    expect(result.stdout).toContain("67 records in 2 files (0 bad)");
  });

  it("should report bad files by name, skip them, still report the good ones, and exit 1", () => {
    const bad = path.join(work, "bad");
    mkdirSync(bad);
    const good = gzipSync(JSON.stringify({ Records: records.slice(0, 10) }));
    writeFileSync(path.join(bad, "good.json.gz"), good);
    writeFileSync(path.join(bad, "truncated.json.gz"), good.subarray(0, good.length - 30));
    writeFileSync(path.join(bad, "text.json"), "this is not JSON");
    writeFileSync(path.join(bad, "other.json"), JSON.stringify({ items: [1, 2] }));
    const result = runCommand("replay", [bad]);
    expectCleanFailure(result);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `replay: skipped ${path.join(bad, "truncated.json.gz")}: truncated gzip`,
    );
    expect(result.stderr).toContain(`replay: skipped ${path.join(bad, "text.json")}: not JSON`);
    expect(result.stderr).toContain(
      `replay: skipped ${path.join(bad, "other.json")}: not a CloudTrail log file: no "Records" array`,
    );
    expect(result.stdout).toContain("10 records in 1 files (3 bad)");
  });

  it("should explain its usage when given nothing to read", () => {
    const result = runCommand("replay", []);
    expectCleanFailure(result);
    expect(result.stderr.trim()).toBe(
      "replay: name at least one CloudTrail log file or directory; usage: npm run replay -- [--json <file>] <file-or-directory>...",
    );
  });
});
