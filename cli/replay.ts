import { compileDeployedDetections } from "../detection/compile";
import {
  conversionHint,
  logFiles,
  nothingToRead,
  replayFile,
  SkipReason,
} from "../detection/replay";
import { ReplayProgress, ReplayTally } from "../detection/replayReport";
import { InputError } from "../lib/errors";
import { defineCommand, JSON_OPTION, runWhenMain } from "./command";

/** Matches listed per detection on the terminal; `--json` has all of them. */
const SHOWN_PER_DETECTION = 20;

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

export const replayCommand = defineCommand(
  {
    name: "replay",
    summary:
      "stream CloudTrail log files through exactly the patterns the metric filters carry, and count the matches per detection",
    options: {
      json: {
        ...JSON_OPTION.json,
        description:
          "also write every match (and the files read, bad and skipped) as JSON to this file",
      },
    },
    positionals: { name: "file-or-directory", min: 1, noun: "CloudTrail log file or directory" },
    verdict: "some file could not be read (named on stderr; the others were counted)",
    details: [
      "Reads .json and .json.gz files as CloudTrail writes them (and aws cloudtrail lookup-events output); folders are walked.",
    ],
  },
  async ({ values, positionals }, io) => {
    const args = { paths: [...positionals], json: values.json };
    const { detections, mustContain } = compileDeployedDetections();

    // The whole list first: the progress line needs the total size.
    const toRead: { file: string; size: number }[] = [];
    const bad: { file: string; error: string }[] = [];
    const skipped: Record<SkipReason, number> = { "json-lines": 0, digest: 0, other: 0 };
    const jsonLines: string[] = [];
    for await (const entry of logFiles(args.paths)) {
      if (entry.kind === "log") {
        toRead.push({ file: entry.file, size: entry.size });
      } else if (entry.kind === "bad") {
        bad.push({ file: entry.file, error: entry.error });
      } else {
        skipped[entry.reason] += 1;
        if (entry.reason === "json-lines" && jsonLines.length === 0) {
          jsonLines.push(entry.file);
        }
      }
    }
    if (toRead.length === 0 && bad.length === 0) {
      throw new InputError(nothingToRead(args.paths, jsonLines));
    }

    const totalBytes = toRead.reduce((sum, entry) => sum + entry.size, 0);
    const showProgress = process.stderr.isTTY === true && args.json === undefined;
    const progress = new ReplayProgress(totalBytes, toRead.length, (line) => {
      if (showProgress) {
        io.stderr(`\r${line}\u001b[K`);
      }
    });
    const tally = new ReplayTally(detections, SHOWN_PER_DETECTION, args.json);
    let records = 0;
    let read = 0;
    let seconds = 0;
    try {
      const started = process.hrtime.bigint();
      for (const entry of toRead) {
        progress.startFile(entry.size);
        const outcome = await replayFile(entry.file, detections, mustContain, tally, (bytes) =>
          progress.position(bytes),
        );
        progress.endFile();
        if (outcome.error === undefined) {
          read += 1;
          records += outcome.records;
        } else {
          bad.push({ file: outcome.file, error: outcome.error });
        }
      }
      if (showProgress) {
        io.stderr("\r\u001b[K");
      }
      seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const skippedTotal = skipped["json-lines"] + skipped.digest + skipped.other;

      if (args.json !== undefined) {
        tally.writeReport({
          // `files` stays what it always was, a number (the log files opened, bad ones included),
          // so scripts reading it keep working; the breakdown is beside it.
          files: read + bad.length,
          fileCounts: { read, bad: bad.length, skipped: skippedTotal },
          badFiles: bad,
          skippedFiles: {
            jsonLines: skipped["json-lines"],
            digest: skipped.digest,
            notLogFiles: skipped.other,
          },
          records,
          seconds,
          detections: detections.map((d) => ({
            name: d.name,
            pattern: d.pattern,
            matches: tally.count(d.name),
          })),
        });
      }
      for (const detection of detections) {
        const count = tally.count(detection.name);
        const shown = tally.shown(detection.name);
        io.stdout(`${detection.name}: ${count} match${count === 1 ? "" : "es"}\n`);
        for (const match of shown) {
          io.stdout(
            `  ${match.eventTime || "(no time)"}  ${match.accountId || "?"}  ${match.eventSource} ${match.eventName}  ${match.principal}  ${match.sourceIPAddress}\n`,
          );
        }
        if (count > shown.length) {
          io.stdout(
            `  ... ${count - shown.length} more` +
              (args.json === undefined
                ? " (--json <file> lists every match)\n"
                : ` in ${args.json}\n`),
          );
        }
      }
      for (const entry of bad) {
        io.stderr(`replay: skipped ${entry.file}: ${entry.error}\n`);
      }
      if (jsonLines.length > 0) {
        io.stderr(
          `replay: not read: ${plural(skipped["json-lines"], "JSON Lines file")} (one record per line) such as ${jsonLines[0]}; ${conversionHint(jsonLines[0], "json-lines")}\n`,
        );
      }
      const notRead = [
        skipped.digest > 0 ? `${skipped.digest} digest` : "",
        skipped["json-lines"] > 0 ? `${skipped["json-lines"]} JSON Lines` : "",
        skipped.other > 0 ? `${skipped.other} not .json or .json.gz` : "",
      ].filter((text) => text !== "");
      io.stdout(
        `\n${plural(records, "record")} in ${plural(read, "file")} read, ${bad.length} bad, ` +
          `${skippedTotal} skipped${notRead.length > 0 ? ` (${notRead.join(", ")})` : ""}; ` +
          `${seconds.toFixed(2)} s` +
          (seconds > 0 ? `, ${Math.round(records / seconds)} records/s` : "") +
          (args.json !== undefined ? `; wrote ${args.json}` : "") +
          "\n",
      );
    } finally {
      tally.close();
    }
    return bad.length > 0 ? 1 : 0;
  },
);

runWhenMain(module, replayCommand);
