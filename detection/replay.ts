import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import * as path from "node:path";
import { createGunzip } from "node:zlib";
import {
  BadLogFile,
  ExactRecordScanner,
  FastRecordScanner,
  NeedsExactScan,
  Scanner,
} from "./recordStream";

/** A deployed filter pattern, compiled for replay. */
export interface ReplayDetection {
  readonly name: string;
  readonly pattern: string;
  matches(record: unknown): boolean;
}

export interface ReplayMatch {
  readonly detection: string;
  readonly file: string;
  readonly accountId: string;
  readonly eventTime: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly principal: string;
  readonly sourceIPAddress: string;
}

export interface FileOutcome {
  readonly file: string;
  readonly records: number;
  /** Records parsed because their text could match. */
  readonly parsed: number;
  readonly bytes: number;
  /** Why the file was skipped, if it was. */
  readonly error?: string;
}

function field(record: Record<string, unknown>, ...keys: string[]): string {
  let value: unknown = record;
  for (const key of keys) {
    value =
      typeof value === "object" && value !== null
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  return typeof value === "string" ? value : "";
}

export function describeMatch(detection: string, file: string, record: unknown): ReplayMatch {
  const r = (record ?? {}) as Record<string, unknown>;
  return {
    detection,
    file,
    accountId: field(r, "recipientAccountId") || field(r, "userIdentity", "accountId"),
    eventTime: field(r, "eventTime"),
    eventName: field(r, "eventName"),
    eventSource: field(r, "eventSource"),
    principal: field(r, "userIdentity", "arn") || field(r, "userIdentity", "type"),
    sourceIPAddress: field(r, "sourceIPAddress"),
  };
}

// 256 KiB chunks keep the decompressed text in the CPU cache while it is scanned.
const CHUNK = 1 << 18;

async function scanFile(
  file: string,
  scanner: Scanner,
  onBytes: (bytes: number) => void,
): Promise<void> {
  const source = createReadStream(file, { highWaterMark: CHUNK });
  const stream = file.endsWith(".gz") ? source.pipe(createGunzip({ chunkSize: CHUNK })) : source;
  source.on("data", (chunk) => onBytes((chunk as Buffer).length));
  try {
    for await (const chunk of stream) {
      scanner.push(chunk as Buffer);
    }
    scanner.end();
  } finally {
    source.destroy();
    if (stream !== source) {
      stream.destroy();
    }
  }
}

/**
 * Streams one CloudTrail log file (`.json` or `.json.gz`) through the detections. Memory stays
 * bounded by the chunk size and the largest record, whatever the file size. Matches are
 * returned only once the whole file was read, so a bad file never yields half its matches.
 */
export async function replayFile(
  file: string,
  detections: readonly ReplayDetection[],
  mustContain: readonly string[] | undefined,
  onBytes: (bytes: number) => void = () => undefined,
): Promise<{ outcome: FileOutcome; matches: ReplayMatch[] }> {
  const { outcome, kept } = await scanRecords(
    file,
    (record) =>
      detections
        .filter((detection) => detection.matches(record))
        .map((detection) => describeMatch(detection.name, file, record)),
    mustContain,
    onBytes,
  );
  return { outcome, matches: kept };
}

/**
 * Streams one CloudTrail log file and keeps what `keep` returns for each record whose text
 * contains one of `mustContain`: the reader behind replay and explain. What was kept is returned
 * only once the whole file was read, so a bad file never yields half its records.
 */
export async function scanRecords<T>(
  file: string,
  keep: (record: unknown) => readonly T[],
  mustContain: readonly string[] | undefined,
  onBytes: (bytes: number) => void = () => undefined,
): Promise<{ outcome: FileOutcome; kept: T[] }> {
  let matches: T[] = [];
  const sink = {
    candidate(record: unknown): void {
      matches.push(...keep(record));
    },
  };
  let bytes = 0;
  const count = (n: number): void => {
    bytes += n;
    onBytes(n);
  };
  let scanner: Scanner = new FastRecordScanner(sink, mustContain);
  try {
    try {
      await scanFile(file, scanner, count);
    } catch (error) {
      if (!(error instanceof NeedsExactScan)) {
        throw error;
      }
      matches = [];
      scanner = new ExactRecordScanner(sink, mustContain);
      await scanFile(file, scanner, () => undefined);
    }
  } catch (error) {
    return {
      outcome: { file, records: 0, parsed: 0, bytes, error: describeFileError(error) },
      kept: [],
    };
  }
  return {
    outcome: { file, records: scanner.records, parsed: scanner.parsed, bytes },
    kept: matches,
  };
}

function describeFileError(error: unknown): string {
  if (error instanceof BadLogFile) {
    return error.message;
  }
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "Z_BUF_ERROR":
      return "truncated gzip";
    case "Z_DATA_ERROR":
      return "not gzip data (or corrupt)";
    case "ENOENT":
      return "no such file";
    case "EACCES":
      return "permission denied";
    default:
      return (error as Error).message ?? String(error);
  }
}

/** CloudTrail log files under the given paths: files as given, directories walked in name order. */
export async function* logFiles(paths: readonly string[]): AsyncGenerator<string> {
  for (const given of paths) {
    let info;
    try {
      info = await stat(given);
    } catch {
      yield given; // reported as "no such file" by replayFile
      continue;
    }
    if (!info.isDirectory()) {
      yield given;
      continue;
    }
    const entries = (await readdir(given, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    for (const entry of entries) {
      const full = path.join(given, entry.name);
      if (entry.isDirectory()) {
        yield* logFiles([full]);
      } else if (/\.json(\.gz)?$/.test(entry.name)) {
        yield full;
      }
    }
  }
}
