import { statSync } from "node:fs";
import { parseArgs } from "node:util";
import { compileDeployedDetections } from "../detection/compile";
import { FileOutcome, logFiles, replayFile, ReplayMatch } from "../detection/replay";
import { InputError } from "../lib/errors";
import { checkOutputPath, writeFileAtomic } from "../lib/files";
import { runCli } from "./run";

const USAGE = "usage: npm run replay -- [--json <file>] <file-or-directory>...";

export function parseReplayArgs(argv: string[]): { paths: string[]; json?: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { json: { type: "string" } },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new InputError(`${(error as Error).message.split("\n").join(" ")}; ${USAGE}`);
  }
  if (parsed.positionals.length === 0) {
    throw new InputError(`name at least one CloudTrail log file or directory; ${USAGE}`);
  }
  return { paths: parsed.positionals, json: parsed.values.json };
}

function formatBytes(bytes: number): string {
  return bytes >= 1 << 30
    ? `${(bytes / (1 << 30)).toFixed(1)} GiB`
    : `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}

runCli("replay", async () => {
  const args = parseReplayArgs(process.argv.slice(2));
  if (args.json !== undefined) {
    checkOutputPath("--json", args.json);
  }
  const { detections, mustContain } = compileDeployedDetections();
  const files: string[] = [];
  for await (const file of logFiles(args.paths)) {
    files.push(file);
  }
  if (files.length === 0) {
    throw new InputError(`no .json or .json.gz files under ${args.paths.join(", ")}`);
  }
  const totalBytes = files.reduce((sum, file) => {
    try {
      return sum + statSync(file).size;
    } catch {
      return sum;
    }
  }, 0);
  const progress = process.stderr.isTTY && args.json === undefined;
  let readBytes = 0;
  let lastDraw = 0;
  const draw = (done: number): void => {
    const now = Date.now();
    if (progress && now - lastDraw > 200) {
      lastDraw = now;
      const share = totalBytes > 0 ? Math.min(100, (100 * readBytes) / totalBytes) : 100;
      process.stderr.write(
        `\r${share.toFixed(0)}%  ${formatBytes(readBytes)} of ${formatBytes(totalBytes)}  ${done}/${files.length} files`,
      );
    }
  };

  const started = process.hrtime.bigint();
  const outcomes: FileOutcome[] = [];
  const matches: ReplayMatch[] = [];
  for (const file of files) {
    const result = await replayFile(file, detections, mustContain, (bytes) => {
      readBytes += bytes;
      draw(outcomes.length);
    });
    outcomes.push(result.outcome);
    matches.push(...result.matches);
    draw(outcomes.length);
  }
  if (progress) {
    process.stderr.write("\r\u001b[K");
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const records = outcomes.reduce((sum, outcome) => sum + outcome.records, 0);
  const bad = outcomes.filter((outcome) => outcome.error !== undefined);
  const counts = Object.fromEntries(
    detections.map((d) => [d.name, matches.filter((m) => m.detection === d.name).length]),
  );

  if (args.json !== undefined) {
    const report = {
      files: outcomes.length,
      badFiles: bad.map((outcome) => ({ file: outcome.file, error: outcome.error })),
      records,
      seconds,
      detections: detections.map((d) => ({
        name: d.name,
        pattern: d.pattern,
        matches: counts[d.name],
      })),
      matches,
    };
    writeFileAtomic(args.json, `${JSON.stringify(report, null, 2)}\n`);
  }
  for (const detection of detections) {
    const found = matches.filter((m) => m.detection === detection.name);
    process.stdout.write(
      `${detection.name}: ${found.length} match${found.length === 1 ? "" : "es"}\n`,
    );
    for (const match of found) {
      process.stdout.write(
        `  ${match.eventTime}  ${match.accountId}  ${match.eventSource} ${match.eventName}  ${match.principal}  ${match.sourceIPAddress}\n`,
      );
    }
  }
  for (const outcome of bad) {
    process.stderr.write(`replay: skipped ${outcome.file}: ${outcome.error}\n`);
  }
  process.stdout.write(
    `\n${records} records in ${outcomes.length - bad.length} files (${bad.length} bad) in ${seconds.toFixed(2)} s` +
      (seconds > 0 ? `, ${Math.round(records / seconds)} records/s` : "") +
      (args.json !== undefined ? `; wrote ${args.json}` : "") +
      "\n",
  );
  return bad.length > 0 ? 1 : 0;
});
