import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { compileDeployedDetections } from "../detection/compile";
import { LogFileEntry, logFiles, readLogFile, replayFile, ReplayMatch } from "../detection/replay";
import { ReplayProgress, ReplayTally } from "../detection/replayReport";
import { CORPUS_EVENTS } from "./support/fixtures";

const CORPUS = CORPUS_EVENTS;
const corpus = readFileSync(CORPUS, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Record<string, unknown>);
const { detections, mustContain } = compileDeployedDetections();

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), "replay-unit-"));
}

async function entries(paths: string[]): Promise<LogFileEntry[]> {
  const all: LogFileEntry[] = [];
  for await (const entry of logFiles(paths)) {
    all.push(entry);
  }
  return all;
}

/** A pretty-printed file of many 256 KiB chunks: the fast scanner refuses it at once. */
function prettyFile(dir: string, name: string, copies: number): string {
  const records = Array.from({ length: copies }, () => corpus).flat();
  const text = JSON.stringify({ Records: records }, null, 2);
  const file = path.join(dir, name);
  writeFileSync(file, name.endsWith(".gz") ? gzipSync(text) : text);
  return file;
}

const percentOf = (line: string): number => Number(line.split("%")[0]);

describe("replay progress", () => {
  for (const name of ["pretty.json", "pretty.json.gz"]) {
    it(`reaches 100% on a file the exact scanner reads (${name})`, async () => {
      const dir = scratch();
      const file = prettyFile(dir, name, name.endsWith(".gz") ? 400 : 40);
      const size = statSync(file).size;
      expect(size).toBeGreaterThan(8 * (1 << 18));
      const lines: string[] = [];
      let clock = 0;
      // A clock that moves a second per reading: every position is drawn.
      const progress = new ReplayProgress(
        size,
        1,
        (line) => lines.push(line),
        () => (clock += 1000),
      );
      progress.startFile(size);
      const tally = new ReplayTally(detections, 20);
      const outcome = await replayFile(file, detections, mustContain, tally, (bytes) =>
        progress.position(bytes),
      );
      expect(outcome.error).toBeUndefined();
      expect(outcome.records).toBe(corpus.length * (name.endsWith(".gz") ? 400 : 40));
      // The readings alone brought the line to the end, before the file was marked done.
      expect(progress.percent()).toBe(100);
      progress.endFile();
      expect(lines.at(-1)).toMatch(/^100% {2}.* 1\/1 files$/);
      const percents = lines.map(percentOf);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
      // The line passed through the middle, not straight from a first chunk to done.
      expect(percents.some((p) => p > 30 && p < 70)).toBe(true);
      tally.close();
    });
  }

  it("draws at most every interval, and always when the last file is done", () => {
    const lines: string[] = [];
    let now = 5_000;
    const progress = new ReplayProgress(
      3000,
      3,
      (line) => lines.push(line),
      () => now,
      200,
    );
    for (const size of [1000, 1000, 1000]) {
      progress.startFile(size);
      progress.position(400);
      progress.position(1000);
      progress.endFile();
    }
    // The clock never moved: the first reading and the end only.
    expect(lines.map(percentOf)).toEqual([13, 100]);
    now += 200;
    progress.startFile(0);
    progress.position(0);
    expect(lines).toHaveLength(3);
  });

  it("counts a bad or growing file by its listed size, so the line still ends at 100%", () => {
    const lines: string[] = [];
    const progress = new ReplayProgress(
      3 << 20,
      2,
      (line) => lines.push(line),
      () => 0,
    );
    progress.startFile(1 << 20);
    progress.position(1 << 18); // a bad file: reading stopped early
    progress.endFile();
    progress.startFile(2 << 20);
    progress.position(5 << 20); // grew since it was listed
    expect(progress.percent()).toBe(100);
    progress.endFile();
    expect(lines.at(-1)).toBe("100%  3.0 MiB of 3.0 MiB  2/2 files");
  });
});

