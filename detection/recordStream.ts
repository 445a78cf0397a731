/**
 * Splits the text of a CloudTrail log file (`{"Records":[{...},{...}]}`, as CloudTrail writes it,
 * possibly gzipped and arriving in chunks) into records, without parsing records that cannot
 * match: a record whose text contains none of the `mustContain` literals is only counted.
 *
 * Two scanners, one result:
 * - the fast one finds record starts with the native `Buffer.indexOf` (`{"eventVersion":` right
 *   after `[` or `,`, which is how CloudTrail writes every record) and never looks at the bytes
 *   in between;
 * - the exact one tracks JSON structure byte by byte (strings, escapes, nesting) and accepts any
 *   layout (pretty-printed files, other key orders).
 * The fast scanner hands over to the exact one (by throwing `NeedsExactScan`) whenever its
 * assumption could be wrong: the file does not start the CloudTrail way, a candidate record does
 * not parse as one JSON object, or the text uses `\u00XX` escapes that could hide a literal.
 * Pure: no file system, no streams.
 */

export interface RecordSink {
  /** A record that may match (its text contains a literal), parsed. */
  candidate(record: unknown): void;
}

export class NeedsExactScan extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "NeedsExactScan";
  }
}

/** A file that is not a CloudTrail log file: the message names what is wrong. */
export class BadLogFile extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "BadLogFile";
  }
}

const RECORD_START = Buffer.from('{"eventVersion":');
const HEADER = Buffer.from('{"Records":[');
const UNICODE_ESCAPE = Buffer.from("\\u00");
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;

function containsAny(text: Buffer, literals: readonly Buffer[] | undefined): boolean {
  if (literals === undefined) {
    return true;
  }
  return literals.some((literal) => text.indexOf(literal) >= 0);
}

// A rare first byte makes the native search fast ("V" is rare in CloudTrail text, "{" is not).
const START_NEEDLE = Buffer.from('Version":');
const START_PREFIX = Buffer.from('{"event');

/**
 * Positions of record starts (`{"eventVersion":` right after `[` or `,`) at or after `from`
 * whose separator lies inside `text`. An `eventVersion` key nested inside a record hands the
 * file to the exact scanner.
 */
function findStarts(text: Buffer, from: number): number[] {
  const starts: number[] = [];
  const offset = START_PREFIX.length;
  for (
    let hit = text.indexOf(START_NEEDLE, from + offset);
    hit >= 0;
    hit = text.indexOf(START_NEEDLE, hit + START_NEEDLE.length)
  ) {
    const start = hit - offset;
    // `{"event` before the needle, checked byte by byte (cheaper than a native call per record).
    if (
      start < 1 ||
      text[start] !== 0x7b ||
      text[start + 1] !== 0x22 ||
      text[start + 2] !== 0x65 ||
      text[start + 3] !== 0x76 ||
      text[start + 4] !== 0x65 ||
      text[start + 5] !== 0x6e ||
      text[start + 6] !== 0x74
    ) {
      continue; // another key ending in Version, or a start whose separator is in an earlier chunk
    }
    const before = text[start - 1];
    if (before !== COMMA && before !== OPEN_BRACKET) {
      throw new NeedsExactScan("eventVersion inside a record");
    }
    starts.push(start);
  }
  return starts;
}

/** The index of the record (by its start position) that contains byte `position`. */
function recordIndexOf(starts: readonly number[], position: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle] <= position) {
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  return low;
}

function parseRecord(text: Buffer): unknown {
  const value: unknown = JSON.parse(text.toString("utf8"));
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SyntaxError("a record is not a JSON object");
  }
  return value;
}

export interface Scanner {
  push(chunk: Buffer): void;
  /** Call once at the end of input; throws `BadLogFile` for a truncated or malformed file. */
  end(): void;
  readonly records: number;
  readonly parsed: number;
}

/** The fast scanner for files written by CloudTrail. */
export class FastRecordScanner implements Scanner {
  records = 0;
  parsed = 0;
  /** The separator before the unfinished record and its bytes so far (empty before the first). */
  private carry: Buffer = Buffer.alloc(0);
  private headerChecked = false;
  private readonly literals: readonly Buffer[] | undefined;

  constructor(
    private readonly sink: RecordSink,
    mustContain: readonly string[] | undefined,
  ) {
    this.literals = mustContain?.map((literal) => Buffer.from(literal));
  }

