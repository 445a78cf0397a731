import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import * as path from "node:path";
import { MatchSink, ReplayDetection, ReplayMatch } from "./replay";

const SPOOL_BLOCK = 1 << 16;

function formatBytes(bytes: number): string {
  return bytes >= 1 << 30
    ? `${(bytes / (1 << 30)).toFixed(1)} GiB`
    : `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}

/**
 * The progress line: how much of all the files' bytes has been read. The file being read counts
 * by its furthest position, so a file the exact scanner reads again from its start neither moves
 * the line back nor stops it (the second reading reports positions too). A finished file counts
 * by its listed size, whatever was read of it (a bad file may stop early, a growing one read more),
 * so the line ends at 100%. Drawing is throttled; `draw` gets the text, without `\r`.
 */
export class ReplayProgress {
  private doneBytes = 0;
  private doneFiles = 0;
  private size = 0;
  private furthest = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly totalBytes: number,
    private readonly totalFiles: number,
    private readonly draw: (line: string) => void,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = 200,
  ) {}

  startFile(size: number): void {
    this.size = size;
    this.furthest = 0;
  }

  /** Bytes of the current file read so far in this reading of it. */
  position(bytes: number): void {
    this.furthest = Math.max(this.furthest, bytes);
    this.maybeDraw(false);
  }

  endFile(): void {
    this.doneBytes += this.size;
    this.doneFiles += 1;
    this.size = 0;
    this.furthest = 0;
    this.maybeDraw(this.doneFiles === this.totalFiles);
  }

  /** Bytes read, as the line counts them. */
  readBytes(): number {
    return this.doneBytes + Math.min(this.furthest, this.size);
  }

  percent(): number {
    return this.totalBytes > 0 ? Math.min(100, (100 * this.readBytes()) / this.totalBytes) : 100;
  }

  line(): string {
    return (
      `${Math.floor(this.percent())}%  ${formatBytes(this.readBytes())} of ${formatBytes(this.totalBytes)}  ` +
      `${this.doneFiles}/${this.totalFiles} files`
    );
  }

  private maybeDraw(force: boolean): void {
    const now = this.now();
    if (force || now - this.lastDraw >= this.intervalMs) {
      this.lastDraw = now;
      this.draw(this.line());
    }
  }
}

/**
 * Every match as one line of JSON in a scratch file, written as found: the report's `matches`
 * without holding them. A file's matches are taken back, by rewinding to where the file began,
 * when the file is read again or turns out bad. Writes are gathered into 64 KiB blocks: a file in
 * which every record matches would otherwise cost a system call per record.
 */
class MatchSpool {
  private readonly fd: number;
  /** Bytes on disk; the texts in `pending` follow them. */
  private flushed = 0;
  private pending: string[] = [];
  private pendingLength = 0;
  private count = 0;
  /** Where the file being read began: an index into `pending`, or -1 when on disk at `startByte`. */
  private startIndex = 0;
  private startByte = 0;
  private startCount = 0;

  constructor(readonly file: string) {
    this.fd = openSync(file, "w+");
  }

  add(match: ReplayMatch): void {
    const text = `${this.count > 0 ? "," : ""}\n    ${JSON.stringify(match)}`;
    this.pending.push(text);
    this.pendingLength += text.length;
    this.count += 1;
    if (this.pendingLength >= SPOOL_BLOCK) {
      this.flush();
    }
  }

  private flush(): void {
    if (this.startIndex >= 0) {
      this.startByte =
        this.flushed + Buffer.byteLength(this.pending.slice(0, this.startIndex).join(""));
      this.startIndex = -1;
    }
    const block = Buffer.from(this.pending.join(""));
    writeSync(this.fd, block, 0, block.length, this.flushed);
    this.flushed += block.length;
    this.pending = [];
    this.pendingLength = 0;
  }

  discardFile(): void {
    if (this.startIndex >= 0) {
      this.pending.length = this.startIndex;
      this.pendingLength = this.pending.reduce((sum, text) => sum + text.length, 0);
    } else {
      // Part of the file's matches is on disk: later ones are written over them.
      this.flushed = this.startByte;
      this.pending = [];
      this.pendingLength = 0;
      this.startIndex = 0;
    }
    this.count = this.startCount;
  }

  keepFile(): void {
    this.startIndex = this.pending.length;
    this.startCount = this.count;
  }

  /** Appends the kept files' matches to `out` at `at`; returns the new end. */
  copyTo(out: number, at: number): number {
    const onDisk = this.startIndex >= 0 ? this.flushed : this.startByte;
    const buffer = Buffer.alloc(SPOOL_BLOCK);
    let end = at;
    for (let from = 0; from < onDisk;) {
      const read = readSync(this.fd, buffer, 0, Math.min(buffer.length, onDisk - from), from);
      writeSync(out, buffer, 0, read, end);
      from += read;
      end += read;
    }
    const tail = Buffer.from(this.pending.slice(0, Math.max(0, this.startIndex)).join(""));
    writeSync(out, tail, 0, tail.length, end);
    return end + tail.length;
  }

  get kept(): number {
    return this.startCount;
  }

  close(): void {
    closeSync(this.fd);
    rmSync(this.file, { force: true });
  }
}

/** Per detection: the matches so far, and the first few to show on the terminal. */
interface DetectionTally {
  kept: number;
  pending: number;
  shown: ReplayMatch[];
  pendingShown: ReplayMatch[];
}

/**
 * Replay's matches, in memory that does not grow with their number: a count per detection, the
 * first `shownPerDetection` of each for the terminal, and (with `--json`) every match spooled to
 * disk. Only what a file read whole gave counts.
 */
export class ReplayTally implements MatchSink {
  private readonly tallies = new Map<string, DetectionTally>();
  private readonly spool: MatchSpool | undefined;

  constructor(
    detections: readonly ReplayDetection[],
    private readonly shownPerDetection: number,
    /** The report file `--json` names; its matches are spooled beside it. */
    private readonly reportFile?: string,
  ) {
    for (const detection of detections) {
      this.tallies.set(detection.name, { kept: 0, pending: 0, shown: [], pendingShown: [] });
    }
    this.spool =
      reportFile === undefined
        ? undefined
        : new MatchSpool(
            path.join(
              path.dirname(reportFile),
              `.${path.basename(reportFile)}.${process.pid}.matches.tmp`,
            ),
          );
  }

  add(match: ReplayMatch): void {
    const tally = this.tallies.get(match.detection);
    if (tally === undefined) {
      throw new Error(`a match for ${match.detection}, which is not a replayed detection`);
    }
    tally.pending += 1;
    if (tally.shown.length + tally.pendingShown.length < this.shownPerDetection) {
      tally.pendingShown.push(match);
    }
    this.spool?.add(match);
  }

  discardFile(): void {
    for (const tally of this.tallies.values()) {
      tally.pending = 0;
      tally.pendingShown = [];
    }
    this.spool?.discardFile();
  }

  keepFile(): void {
    for (const tally of this.tallies.values()) {
      tally.kept += tally.pending;
      tally.shown.push(...tally.pendingShown);
      tally.pending = 0;
      tally.pendingShown = [];
    }
    this.spool?.keepFile();
  }

  /** Matches of files read whole. */
  count(detection: string): number {
    return this.tallies.get(detection)?.kept ?? 0;
  }

  /** The first matches of a detection, in the order found (at most `shownPerDetection`). */
  shown(detection: string): readonly ReplayMatch[] {
    return this.tallies.get(detection)?.shown ?? [];
  }

  /**
   * Writes the `--json` report: `report`'s fields, then `matches` with every spooled match, to a
   * temporary file renamed over the report (readers never see half of it).
   */
  writeReport(report: Record<string, unknown>): void {
    const spool = this.spool;
    const file = this.reportFile;
    if (spool === undefined || file === undefined) {
      throw new Error("writeReport needs the report file given to the tally");
    }
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    try {
      const out = openSync(temporary, "w");
      try {
        // The fields as JSON.stringify lays them out, `"matches": []` last, then the matches
        // spliced into that array.
        const head = JSON.stringify({ ...report, matches: [] }, null, 2);
        const opening = Buffer.from(`${head.slice(0, head.length - "]\n}".length)}`);
        let end = writeSync(out, opening, 0, opening.length, 0);
        end = spool.copyTo(out, end);
        const closing = Buffer.from(`${spool.kept > 0 ? "\n  " : ""}]\n}\n`);
        writeSync(out, closing, 0, closing.length, end);
      } finally {
        closeSync(out);
      }
      renameSync(temporary, file);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }

  /** Removes the spool; call once, when done. */
  close(): void {
    this.spool?.close();
  }
}
