/**
 * The naive baseline the replay benchmark compares against: per file, gunzip it whole,
 * JSON.parse it whole (and, for lookup-events output, each event's CloudTrailEvent), and run every
 * deployed pattern on every record. Prints JSON counts.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { compileDeployedDetections } from "../detection/compile";

const directory = process.argv[2];
const { detections } = compileDeployedDetections();
const counts: Record<string, number> = Object.fromEntries(detections.map((d) => [d.name, 0]));
let records = 0;
const started = process.hrtime.bigint();
for (const name of readdirSync(directory).sort()) {
  const raw = readFileSync(path.join(directory, name));
  const text = (name.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
  const document = JSON.parse(text) as {
    Records?: unknown[];
    Events?: { CloudTrailEvent: string }[];
  };
  // aws cloudtrail lookup-events output: each event's record is a JSON string of its own.
  const fileRecords =
    document.Records ?? (document.Events ?? []).map((event) => JSON.parse(event.CloudTrailEvent));
  for (const record of fileRecords) {
    records += 1;
    for (const detection of detections) {
      if (detection.matches(record)) {
        counts[detection.name] += 1;
      }
    }
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(`${JSON.stringify({ records, seconds, counts })}\n`);
