import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import {
  BadLogFile,
  ExactRecordScanner,
  FastRecordScanner,
  NeedsExactScan,
  RecordSink,
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
  /** Bytes of the file read (compressed bytes for `.gz`). */
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

/**
 * Reads one file through a scanner. Every stage is joined by `stream.pipeline`, so an error in
 * any of them (the file missing or unreadable, bad gzip, the scanner refusing the text) rejects
 * this promise and closes the others: no stream is left to emit an unhandled 'error'.
 * `onPosition` gets the bytes of the file read so far (before decompression).
 */
async function scanFile(
  file: string,
  scanner: Scanner,
  onPosition: (bytes: number) => void,
): Promise<void> {
  let position = 0;
  async function* counted(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      position += chunk.length;
      onPosition(position);
      yield chunk;
    }
  }
  async function scan(source: AsyncIterable<Buffer>): Promise<void> {
    for await (const chunk of source) {
      scanner.push(chunk);
    }
    scanner.end();
  }
  const input = createReadStream(file, { highWaterMark: CHUNK });
  if (file.endsWith(".gz")) {
    await pipeline(input, counted, createGunzip({ chunkSize: CHUNK }), scan);
  } else {
    await pipeline(input, counted, scan);
  }
}

/** What a file gives as it is read. */
export interface CandidateSink extends RecordSink {
  /** The file is read again from its start (the exact scanner takes over): forget what it gave. */
  restart(): void;
}

/**
 * Streams one CloudTrail log file (`.json` or `.json.gz`) into `sink`: every record whose text
 * contains one of `mustContain` (all records when undefined), parsed. Memory stays bounded by the
 * chunk size and the largest record, whatever the file size. The fast scanner reads files laid
 * out as CloudTrail writes them; any other layout (or a doubt) restarts the file with the exact
 * scanner, after telling the sink. A bad file is an outcome with `error`, never a throw.
 */
export async function readLogFile(
  file: string,
  sink: CandidateSink,
  mustContain: readonly string[] | undefined,
  onPosition: (bytes: number) => void = () => undefined,
): Promise<FileOutcome> {
  let bytes = 0;
  const track = (position: number): void => {
    bytes = position;
    onPosition(position);
  };
  let scanner: Scanner = new FastRecordScanner(sink, mustContain);
  try {
    try {
      await scanFile(file, scanner, track);
    } catch (error) {
      if (!(error instanceof NeedsExactScan)) {
        throw error;
      }
      sink.restart();
      scanner = new ExactRecordScanner(sink, mustContain);
      await scanFile(file, scanner, track);
    }
  } catch (error) {
    return { file, records: 0, parsed: 0, bytes, error: describeFileError(error, file) };
  }
  return { file, records: scanner.records, parsed: scanner.parsed, bytes };
}

/** Where replay's matches go as they are found: counted or written, not necessarily kept. */
export interface MatchSink {
  /** A match in the file being read. */
  add(match: ReplayMatch): void;
  /** Forget the matches of the file being read: it is read again, or it turned out bad. */
  discardFile(): void;
  /** The file was read whole: its matches stand. */
  keepFile(): void;
}

/**
 * Streams one CloudTrail log file through the detections into `matches`. A bad file's matches
 * are discarded, so a bad file never yields half its matches.
 */
export async function replayFile(
  file: string,
  detections: readonly ReplayDetection[],
  mustContain: readonly string[] | undefined,
  matches: MatchSink,
  onPosition: (bytes: number) => void = () => undefined,
): Promise<FileOutcome> {
  const outcome = await readLogFile(
    file,
    {
      candidate(record) {
        for (const detection of detections) {
          if (detection.matches(record)) {
            matches.add(describeMatch(detection.name, file, record));
          }
        }
      },
      restart() {
        matches.discardFile();
      },
    },
    mustContain,
    onPosition,
  );
  if (outcome.error === undefined) {
    matches.keepFile();
  } else {
    matches.discardFile();
  }
  return outcome;
}

/**
 * Streams one CloudTrail log file and keeps what `keep` returns for each record whose text
 * contains one of `mustContain`: explain's reader (it needs every root record at once). What was
 * kept is returned only once the whole file was read, so a bad file never yields half its records.
 */
export async function scanRecords<T>(
  file: string,
  keep: (record: unknown) => readonly T[],
  mustContain: readonly string[] | undefined,
  onPosition: (bytes: number) => void = () => undefined,
): Promise<{ outcome: FileOutcome; kept: T[] }> {
  let kept: T[] = [];
  const outcome = await readLogFile(
    file,
    {
      candidate(record) {
        kept.push(...keep(record));
      },
      restart() {
        kept = [];
      },
    },
    mustContain,
    onPosition,
  );
  return { outcome, kept: outcome.error === undefined ? kept : [] };
}

