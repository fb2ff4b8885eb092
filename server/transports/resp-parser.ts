// An incremental parser for what Redis clients send: multibulk commands (`*2\r\n$3\r\nGET\r\n
// $1\r\nk\r\n`) and inline commands (`GET k\r\n`, typed by hand), with Redis's rules and
// protocol error texts (networking.c processMultibulkBuffer / processInlineBuffer).
//
// Input arrives in arbitrary pieces; next() returns one whole command at a time, or null until
// more bytes come. Arguments already read stay parsed across reads, and a large bulk's pieces
// are collected without re-copying the buffer on every read. Every word becomes a byte string
// (one char per byte, see server/bytes.ts): nothing is decoded as UTF-8.

import { splitArgs } from "../../shared/splitargs.js";

/** A malformed request. The message is the error reply; the connection is closed after it. */
export class ProtocolError extends Error {}

/** Longest inline command, or count line, Redis accepts before a newline (PROTO_INLINE_MAX_SIZE). */
export const INLINE_MAX = 64 * 1024;
const INT_MAX = 2 ** 31 - 1;
const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;
const EMPTY = Buffer.alloc(0);

/** Node's Buffer has a latin1Slice method (what toString("latin1") calls) that TypeScript does not declare. */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };
const HAS_LATIN1_SLICE = typeof (Buffer.prototype as Partial<Latin1Buffer>).latin1Slice === "function";

/**
 * buf[start, end) as a byte string. Short words (command names, small keys) are built char by
 * char, which is several times cheaper than a call into the runtime; longer ones are copied.
 */
function byteString(buf: Buffer, start: number, end: number): string {
  if (end - start <= 6) {
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
    return s;
  }
  return HAS_LATIN1_SLICE ? (buf as Latin1Buffer).latin1Slice(start, end) : buf.toString("latin1", start, end);
}

/**
 * string2ll on buf[start, end): an optional '-', then digits without a leading zero. NaN when
 * not a valid integer (Redis refuses '+', spaces, leading zeros and "-0").
 */
function parseInteger(buf: Buffer, start: number, end: number): number {
  if (start >= end) return NaN;
  let i = start;
  const negative = buf[i] === 45;
  if (negative) i++;
  if (i >= end || end - i > 19) return NaN;
  const first = buf[i]!;
  if (first === 48) return end - i === 1 && !negative ? 0 : NaN;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

/** Splits an inline command into words as Redis's sdssplitargs does; null for unbalanced quotes. */
export function splitInline(line: Buffer): string[] | null {
  return splitArgs(byteString(line, 0, line.length));
}

export class RespParser {
  /** Unparsed input starts at buf[pos]. */
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** Pieces held back while a large bulk is incomplete, joined once it can be read. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** Bytes needed from pos before parsing can go on (a bulk and its CRLF); 0 = unknown. */
  private need = 0;
  /** The multibulk command being read: its words so far. */
  private argv: string[] | null = null;
  private argi = 0;
  /** Length of the bulk whose header was read, or -1. */
  private bulkLen = -1;
  /** Bytes of the current command's words already parsed, for the query buffer limit. */
  private argBytes = 0;

  /** Bytes received and not yet returned as commands (Redis's query buffer length). */
  get pending(): number {
    return this.buf.length - this.pos + this.heldBytes + this.argBytes;
  }

  feed(chunk: Buffer): void {
    const rest = this.buf.length - this.pos;
    if (this.need > 0 && rest + this.heldBytes + chunk.length < this.need) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      return;
    }
    if (rest === 0 && this.heldBytes === 0) this.buf = chunk;
    else if (this.heldBytes === 0) this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    else {
      this.held.push(chunk);
      this.buf = Buffer.concat([this.buf.subarray(this.pos), ...this.held]);
      this.held = [];
      this.heldBytes = 0;
    }
    this.pos = 0;
    this.need = 0;
  }

  /**
   * The next whole command, or null when more input is needed. Throws ProtocolError for
   * malformed input; the parser is unusable after that (the connection closes).
   */
  next(maxBulkLen: number): string[] | null {
    const buf = this.buf;
    const end = buf.length;
    let pos = this.pos;
    for (;;) {
      if (this.argv === null) {
        if (pos >= end) break;
        if (buf[pos] !== STAR) {
          const argv = this.inline(buf, pos, end);
          if (argv === null) return null;
          if (argv.length === 0) {
            pos = this.pos;
            continue;
          }
          return argv;
        }
        const cr = buf.indexOf(CR, pos);
        if (cr < 0 || cr + 1 >= end) {
          if (end - pos > INLINE_MAX) throw new ProtocolError("ERR Protocol error: too big mbulk count string");
          break;
        }
        const count = parseInteger(buf, pos + 1, cr);
        if (Number.isNaN(count) || count > INT_MAX) throw new ProtocolError("ERR Protocol error: invalid multibulk length");
        pos = cr + 2;
        // *0 and *-1 are empty commands: nothing to run, nothing to reply.
        if (count <= 0) continue;
        this.argv = new Array<string>(count);
        this.argi = 0;
      }
      const argv = this.argv;
      while (this.argi < argv.length) {
        if (this.bulkLen < 0) {
          if (pos >= end) break;
          if (buf[pos] !== DOLLAR) {
            throw new ProtocolError(`ERR Protocol error: expected '$', got '${String.fromCharCode(buf[pos]!)}'`);
          }
          const cr = buf.indexOf(CR, pos);
          if (cr < 0 || cr + 1 >= end) {
            if (end - pos > INLINE_MAX) throw new ProtocolError("ERR Protocol error: too big bulk count string");
            break;
          }
          const len = parseInteger(buf, pos + 1, cr);
          if (!(len >= 0 && len <= maxBulkLen)) throw new ProtocolError("ERR Protocol error: invalid bulk length");
          pos = cr + 2;
          this.bulkLen = len;
        }
        const len = this.bulkLen;
        // Like Redis, the two bytes after the bulk are skipped without checking they are CRLF.
        if (end - pos < len + 2) {
          this.need = len + 2;
          break;
        }
        argv[this.argi++] = byteString(buf, pos, pos + len);
        this.argBytes += len;
        pos += len + 2;
        this.bulkLen = -1;
      }
      if (this.argi < argv.length) break;
      this.argv = null;
      this.argBytes = 0;
      this.pos = pos;
      return argv;
    }
    this.pos = pos;
    return null;
  }

  /** One inline command at buf[pos]; null when its newline has not arrived. */
  private inline(buf: Buffer, pos: number, end: number): string[] | null {
    const lf = buf.indexOf(LF, pos);
    if (lf < 0) {
      if (end - pos > INLINE_MAX) throw new ProtocolError("ERR Protocol error: too big inline request");
      this.pos = pos;
      return null;
    }
    const lineEnd = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
    const words = splitInline(buf.subarray(pos, lineEnd));
    if (words === null) throw new ProtocolError("ERR Protocol error: unbalanced quotes in request");
    this.pos = lf + 1;
    return words;
  }
}
