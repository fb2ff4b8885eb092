// The append-only log's layout (version 1):
//
//   "KCAOF\0" u16le(version)
//   a base snapshot (format.ts), the state the log starts from (empty, or the last rewrite)
//   record*     u32le(payload length) u32le(crc32 of payload) payload
//
// A payload starts with its kind:
//   CMD      db time offset argc arg*   a write command, with relative TTLs made absolute
//   SPOP     db time offset key n member*   SPOP as the members it really popped
//   EXPIRED  db time key                  a key removed at its deadline
//   EVICTED  db time key                  a key removed by maxmemory
//   MULTI / EXEC                          the commands between them apply together or not at all
// time is the server clock the command ran with, so a replay sees the same clock (and expires
// the same keys at the same points); offset is the event history position before the record,
// so a replay can check it rebuilt the history exactly.

import { ByteReader, ByteWriter, checksum, CorruptError } from "./codec.js";

export const AOF_MAGIC = "KCAOF\0";
export const AOF_VERSION = 1;
export const AOF_HEADER_BYTES = 8;
/** Record header: length and checksum. */
export const RECORD_HEADER_BYTES = 8;
/** A payload longer than this is taken for damage, not data. */
const MAX_PAYLOAD = 2 ** 31;

export const Kind = { CMD: 1, SPOP: 2, EXPIRED: 3, EVICTED: 4, MULTI: 5, EXEC: 6 } as const;

export type AofRecord =
  | { kind: typeof Kind.CMD; db: number; time: number; offset: number; argv: string[] }
  | { kind: typeof Kind.SPOP; db: number; time: number; offset: number; key: string; members: string[] }
  | { kind: typeof Kind.EXPIRED | typeof Kind.EVICTED; db: number; time: number; key: string }
  | { kind: typeof Kind.MULTI | typeof Kind.EXEC };

export function aofHeader(): Buffer {
  const b = Buffer.alloc(AOF_HEADER_BYTES);
  b.write(AOF_MAGIC, 0, "latin1");
  b.writeUInt16LE(AOF_VERSION, 6);
  return b;
}

export function checkAofHeader(buf: Buffer, file: string): void {
  if (buf.length < AOF_HEADER_BYTES || buf.toString("latin1", 0, 6) !== AOF_MAGIC) {
    throw new CorruptError(`${file} is not a keycast append-only file (bad magic)`);
  }
  const version = buf.readUInt16LE(6);
  if (version !== AOF_VERSION) throw new CorruptError(`${file} has format version ${version}; this keycast reads version ${AOF_VERSION}`);
}

/** Encodes records into one growing buffer; each record gets its length and checksum. */
export class RecordWriter {
  private readonly w = new ByteWriter(null, 16 * 1024);

  get length(): number {
    return this.w.length;
  }

  private begin(kind: number): number {
    const at = this.w.length;
    this.w.u32(0);
    this.w.u32(0);
    this.w.u8(kind);
    return at;
  }

  private end(at: number): void {
    const payload = this.w.view(at + RECORD_HEADER_BYTES);
    this.w.patchU32(at, payload.length);
    this.w.patchU32(at + 4, checksum(payload));
  }

  command(db: number, time: number, offset: number, argv: readonly string[]): void {
    const at = this.begin(Kind.CMD);
    this.w.varint(db);
    this.w.varint(time);
    this.w.varint(offset);
    this.w.varint(argv.length);
    for (let i = 0; i < argv.length; i++) this.w.bytes(argv[i]!);
    this.end(at);
  }

  spop(db: number, time: number, offset: number, key: string, members: readonly string[]): void {
    const at = this.begin(Kind.SPOP);
    this.w.varint(db);
    this.w.varint(time);
    this.w.varint(offset);
    this.w.bytes(key);
    this.w.varint(members.length);
    for (let i = 0; i < members.length; i++) this.w.bytes(members[i]!);
    this.end(at);
  }

  removal(kind: typeof Kind.EXPIRED | typeof Kind.EVICTED, db: number, time: number, key: string): void {
    const at = this.begin(kind);
    this.w.varint(db);
    this.w.varint(time);
    this.w.bytes(key);
    this.end(at);
  }

  marker(kind: typeof Kind.MULTI | typeof Kind.EXEC): void {
    this.end(this.begin(kind));
  }

  /** The encoded records, leaving the writer empty. */
  take(): Buffer {
    return this.w.take();
  }
}

function decodePayload(r: ByteReader): AofRecord {
  const kind = r.u8();
  switch (kind) {
    case Kind.CMD: {
      const db = r.varint();
      const time = r.varint();
      const offset = r.varint();
      const argc = r.varint();
      if (argc === 0) throw new CorruptError("a command without words");
      const argv: string[] = [];
      for (let i = 0; i < argc; i++) argv.push(r.bytes());
      return { kind, db, time, offset, argv };
    }
    case Kind.SPOP: {
      const db = r.varint();
      const time = r.varint();
      const offset = r.varint();
      const key = r.bytes();
      const n = r.varint();
      const members: string[] = [];
      for (let i = 0; i < n; i++) members.push(r.bytes());
      return { kind, db, time, offset, key, members };
    }
    case Kind.EXPIRED:
    case Kind.EVICTED:
      return { kind, db: r.varint(), time: r.varint(), key: r.bytes() };
    case Kind.MULTI:
    case Kind.EXEC:
      return { kind };
    default:
      throw new CorruptError(`unknown record kind ${kind}`);
  }
}

/** Why reading stopped before the end of the file. */
export interface ReadProblem {
  /** Byte position of the first record that could not be read. */
  at: number;
  reason: string;
  /**
   * True when the damage is only at the very end (a record cut short by a crash, or the zero
   * bytes a filesystem leaves after one): everything before it is sound.
   */
  torn: boolean;
}

function allZero(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * Reads records from `start`, calling `each` for every sound one, with its end position.
 * Returns null when the whole file was read, else where and why it stopped.
 */
export function readRecords(buf: Buffer, start: number, each: (rec: AofRecord, end: number) => void): ReadProblem | null {
  let pos = start;
  while (pos < buf.length) {
    const left = buf.length - pos;
    if (left < RECORD_HEADER_BYTES) return { at: pos, reason: `a record header cut short (${left} of ${RECORD_HEADER_BYTES} bytes)`, torn: true };
    const len = buf.readUInt32LE(pos);
    const sum = buf.readUInt32LE(pos + 4);
    const body = pos + RECORD_HEADER_BYTES;
    if (len === 0 || len > MAX_PAYLOAD) {
      return { at: pos, reason: `an impossible record length (${len})`, torn: allZero(buf, pos) };
    }
    if (body + len > buf.length) {
      return { at: pos, reason: `a record cut short (${buf.length - body} of ${len} bytes)`, torn: true };
    }
    const payload = buf.subarray(body, body + len);
    if (checksum(payload) !== sum) {
      return { at: pos, reason: "a record that fails its checksum", torn: body + len === buf.length };
    }
    let rec: AofRecord;
    try {
      const r = new ByteReader(buf, body, body + len);
      rec = decodePayload(r);
      if (r.pos !== body + len) throw new CorruptError("trailing bytes in a record");
    } catch (e) {
      if (!(e instanceof CorruptError)) throw e;
      return { at: pos, reason: `an undecodable record (${e.message})`, torn: body + len === buf.length };
    }
    pos = body + len;
    each(rec, pos);
  }
  return null;
}