/** A path as a shell word: quoted when it holds anything a shell would read specially. */
function shellWord(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/** The file a conversion should write: beside the input, named `.json`. */
function convertedName(file: string): string {
  const base = file.replace(/\.(jsonl|ndjson|json)?(\.gz)?$/, "");
  const name = `${base}.json`;
  return name === file ? `${base}.records.json` : name;
}

/**
 * How to turn a file of records (one per line, or one record alone) into a CloudTrail log file,
 * the only shape CloudTrail writes and replay reads besides lookup-events output. `jq -s` reads
 * the whole input into memory: fine for exports of a few hundred MB.
 */
export function conversionHint(file: string, shape: "json-lines" | "one-record"): string {
  const jq = shape === "json-lines" ? "jq -c -s '{Records: .}'" : "jq -c '{Records: [.]}'";
  const output = shellWord(convertedName(file));
  const command = file.endsWith(".gz")
    ? `gzip -dc ${shellWord(file)} | ${jq} > ${output}`
    : `${jq} ${shellWord(file)} > ${output}`;
  return `CloudTrail log files are {"Records": [...]}; convert with: ${command}`;
}

function describeFileError(error: unknown, file: string): string {
  if (error instanceof BadLogFile) {
    return error.shape === undefined
      ? error.message
      : `${error.message}; ${conversionHint(file, error.shape)}`;
  }
  return describeSystemError(error);
}

/** A file system or gzip error, in a few words. */
function describeSystemError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "Z_BUF_ERROR":
      return "truncated gzip";
    case "Z_DATA_ERROR":
      return "not gzip data (or corrupt)";
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied (this user may not read it)";
    case "EISDIR":
      return "a folder where a file was expected";
    default:
      return (error as Error).message ?? String(error);
  }
}

/** Why a file found in a folder is not read. */
export type SkipReason = "json-lines" | "digest" | "other";

export type LogFileEntry =
  /** A file to read, with its size when listed (for progress). */
  | { readonly kind: "log"; readonly file: string; readonly size: number }
  /** A path that cannot be read or listed: a bad file, named with the reason. */
  | { readonly kind: "bad"; readonly file: string; readonly error: string }
  /** A file in a folder that is not a CloudTrail log file by its name: counted, not read. */
  | { readonly kind: "skipped"; readonly file: string; readonly reason: SkipReason };

/**
 * What a file found in a folder is by its name. Digest files (log file validation) sit beside
 * the logs in the same bucket, also as `.json.gz`, and hold no records:
 * `<account>_CloudTrail-Digest_<region>_<trail>_<region>_<time>.json.gz`
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html).
 */
function classify(name: string): "log" | SkipReason {
  if (/\.(jsonl|ndjson)(\.gz)?$/.test(name)) {
    return "json-lines";
  }
  if (!/\.json(\.gz)?$/.test(name)) {
    return "other";
  }
  return name.includes("_CloudTrail-Digest_") ? "digest" : "log";
}

/**
 * CloudTrail log files under the given paths, in order: a path named is read whatever its name
 * (or reported bad when it does not exist); folders are walked in name order, symbolic links
 * followed (each folder once), and only `.json` / `.json.gz` files in them are read.
 */
export async function* logFiles(paths: readonly string[]): AsyncGenerator<LogFileEntry> {
  const visited = new Set<string>();
  async function* walk(folder: string): AsyncGenerator<LogFileEntry> {
    let names: string[];
    try {
      names = (await readdir(folder)).sort((a, b) => a.localeCompare(b));
    } catch (error) {
      yield {
        kind: "bad",
        file: folder,
        error: `${describeSystemError(error)} (a folder; nothing in it read)`,
      };
      return;
    }
    for (const name of names) {
      const full = path.join(folder, name);
      let info;
      try {
        info = await stat(full);
      } catch (error) {
        // Removed since the folder was listed, or a dangling link.
        yield { kind: "bad", file: full, error: describeSystemError(error) };
        continue;
      }
      if (info.isDirectory()) {
        yield* visit(full, info);
        continue;
      }
      const kind = classify(name);
      yield kind === "log"
        ? { kind, file: full, size: info.size }
        : { kind: "skipped", file: full, reason: kind };
    }
  }
  async function* visit(
    folder: string,
    info: { dev: number; ino: number },
  ): AsyncGenerator<LogFileEntry> {
    // A link back up the tree would otherwise be walked forever.
    const key = `${info.dev}:${info.ino}`;
    if (!visited.has(key)) {
      visited.add(key);
      yield* walk(folder);
    }
  }
  for (const given of paths) {
    let info;
    try {
      info = await stat(given);
    } catch (error) {
      yield { kind: "bad", file: given, error: describeSystemError(error) };
      continue;
    }
    if (info.isDirectory()) {
      yield* visit(given, info);
    } else {
      yield { kind: "log", file: given, size: info.size };
    }
  }
}

/**
 * The error for paths that hold nothing to read; when they hold JSON Lines files, it says how to
 * convert one.
 */
export function nothingToRead(paths: readonly string[], jsonLines: readonly string[]): string {
  const base = `no .json or .json.gz files under ${paths.join(", ")}`;
  if (jsonLines.length === 0) {
    return base;
  }
  return (
    `${base}; found ${jsonLines.length} JSON Lines file${jsonLines.length === 1 ? "" : "s"} ` +
    `(one record per line), such as ${jsonLines[0]}: ${conversionHint(jsonLines[0], "json-lines")}`
  );
}
