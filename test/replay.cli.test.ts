import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { compileDeployedDetections } from "../detection/compile";
import { expectCleanFailure, runCommand } from "./support/cli";
import { CORPUS_DIR } from "./support/fixtures";

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
    expect(report.fileCounts).toEqual({ read: 2, bad: 0, skipped: 1 });
    expect(report.skippedFiles).toEqual({ jsonLines: 0, digest: 0, notLogFiles: 1 });
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
    expect(report.matches).toHaveLength(
      Object.values(expected).reduce((sum, count) => sum + count, 0),
    );
    expect(result.stdout).toContain(
      "67 records in 2 files read, 0 bad, 1 skipped (1 not .json or .json.gz);",
    );
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
    expect(result.stdout).toContain("10 records in 1 file read, 3 bad, 0 skipped;");
  });

  it("should explain its usage when given nothing to read", () => {
    const result = runCommand("replay", []);
    expectCleanFailure(result);
    expect(result.stderr.trim()).toBe(
      "replay: name at least one CloudTrail log file or directory; usage: npm run replay -- [--json <file>] <file-or-directory>...",
    );
  });

  /** A fresh folder that another user can read too (for the unreadable-file case). */
  function folder(name: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), `replay-${name}-`));
    chmodSync(dir, 0o755);
    return dir;
  }

  const countsOf = (report: any) =>
    Object.fromEntries(report.detections.map((d: any) => [d.name, d.matches]));
  const expectedFor = (list: readonly unknown[]) =>
    Object.fromEntries(
      detections.map((d) => [d.name, list.filter((record) => d.matches(record)).length]),
    );

  it("reports a missing .json.gz or .json and an unreadable file as bad files, never a stream error", () => {
    const dir = folder("missing");
    writeFileSync(
      path.join(dir, "good.json.gz"),
      gzipSync(JSON.stringify({ Records: records.slice(0, 10) })),
    );
    const unreadable = path.join(dir, "unreadable.json.gz");
    writeFileSync(unreadable, gzipSync(JSON.stringify({ Records: records })));
    chmodSync(unreadable, 0o000);
    const args = [
      path.join(dir, "good.json.gz"),
      path.join(dir, "missing.json.gz"),
      path.join(dir, "missing.json"),
      unreadable,
    ];
    // root reads any file: run as nobody then, so that the file is unreadable for real.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const result = runCommand("replay", args, asNobody);
    expectCleanFailure(result);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n").sort()).toEqual(
      [
        `replay: skipped ${path.join(dir, "missing.json.gz")}: no such file`,
        `replay: skipped ${path.join(dir, "missing.json")}: no such file`,
        `replay: skipped ${unreadable}: permission denied (this user may not read it)`,
      ].sort(),
    );
    expect(result.stdout).toContain("10 records in 1 file read, 3 bad, 0 skipped;");
  });

  it("counts files read, bad and skipped: digests, JSON Lines and other files in folders are not read", () => {
    const dir = folder("counts");
    const sub = path.join(dir, "2026", "11");
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(dir, "a.json.gz"), gzipSync(JSON.stringify({ Records: records })));
    writeFileSync(path.join(sub, "b.json"), JSON.stringify({ Records: records.slice(0, 5) }));
    writeFileSync(path.join(sub, "broken.json"), "garbage");
    writeFileSync(
      path.join(
        sub,
        "111122223333_CloudTrail-Digest_eu-west-1_org_eu-west-1_20261101T000000Z.json.gz",
      ),
      gzipSync(JSON.stringify({ digestStartTime: "2026-11-01T00:00:00Z", logFiles: [] })),
    );
    writeFileSync(path.join(dir, "export.jsonl"), `${JSON.stringify(records[0])}\n`);
    writeFileSync(path.join(dir, "README.txt"), "notes");
    // A link back up the tree is walked once, not forever.
    symlinkSync(dir, path.join(sub, "loop"));
    // Outside the folder replayed: an output inside an input folder is refused.
    const out = path.join(mkdtempSync(path.join(tmpdir(), "replay-report-")), "report.json");
    const result = runCommand("replay", ["--json", out, dir]);
    expectCleanFailure(result);
    expect(result.status).toBe(1);
    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(report.files).toBe(3);
    expect(report.fileCounts).toEqual({ read: 2, bad: 1, skipped: 3 });
    expect(report.skippedFiles).toEqual({ jsonLines: 1, digest: 1, notLogFiles: 1 });
    expect(report.badFiles).toEqual([{ file: path.join(sub, "broken.json"), error: "not JSON" }]);
    expect(report.records).toBe(72);
    expect(countsOf(report)).toEqual(expectedFor([...records, ...records.slice(0, 5)]));
    expect(result.stdout).toContain(
      "72 records in 2 files read, 1 bad, 3 skipped (1 digest, 1 JSON Lines, 1 not .json or .json.gz);",
    );
    expect(result.stderr).toContain(
      `replay: not read: 1 JSON Lines file (one record per line) such as ${path.join(dir, "export.jsonl")}; ` +
        `CloudTrail log files are {"Records": [...]}; convert with: jq -c -s '{Records: .}' ${path.join(dir, "export.jsonl")} > ${path.join(dir, "export.json")}`,
    );
  });

  it("reads aws cloudtrail lookup-events output and finds what the evaluator finds", () => {
    const dir = folder("lookup");
    const history = {
      Events: records.map((record, index) => ({
        EventId: `event-${index}`,
        EventName: record.eventName,
        ReadOnly: "false",
        EventTime: record.eventTime,
        EventSource: record.eventSource,
        Username: "root",
        Resources: [],
        CloudTrailEvent: JSON.stringify(record),
      })),
    };
    // The AWS CLI prints JSON indented by 4 spaces.
    writeFileSync(path.join(dir, "history.json"), JSON.stringify(history, null, 4));
    const out = path.join(dir, "report.json");
    const result = runCommand("replay", ["--json", out, path.join(dir, "history.json")]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(report.records).toBe(67);
    expect(countsOf(report)).toEqual(expected);
  });

  it("lists the first 20 matches per detection on the terminal and every match in --json", () => {
    const dir = folder("many");
    const many = [...records, ...records, ...records];
    writeFileSync(path.join(dir, "many.json"), JSON.stringify({ Records: many }, null, 2));
    // Outside the folder replayed: an output inside an input folder is refused.
    const out = path.join(mkdtempSync(path.join(tmpdir(), "replay-report-")), "report.json");
    const result = runCommand("replay", ["--json", out, dir]);
    expect(result.status).toBe(0);
    const total = expected.RootAccountUsage * 3;
    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(report.matches.filter((m: any) => m.detection === "RootAccountUsage")).toHaveLength(
      total,
    );
    const lines = result.stdout.split("\n");
    const from = lines.indexOf(`RootAccountUsage: ${total} matches`);
    expect(from).toBeGreaterThanOrEqual(0);
    const listed = lines.slice(from + 1, from + 21);
    expect(listed.every((line) => line.startsWith("  ") && !line.startsWith("  ..."))).toBe(true);
    expect(lines[from + 21]).toBe(`  ... ${total - 20} more in ${out}`);
  });

  it("keeps no match of a bad file, and counts a file the exact scanner reads again only once", () => {
    const dir = folder("rollback");
    const cloudTrail = records.map((record) => ({ eventVersion: "1.08", ...record }));
    const copies = [...cloudTrail, ...cloudTrail, ...cloudTrail, ...cloudTrail, ...cloudTrail];
    // CloudTrail's layout, over one 256 KiB chunk; an escape in the last record makes the fast
    // scanner hand the file to the exact one after it has passed matches in the first chunk.
    let text = JSON.stringify({ Records: copies });
    const last = text.lastIndexOf('"eventTime":"');
    text = `${text.slice(0, last)}"eventTime":"\\u0032${text.slice(last + '"eventTime":"2'.length)}`;
    expect(text.length).toBeGreaterThan(1 << 18);
    writeFileSync(path.join(dir, "a-escaped.json"), text);
    // A truncated file whose first records match.
    writeFileSync(
      path.join(dir, "b-truncated.json"),
      JSON.stringify({ Records: cloudTrail }).slice(0, -100),
    );
    // Outside the folder replayed: an output inside an input folder is refused.
    const out = path.join(mkdtempSync(path.join(tmpdir(), "replay-report-")), "report.json");
    const result = runCommand("replay", ["--json", out, dir]);
    expect(result.status).toBe(1);
    const report = JSON.parse(readFileSync(out, "utf8"));
    const parsed = (JSON.parse(text) as { Records: unknown[] }).Records;
    expect(countsOf(report)).toEqual(expectedFor(parsed));
    expect(report.matches).toHaveLength(
      Object.values(expectedFor(parsed)).reduce((sum: number, n) => sum + (n as number), 0),
    );
    expect(report.matches.every((m: any) => m.file === path.join(dir, "a-escaped.json"))).toBe(
      true,
    );
    expect(report.badFiles).toEqual([
      {
        file: path.join(dir, "b-truncated.json"),
        error: "truncated: the JSON document is not closed",
      },
    ]);
  });
});
