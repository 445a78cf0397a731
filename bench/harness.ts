import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import * as path from "node:path";
import { PROJECT_DIR } from "../lib/paths";
import { writeFileAtomic } from "../lib/files";

export { PROJECT_DIR };
/** What `npm run bench` passes every benchmark (cli/bench.ts). */
export interface BenchOptions {
  /**
   * `--quick`: small data, one run, into a scratch document: a smoke test for CI that the
   * benchmarks still work, never a figure for docs/benchmarks.md.
   */
  readonly quick: boolean;
  /** The document the sections are written to. */
  readonly doc: string;
}

export const BENCHMARKS_DOC = path.join(PROJECT_DIR, "docs", "benchmarks.md");

/** Where a benchmark keeps its generated data (kept between runs, apart per size). */
export function benchDir(options: BenchOptions): string {
  return path.join(PROJECT_DIR, ".bench", options.quick ? "quick" : "full");
}

/** The full-size value, or the small one in quick mode. */
export function sized<T>(options: BenchOptions, full: T, quick: T): T {
  return options.quick ? quick : full;
}

export interface Measured {
  readonly stdout: string;
  readonly wallSeconds: number;
  /** CPU seconds (user + system) of the command and its children. */
  readonly cpuSeconds: number;
  readonly peakRssMiB: number;
}

/**
 * Runs a command under GNU time (wall, CPU, peak resident memory), optionally pinned to one core
 * with taskset, and fails loudly if the command fails: a benchmark never reports a broken run.
 */
export function measure(
  command: string,
  args: readonly string[],
  options: { oneCore?: boolean; shell?: boolean } = {},
): Measured {
  const timeFormat = "__time__ %e %U %S %M";
  const pinned =
    options.oneCore && existsSync("/usr/bin/taskset") ? ["/usr/bin/taskset", "-c", "0"] : [];
  const argv = options.shell
    ? [
        "/usr/bin/time",
        "-f",
        timeFormat,
        ...pinned,
        "/bin/bash",
        "-c",
        [command, ...args].join(" "),
      ]
    : ["/usr/bin/time", "-f", timeFormat, ...pinned, command, ...args];
  const result = spawnSync(argv[0], argv.slice(1), {
    cwd: PROJECT_DIR,
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  if (result.status !== 0) {
    throw new Error(
      `benchmark command failed (${result.status}): ${argv.join(" ")}\n${result.stderr.slice(-2000)}`,
    );
  }
  const line = result.stderr.split("\n").find((l) => l.startsWith("__time__"));
  if (line === undefined) {
    throw new Error(`no timing from /usr/bin/time for ${argv.join(" ")}`);
  }
  const [, wall, user, system, rssKiB] = line.split(" ");
  return {
    stdout: result.stdout,
    wallSeconds: Number(wall),
    cpuSeconds: Number(user) + Number(system),
    peakRssMiB: Number(rssKiB) / 1024,
  };
}

/** `node --import tsx <script>`: how the project's commands run. */
export function tsxCommand(script: string, args: readonly string[]): [string, string[]] {
  return [process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, script), ...args]];
}

export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return `${cpus().length} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

/** Replaces (or appends) one benchmark's section in docs/benchmarks.md, keeping the others. */
export function writeSection(doc: string, id: string, markdown: string): void {
  const start = `<!-- bench:${id} -->`;
  const end = `<!-- /bench:${id} -->`;
  const header =
    "# Benchmarks\n\nWritten by `npm run bench` (each section by its benchmark; `npm run bench -- <name>` reruns one). " +
    "Figures are measured, never edited by hand.\n";
  const current = existsSync(doc) ? readFileSync(doc, "utf8") : header;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileAtomic(doc, next);
}

export function formatRate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString("en-US");
}