  push(chunk: Buffer): void {
    if (!this.headerChecked) {
      const text = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
      if (text.length < HEADER.length + RECORD_START.length) {
        this.carry = text;
        return;
      }
      if (!text.subarray(0, HEADER.length).equals(HEADER)) {
        throw new NeedsExactScan("the file does not start the way CloudTrail writes it");
      }
      const empty = text[HEADER.length] === 0x5d;
      if (!empty && text.indexOf(RECORD_START, HEADER.length) !== HEADER.length) {
        throw new NeedsExactScan("records do not start with eventVersion");
      }
      this.headerChecked = true;
      this.carry = Buffer.alloc(0);
      // Continue from the `[` before the first record, as if it were a separator.
      chunk = text.subarray(HEADER.length - 1);
    }
    if (chunk.indexOf(UNICODE_ESCAPE) >= 0) {
      throw new NeedsExactScan("\\u00XX escapes could hide a literal");
    }
    // Record starts that lie wholly in this chunk, their separator included. The bytes between
    // them are never visited by JavaScript: only native searches run over the chunk.
    const starts = findStarts(chunk, 1);
    if (starts.length === 0) {
      this.carry = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
      return;
    }
    // The seam: the unfinished record from earlier chunks (and any record whose start straddles
    // the chunk boundary) ends just before the separator of the first start found here. Only
    // these few bytes are copied.
    const first = starts[0];
    const seam =
      this.carry.length === 0
        ? chunk.subarray(0, first)
        : Buffer.concat([this.carry, chunk.subarray(0, first)]);
    this.scanSeam(seam);

    const last = starts[starts.length - 1];
    this.records += starts.length - 1;
    const candidates = new Set<number>();
    for (const literal of this.literals ?? []) {
      for (
        let hit = chunk.indexOf(literal, first);
        hit >= 0 && hit < last;
        hit = chunk.indexOf(literal, hit + 1)
      ) {
        candidates.add(recordIndexOf(starts, hit));
      }
    }
    for (let index = 0; index < starts.length - 1; index += 1) {
      if (this.literals === undefined || candidates.has(index)) {
        // A record ends before the comma that precedes the next start.
        this.parse(chunk.subarray(starts[index], starts[index + 1] - 1));
      }
    }
    this.carry = chunk.subarray(last - 1);
  }

  /** Records in `seam`: it starts with a separator and ends with the separator of the next record. */
  private scanSeam(seam: Buffer): void {
    if (seam.length <= 1) {
      return;
    }
    if (seam.indexOf(UNICODE_ESCAPE) >= 0) {
      throw new NeedsExactScan("\\u00XX escapes could hide a literal");
    }
    const starts = findStarts(seam, 1);
    starts.forEach((start, index) => {
      const end = index + 1 < starts.length ? starts[index + 1] - 1 : seam.length - 1;
      this.take(seam.subarray(start, end));
    });
  }

  private take(record: Buffer): void {
    this.records += 1;
    if (containsAny(record, this.literals)) {
      this.parse(record);
    }
  }

  private parse(record: Buffer): void {
    let value: unknown;
    try {
      value = parseRecord(record);
    } catch {
      throw new NeedsExactScan("a candidate record is not one JSON object");
    }
    this.parsed += 1;
    this.sink.candidate(value);
  }

  end(): void {
    if (!this.headerChecked) {
      // Too short for the fast path to judge: let the exact scanner read it.
      throw new NeedsExactScan("short file");
    }
    // What is left is `[` or `,` + the last record + `]}` (and optional whitespace).
    const text = this.carry;
    let close = text.length - 1;
    while (
      close >= 0 &&
      (text[close] === 0x20 || text[close] === 0x0a || text[close] === 0x0d || text[close] === 0x09)
    ) {
      close -= 1;
    }
    if (close < 1 || text[close] !== 0x7d || text[close - 1] !== 0x5d) {
      // Truncated, or something after the document: the exact scanner names which.
      throw new NeedsExactScan("the Records array is not closed");
    }
    // The carry may still hold several records (a final chunk without a start of its own).
    this.scanSeam(Buffer.concat([text.subarray(0, close - 1), Buffer.from(",")]));
  }
}

