/**
 * Splits the text of a CloudTrail log file (`{"Records":[{...},{...}]}`, as CloudTrail writes it,
 * possibly gzipped and arriving in chunks) into records, without parsing records that cannot
 * match: a record whose text contains none of the `mustContain` literals is only counted.
 *
 * Two scanners, one result:
 * - the fast one finds record starts with the native `Buffer.indexOf` (`{"eventVersion":` right
 *   after `[` or `,`, which is how CloudTrail writes every record) and never looks at the bytes
 *   in between;
 * - the exact one tracks JSON structure (strings, escapes, nesting) and accepts any layout
 *   (pretty-printed files, other key orders), and also the output of
 *   `aws cloudtrail lookup-events` (`{"Events":[{"CloudTrailEvent":"<record as a string>"}]}`).
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
  /**
   * What the file is when it is a known other shape, so the caller can say how to convert it:
   * JSON Lines (one record per line) or a single record.
   */
  readonly shape?: "json-lines" | "one-record";

  constructor(reason: string, shape?: "json-lines" | "one-record") {
    super(reason);
    this.name = "BadLogFile";
    this.shape = shape;
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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const CLOUDTRAIL_EVENT_KEY = Buffer.from('"CloudTrailEvent"');
/** Top-level strings longer than this cannot be a key the scanner looks for: not kept. */
const LONGEST_KEY = 64;
/** Keys of a CloudTrail record: a top-level object with one of them is a record, not a log file. */
const RECORD_KEYS = new Set([
  "eventVersion",
  "eventTime",
  "eventSource",
  "eventName",
  "userIdentity",
]);

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The top-level arrays whose elements are records. */
type RecordArray = "Records" | "Events";

/**
 * The exact scanner: any JSON layout. The records are the elements of the top-level `Records`
 * array, or the `CloudTrailEvent` strings of the top-level `Events` array, which is what
 * `aws cloudtrail lookup-events` prints (LookupEvents gives each event as a JSON string:
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Event.html).
 *
 * Speed: strings are skipped with the native `indexOf` (a string ends at the first quote not
 * preceded by an odd run of backslashes), so JavaScript only visits the bytes between strings, in
 * a loop whose state lives in locals. Records without a literal are never parsed; a record that is
 * parsed proves its own boundaries (JSON.parse accepts it whole). Invalid JSON inside a record
 * that is not parsed goes unnoticed: the scanner checks the structure it needs, not every byte.
 */
export class ExactRecordScanner implements Scanner {
  records = 0;
  parsed = 0;
  /** Depth of the document outside any record or nested value: 0, 1 (top object), 2 (records). */
  private depth = 0;
  /** Depth inside the record or nested value being skipped (0: none). */
  private nested = 0;
  private inRecord = false;
  private inString = false;
  /** A backslash ended the last chunk inside a string: the next byte is escaped. */
  private escapeNext = false;
  /** Bytes of the record being read, from earlier chunks. */
  private pieces: Buffer[] = [];
  /** Bytes of the top-level string being read, from earlier chunks (undefined: too long). */
  private keyPieces: Buffer[] | undefined = [];
  private keyLength = 0;
  private lastTopLevelKey = "";
  private array: RecordArray | undefined;
  private sawArray = false;
  private started = false;
  private ended = false;
  private looksLikeRecord = false;
  private looksLikeDigest = false;
  /** Where the literals occur in the current chunk, in order, and the first not yet passed. */
  private hits: number[] = [];
  private nextHit = 0;
  private chunkEscaped = false;
  /** Whether the last record was parsed: the cue to try the shortcut on the next one. */
  private lastWasCandidate = false;
  /** `\n` + indentation + `}` by indentation, for the shortcut. */
  private readonly closings = new Map<string, Buffer>();
  private readonly literals: readonly Buffer[] | undefined;

  constructor(
    private readonly sink: RecordSink,
    mustContain: readonly string[] | undefined,
  ) {
    this.literals = mustContain?.map((literal) => Buffer.from(literal));
  }

  push(chunk: Buffer): void {
    this.findHits(chunk);
    const n = chunk.length;
    let i = 0;
    let recordFrom = this.inRecord ? 0 : -1;
    while (i < n) {
      if (this.nested > 0) {
        const end = this.skipNested(chunk, i);
        if (end < 0) {
          break;
        }
        i = end;
        if (this.inRecord) {
          this.inRecord = false;
          // Begun in this chunk (nothing kept from earlier ones): the chunk's hits apply.
          const from = this.pieces.length === 0 ? recordFrom : -1;
          this.pieces.push(chunk.subarray(recordFrom, end));
          recordFrom = -1;
          this.finishRecord(from);
        }
        continue;
      }
      if (this.inString) {
        // A string of the top-level object (a key or a value): kept when short.
        const end = this.skipString(chunk, i);
        const stop = end < 0 ? n : end - 1;
        this.keepKeyBytes(chunk.subarray(i, stop));
        if (end < 0) {
          break;
        }
        this.finishTopLevelString();
        i = end;
        continue;
      }
      const c = chunk[i];
      i += 1;
      if (isWhitespace(c)) {
        continue;
      }
      switch (this.depth) {
        case 0:
          this.atTopLevel(c);
          break;
        case 1:
          this.inTopObject(c);
          break;
        default:
          // depth 2: between the elements of the records array.
          if (c === OPEN_BRACE) {
            const end = this.lastWasCandidate ? this.parseIndentedRecord(chunk, i - 1) : -1;
            if (end >= 0) {
              i = end;
              continue;
            }
            this.inRecord = true;
            this.nested = 1;
            recordFrom = i - 1;
            this.pieces = [];
          } else if (c === CLOSE_BRACKET) {
            this.depth = 1;
            this.array = undefined;
          } else if (c !== COMMA) {
            throw new BadLogFile(
              this.array === "Events"
                ? 'an element of "Events" is not a JSON object'
                : "a record is not a JSON object",
            );
          }
      }
    }
    if (this.inRecord && recordFrom >= 0) {
      // The record goes on in the next chunk: keep a copy of its bytes so far.
      this.pieces.push(Buffer.from(chunk.subarray(recordFrom)));
    }
  }

  /** A byte outside the top-level object: its start, or what follows its end. */
  private atTopLevel(c: number): void {
    if (this.ended) {
      if (c === OPEN_BRACE) {
        throw new BadLogFile(
          this.looksLikeRecord
            ? "JSON Lines (one record per line), not a CloudTrail log file"
            : "several JSON documents in one file (files joined?); a CloudTrail log file is one",
          this.looksLikeRecord ? "json-lines" : undefined,
        );
      }
      throw new BadLogFile("not JSON: data after the end of the document");
    }
    if (c === OPEN_BRACE) {
      this.started = true;
      this.depth = 1;
    } else if (c === OPEN_BRACKET) {
      throw new BadLogFile("not a CloudTrail log file: the top level is not a JSON object");
    } else {
      throw new BadLogFile("not JSON");
    }
  }

  /** A byte of the top-level object outside strings and nested values. */
  private inTopObject(c: number): void {
    switch (c) {
      case QUOTE:
        this.inString = true;
        this.keyPieces = [];
        this.keyLength = 0;
        break;
      case OPEN_BRACKET:
        if (this.lastTopLevelKey === "Records" || this.lastTopLevelKey === "Events") {
          this.array = this.lastTopLevelKey;
          this.sawArray = true;
          this.depth = 2;
        } else {
          this.nested = 1;
        }
        break;
      case OPEN_BRACE:
        this.nested = 1;
        break;
      case CLOSE_BRACE:
        this.depth = 0;
        this.ended = true;
        break;
      case CLOSE_BRACKET:
        throw new BadLogFile("not JSON: a bracket closes more than it opens");
      default:
      // `:`, `,`, numbers, true, false, null: nothing to track.
    }
  }

  private keepKeyBytes(bytes: Buffer): void {
    if (this.keyPieces === undefined) {
      return;
    }
    this.keyLength += bytes.length;
    if (this.keyLength > LONGEST_KEY) {
      this.keyPieces = undefined;
    } else if (bytes.length > 0) {
      this.keyPieces.push(Buffer.from(bytes));
    }
  }

  private finishTopLevelString(): void {
    const pieces = this.keyPieces;
    this.keyPieces = [];
    if (pieces === undefined) {
      this.lastTopLevelKey = "";
      return;
    }
    const raw = Buffer.concat(pieces).toString("utf8");
    // A key spelled with escapes (`Rec\u006frds`) is still that key.
    let key = raw;
    if (raw.includes("\\")) {
      try {
        key = JSON.parse(`"${raw}"`) as string;
      } catch {
        throw new BadLogFile("not JSON: a bad escape in a top-level string");
      }
    }
    this.lastTopLevelKey = key;
    if (RECORD_KEYS.has(key)) {
      this.looksLikeRecord = true;
    } else if (key === "digestStartTime") {
      this.looksLikeDigest = true;
    }
  }

  /**
   * Inside a string at `from` (and not halfway through an escape, unless `escapeNext`): the index
   * after its closing quote, or -1 when it goes on in the next chunk.
   */
  private skipString(chunk: Buffer, from: number): number {
    const n = chunk.length;
    let i = from;
    if (this.escapeNext) {
      this.escapeNext = false;
      i += 1;
    }
    // Most strings (keys, short values) end within a few bytes: look at them here before paying
    // for a native call.
    const inline = Math.min(n, i + 32);
    let j = i;
    while (j < inline) {
      const c = chunk[j];
      if (c === QUOTE) {
        this.inString = false;
        return j + 1;
      }
      if (c === BACKSLASH) {
        break;
      }
      j += 1;
    }
    // No quote and no backslash before j: the string is not inside an escape there.
    i = j;
    for (;;) {
      const quote = i < n ? chunk.indexOf(QUOTE, i) : -1;
      // The backslashes right before a quote (or the chunk end), counted back to where the
      // string is known not to be inside an escape.
      let k = (quote < 0 ? n : quote) - 1;
      while (k >= i && chunk[k] === BACKSLASH) {
        k -= 1;
      }
      const odd = (((quote < 0 ? n : quote) - 1 - k) & 1) === 1;
      if (quote < 0) {
        this.inString = true;
        this.escapeNext = odd;
        return -1;
      }
      if (!odd) {
        this.inString = false;
        return quote + 1;
      }
      i = quote + 1;
    }
  }

  /**
   * Skips the rest of a record or nested value: the index after its closing bracket, or -1 when
   * it goes on in the next chunk. Brackets are only counted: a record is checked by JSON.parse
   * when it is a candidate, other values are not looked into.
   */
  private skipNested(chunk: Buffer, from: number): number {
    const n = chunk.length;
    let depth = this.nested;
    let i = from;
    if (this.inString) {
      i = this.skipString(chunk, i);
      if (i < 0) {
        return -1;
      }
    }
    while (i < n) {
      const c = chunk[i];
      if (c === QUOTE) {
        i = this.skipString(chunk, i + 1);
        if (i < 0) {
          this.nested = depth;
          return -1;
        }
        continue;
      }
      i += 1;
      // `{` and `[` are 0x7b and 0x5b, `}` and `]` 0x7d and 0x5d: one bit apart.
      if ((c | 0x20) === OPEN_BRACE) {
        depth += 1;
      } else if ((c | 0x20) === CLOSE_BRACE) {
        depth -= 1;
        if (depth === 0) {
          this.nested = 0;
          return i;
        }
      }
    }
    this.nested = depth;
    return -1;
  }

  /**
   * The shortcut for files where most records are candidates (they are parsed anyway, so
   * scanning them first is wasted): in a pretty-printed file a record whose `{` starts a line
   * ends at the next line with the same indentation that starts with `}`. That guess is checked
   * by parsing: text that starts at the record's `{` and parses as one JSON value ends exactly at
   * the record's closing brace, so a wrong guess never parses. The record is taken (its end
   * returned) only if the guessed text contains a literal and parses; otherwise -1, and the caller
   * scans the record as usual.
   */
  private parseIndentedRecord(chunk: Buffer, start: number): number {
    let lineStart = start;
    while (lineStart > 0 && (chunk[lineStart - 1] === 0x20 || chunk[lineStart - 1] === 0x09)) {
      lineStart -= 1;
    }
    if (lineStart === 0 || chunk[lineStart - 1] !== 0x0a) {
      return -1;
    }
    const indent = chunk.toString("latin1", lineStart, start);
    let closing = this.closings.get(indent);
    if (closing === undefined) {
      closing = Buffer.from(`\n${indent}}`, "latin1");
      this.closings.set(indent, closing);
    }
    const at = chunk.indexOf(closing, start);
    if (at < 0) {
      return -1;
    }
    const end = at + closing.length;
    const text = chunk.subarray(start, end);
    if (!this.couldMatch(text, start)) {
      return -1;
    }
    let value: unknown;
    try {
      value = parseRecord(text);
    } catch {
      return -1;
    }
    this.records += 1;
    this.take(value);
    return end;
  }

  /**
   * Where the literals occur in a chunk, and whether it has an escape: one native search per
   * literal occurrence for the whole chunk instead of one per record (most records have none).
   */
  private findHits(chunk: Buffer): void {
    const hits: number[] = [];
    for (const literal of this.literals ?? []) {
      for (let at = chunk.indexOf(literal); at >= 0; at = chunk.indexOf(literal, at + 1)) {
        hits.push(at);
      }
    }
    if (this.literals !== undefined && this.literals.length > 1) {
      hits.sort((a, b) => a - b);
    }
    this.hits = hits;
    this.nextHit = 0;
    this.chunkEscaped = chunk.indexOf(UNICODE_ESCAPE) >= 0;
  }

  /**
   * Whether a record's text may match: it contains a literal, or an escape that could hide one.
   * `from` is where the text starts in the current chunk when it lies wholly in it (else -1): the
   * chunk's hits answer then. Records come in order, so hits before one are never needed again.
   */
  private couldMatch(text: Buffer, from: number): boolean {
    const escaped = from >= 0 && !this.chunkEscaped ? false : text.indexOf(UNICODE_ESCAPE) >= 0;
    if (this.array === "Events" && !escaped && text.indexOf(CLOUDTRAIL_EVENT_KEY) < 0) {
      throw new BadLogFile(
        `event ${this.records + 1} of "Events" has no CloudTrailEvent (aws cloudtrail lookup-events gives one per event)`,
      );
    }
    if (escaped || this.literals === undefined) {
      return true;
    }
    if (from < 0) {
      return containsAny(text, this.literals);
    }
    const hits = this.hits;
    while (this.nextHit < hits.length && hits[this.nextHit] < from) {
      this.nextHit += 1;
    }
    // A hit that starts inside and runs past the end makes a needless candidate, never a miss.
    return this.nextHit < hits.length && hits[this.nextHit] < from + text.length;
  }

  private finishRecord(from: number): void {
    const text = this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces);
    this.pieces = [];
    const candidate = this.couldMatch(text, from);
    this.records += 1;
    this.lastWasCandidate = candidate;
    if (!candidate) {
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
    this.take(value);
  }

  /** A parsed candidate: the record itself, or for lookup-events the record inside it. */
  private take(value: unknown): void {
    const record =
      this.array === "Events" ? this.eventRecord(value as Record<string, unknown>) : value;
    this.parsed += 1;
    this.sink.candidate(record);
  }

  /** The CloudTrail record of one element of lookup-events' `Events`. */
  private eventRecord(event: Record<string, unknown>): unknown {
    const text = event.CloudTrailEvent;
    if (typeof text !== "string") {
      throw new BadLogFile(
        `event ${this.records} of "Events" has no CloudTrailEvent string (aws cloudtrail lookup-events gives one per event)`,
      );
    }
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (error) {
      throw new BadLogFile(
        `event ${this.records} of "Events": its CloudTrailEvent is not valid JSON (${(error as Error).message})`,
      );
    }
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      throw new BadLogFile(
        `event ${this.records} of "Events": its CloudTrailEvent is not a JSON object`,
      );
    }
    return record;
  }

  end(): void {
    if (!this.started) {
      throw new BadLogFile("empty: not a CloudTrail log file");
    }
    if (!this.ended) {
      throw new BadLogFile("truncated: the JSON document is not closed");
    }
    if (!this.sawArray) {
      if (this.looksLikeRecord) {
        throw new BadLogFile("one CloudTrail record, not a log file", "one-record");
      }
      if (this.looksLikeDigest) {
        // Log file validation writes these beside the logs; they list files, not events.
        throw new BadLogFile("a CloudTrail digest file (log file validation): it holds no records");
      }
      throw new BadLogFile('not a CloudTrail log file: no "Records" array');
    }
  }
}