describe("replay's match tally", () => {
  const match = (detection: string, file: string, n: number): ReplayMatch => ({
    detection,
    file,
    accountId: "111122223333",
    eventTime: `2026-11-01T00:00:${String(n).padStart(2, "0")}Z`,
    eventName: "ConsoleLogin",
    eventSource: "signin.amazonaws.com",
    principal: "Root",
    sourceIPAddress: "192.0.2.0",
  });

  it("counts every match but keeps only the first few per detection in memory", () => {
    const tally = new ReplayTally(detections, 5);
    for (let n = 0; n < 1000; n += 1) {
      tally.add(match("RootAccountUsage", "a.json", n % 60));
    }
    tally.keepFile();
    expect(tally.count("RootAccountUsage")).toBe(1000);
    expect(tally.shown("RootAccountUsage")).toHaveLength(5);
    expect(tally.shown("RootAccountUsage")[0].eventTime).toBe("2026-11-01T00:00:00Z");
    expect(tally.count("AssumeRootCall")).toBe(0);
    tally.close();
  });

  it("writes every kept match to the --json report and none of a discarded file", () => {
    const dir = scratch();
    const report = path.join(dir, "report.json");
    const tally = new ReplayTally(detections, 1, report);
    tally.add(match("RootAccountUsage", "a.json", 1));
    tally.add(match("RootConsoleSignInSuccess", "a.json", 1));
    tally.keepFile();
    tally.add(match("RootAccountUsage", "bad.json", 2));
    tally.add(match("RootAccountUsage", "bad.json", 3));
    tally.discardFile();
    // Enough for the spool to write some to disk before the file turns out bad.
    for (let n = 0; n < 2000; n += 1) {
      tally.add(match("RootAccountUsage", "big-bad.json", n % 60));
    }
    tally.discardFile();
    tally.add(match("RootAccountUsage", "c.json", 4));
    tally.discardFile(); // read again by the exact scanner...
    tally.add(match("RootAccountUsage", "c.json", 4)); // ...which finds it once more
    tally.keepFile();
    tally.writeReport({ records: 3 });
    tally.close();
    const written = JSON.parse(readFileSync(report, "utf8"));
    expect(written.records).toBe(3);
    expect(written.matches.map((m: ReplayMatch) => `${m.file} ${m.eventTime}`)).toEqual([
      "a.json 2026-11-01T00:00:01Z",
      "a.json 2026-11-01T00:00:01Z",
      "c.json 2026-11-01T00:00:04Z",
    ]);
    expect(tally.count("RootAccountUsage")).toBe(2);
    expect(tally.shown("RootAccountUsage").map((m) => m.file)).toEqual(["a.json"]);
    // Nothing left beside the report.
    expect(readdirSync(dir).sort()).toEqual(["report.json"]);
  });

  it("writes an empty matches array when nothing matched", () => {
    const dir = scratch();
    const report = path.join(dir, "report.json");
    const tally = new ReplayTally(detections, 20, report);
    tally.writeReport({ records: 0 });
    tally.close();
    expect(JSON.parse(readFileSync(report, "utf8"))).toEqual({ records: 0, matches: [] });
  });
});

describe("reading log files", () => {
  it("reports a file deleted between listing and reading as a bad file", async () => {
    const dir = scratch();
    writeFileSync(path.join(dir, "a.json.gz"), gzipSync(JSON.stringify({ Records: corpus })));
    writeFileSync(path.join(dir, "b.json"), JSON.stringify({ Records: corpus }));
    const listed = await entries([dir]);
    expect(listed.map((e) => e.kind)).toEqual(["log", "log"]);
    rmSync(path.join(dir, "a.json.gz"));
    rmSync(path.join(dir, "b.json"));
    for (const entry of listed) {
      const outcome = await readLogFile(
        entry.file,
        { candidate: () => undefined, restart: () => undefined },
        mustContain,
      );
      expect(outcome).toMatchObject({ file: entry.file, records: 0, error: "no such file" });
    }
  });

  it("reports a dangling link and a folder it cannot walk, and names files it does not read", async () => {
    const dir = scratch();
    mkdirSync(path.join(dir, "2026"));
    symlinkSync(path.join(dir, "gone.json"), path.join(dir, "2026", "link.json"));
    writeFileSync(path.join(dir, "2026", "x.ndjson.gz"), "");
    writeFileSync(path.join(dir, "2026", ".DS_Store"), "");
    const listed = await entries([dir, path.join(dir, "nowhere")]);
    expect(listed).toEqual([
      { kind: "skipped", file: path.join(dir, "2026", ".DS_Store"), reason: "other" },
      { kind: "bad", file: path.join(dir, "2026", "link.json"), error: "no such file" },
      { kind: "skipped", file: path.join(dir, "2026", "x.ndjson.gz"), reason: "json-lines" },
      { kind: "bad", file: path.join(dir, "nowhere"), error: "no such file" },
    ]);
  });

  it("reports a folder read as a file", async () => {
    const dir = scratch();
    const outcome = await readLogFile(
      dir,
      { candidate: () => undefined, restart: () => undefined },
      mustContain,
    );
    expect(outcome.error).toBe("a folder where a file was expected");
  });
});