/** The exact scanner: any JSON layout; the records are the elements of the top-level `Records` array. */
export class ExactRecordScanner implements Scanner {
  records = 0;
  parsed = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Bytes of the record being read (depth >= 3), or of the current top-level key. */
  private pieces: Buffer[] = [];
  /** 0 while inside a record (its bytes continue in the next chunk), -1 outside. */
  private recordStart = -1;
  private keyStart = -1;
  private keyPrefix = "";
  private lastTopLevelKey = "";
  private inRecords = false;
  private sawRecords = false;
  private sawAnything = false;
  private readonly literals: readonly Buffer[] | undefined;

  constructor(
    private readonly sink: RecordSink,
    mustContain: readonly string[] | undefined,
  ) {
    this.literals = mustContain?.map((literal) => Buffer.from(literal));
  }

  push(chunk: Buffer): void {
    let recordFrom = this.recordStart >= 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i += 1) {
      const c = chunk[i];
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
        } else if (c === 0x5c) {
          this.escaped = true;
        } else if (c === 0x22) {
          this.inString = false;
          if (this.keyStart >= 0) {
            this.lastTopLevelKey =
              this.keyPrefix + chunk.subarray(this.keyStart, i).toString("utf8");
            this.keyPrefix = "";
            this.keyStart = -1;
          }
        }
        continue;
      }
      switch (c) {
        case 0x22:
          if (this.depth === 2 && this.inRecords) {
            throw new BadLogFile("a record is not a JSON object");
          }
          this.inString = true;
          if (this.depth === 1) {
            this.keyStart = i + 1;
            this.keyPrefix = "";
          }
          break;
        case 0x7b:
        case 0x5b:
          if (!this.sawAnything && c !== 0x7b) {
            throw new BadLogFile("not a CloudTrail log file: the top level is not a JSON object");
          }
          this.sawAnything = true;
          this.depth += 1;
          if (this.depth === 2 && c === 0x5b && this.lastTopLevelKey === "Records") {
            this.inRecords = true;
            this.sawRecords = true;
          } else if (this.depth === 3 && this.inRecords) {
            if (c !== 0x7b) {
              throw new BadLogFile("a record is not a JSON object");
            }
            this.recordStart = 0;
            recordFrom = i;
            this.pieces = [];
          }
          break;
        case 0x7d:
        case 0x5d:
          if (this.depth === 3 && this.inRecords) {
            this.pieces.push(chunk.subarray(recordFrom, i + 1));
            this.finishRecord();
            recordFrom = -1;
          } else if (this.depth === 2 && this.inRecords) {
            this.inRecords = false;
          }
          this.depth -= 1;
          if (this.depth < 0) {
            throw new BadLogFile("not JSON: a bracket closes more than it opens");
          }
          break;
        default:
          if (c > 0x20 && !this.sawAnything) {
            throw new BadLogFile("not JSON");
          }
          if (c > 0x20 && this.depth === 0) {
            throw new BadLogFile("not JSON: data after the end of the document");
          }
          if (c > 0x20 && c !== COMMA && this.depth === 2 && this.inRecords) {
            throw new BadLogFile("a record is not a JSON object");
          }
      }
    }
    if (recordFrom >= 0) {
      this.pieces.push(Buffer.from(chunk.subarray(recordFrom)));
    }
    if (this.keyStart >= 0) {
      // A top-level key split across chunks: keep its beginning.
      this.keyPrefix += chunk.subarray(this.keyStart).toString("latin1");
      this.keyStart = 0;
    }
  }

  private finishRecord(): void {
    const text = this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces);
    this.pieces = [];
    this.recordStart = -1;
    this.records += 1;
    if (!containsAny(text, this.literals) && text.indexOf(UNICODE_ESCAPE) < 0) {
      return;
    }
    let value: unknown;
    try {
      value = parseRecord(text);
    } catch (error) {
      throw new BadLogFile(
        `record ${this.records} is not valid JSON (${(error as Error).message})`,
      );
    }
    this.parsed += 1;
    this.sink.candidate(value);
  }

  end(): void {
    if (!this.sawAnything) {
      throw new BadLogFile("empty: not a CloudTrail log file");
    }
    if (this.depth !== 0 || this.inString) {
      throw new BadLogFile("truncated: the JSON document is not closed");
    }
    if (!this.sawRecords) {
      throw new BadLogFile('not a CloudTrail log file: no "Records" array');
    }
  }
}
