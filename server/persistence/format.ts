// keycast's snapshot format (version 1). Not Redis's RDB: a small format of our own that an
// incremental, copy-free background save can produce (docs/operations.md has the layout).
//
//   "KCSNAP" u16le(version)
//   op*                      applied in order: a later PUT of a key replaces an earlier one,
//                            DEL removes it, CLEAR empties a database
//   0xFF u32le(crc32 of every byte before the crc)
//
// Keys, values and members are byte strings (varint length + bytes); deadlines are absolute
// ms since the epoch (0 = no TTL), so a key that expired while the server was down is expired
// (and announced) right after the start, not resurrected with a fresh TTL.

import type { EventRecord } from "../events/history.js";
import { UNRECORDED } from "../events/values.js";
import type { Container, StoredValue } from "../keyspace/database.js";
import { Deque } from "../keyspace/deque.js";
import { HashValue } from "../keyspace/hash.js";
import { SetValue } from "../keyspace/set.js";
import { DoubleReply, MapReply, SetReply, Status, type Reply } from "../reply.js";
import { valueTypeByOp, valueTypeOf } from "../keyspace/value-types.js";
import { ByteReader, ByteWriter, checksum, CorruptError } from "./codec.js";

export const SNAPSHOT_MAGIC = "KCSNAP";
export const SNAPSHOT_VERSION = 1;
/** Magic plus version: the bytes every snapshot starts with. */
export const SNAPSHOT_HEADER_BYTES = 8;

export const Op = {
  STRING: 0x01,
  LIST: 0x02,
  SET: 0x03,
  HASH: 0x04,
  DEL: 0x10,
  CLEAR: 0x11,
  META: 0x20,
  HISTORY: 0x21,
  END: 0xff,
} as const;

/** What a snapshot says about the server beyond its keys. */
export interface SnapshotMeta {
  /** keycast version that wrote it. */
  writer: string;
  /** When the snapshot's state was current (ms since the epoch). */
  at: number;
  /** Event history position at that moment: watchers resume from it across a restart. */
  epoch: string;
  offset: number;
  keys: number;
}

export function writeHeader(w: ByteWriter): void {
  w.raw(Buffer.from(SNAPSHOT_MAGIC, "latin1"));
  w.u8(SNAPSHOT_VERSION & 0xff);
  w.u8(SNAPSHOT_VERSION >> 8);
}

export function readHeader(r: ByteReader, what: string): void {
  if (r.remaining < SNAPSHOT_HEADER_BYTES || r.buf.toString("latin1", r.pos, r.pos + 6) !== SNAPSHOT_MAGIC) {
    throw new CorruptError(`${what} is not a keycast snapshot (bad magic)`);
  }
  r.pos += 6;
  const version = r.u8() | (r.u8() << 8);
  if (version !== SNAPSHOT_VERSION) throw new CorruptError(`${what} has format version ${version}; this keycast reads version ${SNAPSHOT_VERSION}`);
}

/** Writes one key: its type's op, database, key, deadline, then the value. */
export function writeKey(w: ByteWriter, db: number, key: string, value: StoredValue, deadline: number | undefined): void {
  if (typeof value === "string") {
    w.u8(Op.STRING);
    w.varint(db);
    w.bytes(key);
    w.varint(deadline ?? 0);
    w.bytes(value);
    return;
  }
  writeContainer(w, db, key, value, deadline ?? 0);
}

function writeContainer(w: ByteWriter, db: number, key: string, value: Container, deadline: number): void {
  if (value instanceof Deque) {
    w.u8(Op.LIST);
    w.varint(db);
    w.bytes(key);
    w.varint(deadline);
    const n = value.size;
    w.varint(n);
    for (let i = 0; i < n; i++) w.bytes(value.at(i));
  } else if (value instanceof SetValue) {
    w.u8(Op.SET);
    w.varint(db);
    w.bytes(key);
    w.varint(deadline);
    const members = value.view();
    w.varint(members.length);
    for (let i = 0; i < members.length; i++) w.bytes(members[i]!);
  } else if (value instanceof HashValue) {
    w.u8(Op.HASH);
    w.varint(db);
    w.bytes(key);
    w.varint(deadline);
    const n = value.size;
    w.varint(n);
    for (let i = 0; i < n; i++) {
      w.bytes(value.fieldAt(i));
      w.bytes(value.valueAt(i));
    }
  } else {
    const type = valueTypeOf(value);
    if (type === undefined) throw new Error(`keycast cannot persist a value of type '${value.type}': its ValueType is not registered`);
    w.u8(type.op);
    w.varint(db);
    w.bytes(key);
    w.varint(deadline);
    const body = new ByteWriter();
    type.write(value, body);
    const bytes = body.take();
    w.varint(bytes.length);
    w.raw(bytes);
  }
}

export function writeDel(w: ByteWriter, db: number, key: string): void {
  w.u8(Op.DEL);
  w.varint(db);
  w.bytes(key);
}

export function writeClear(w: ByteWriter, db: number): void {
  w.u8(Op.CLEAR);
  w.varint(db);
}

export function writeMeta(w: ByteWriter, meta: SnapshotMeta): void {
  w.u8(Op.META);
  w.bytes(Buffer.from(JSON.stringify(meta), "utf8").toString("latin1"));
}

// ---- replies (event deltas and values kept in the history) ----

const Tag = { UNDEFINED: 0, NULL: 1, STRING: 2, NUMBER: 3, BIGINT: 4, ARRAY: 5, MAP: 6, SET: 7, UNRECORDED: 8, DOUBLE: 9, STATUS: 10 } as const;

export function writeReply(w: ByteWriter, v: unknown): void {
  if (v === undefined) w.u8(Tag.UNDEFINED);
  else if (v === null) w.u8(Tag.NULL);
  else if (typeof v === "string") {
    w.u8(Tag.STRING);
    w.bytes(v);
  } else if (typeof v === "number") {
    w.u8(Tag.NUMBER);
    w.f64(v);
  } else if (typeof v === "bigint") {
    w.u8(Tag.BIGINT);
    w.bytes(v.toString());
  } else if (Array.isArray(v)) {
    w.u8(Tag.ARRAY);
    w.varint(v.length);
    for (const item of v) writeReply(w, item);
  } else if (v instanceof MapReply || v instanceof SetReply) {
    const items = v instanceof MapReply ? v.flat : v.items;
    w.u8(v instanceof MapReply ? Tag.MAP : Tag.SET);
    w.varint(items.length);
    for (const item of items) writeReply(w, item);
  } else if (v === UNRECORDED) w.u8(Tag.UNRECORDED);
  else if (v instanceof DoubleReply) {
    w.u8(Tag.DOUBLE);
    w.f64(v.value);
  } else if (v instanceof Status) {
    w.u8(Tag.STATUS);
    w.bytes(v.value);
  } else w.u8(Tag.UNDEFINED);
}

export function readReply(r: ByteReader): unknown {
  const tag = r.u8();
  switch (tag) {
    case Tag.UNDEFINED:
      return undefined;
    case Tag.NULL:
      return null;
    case Tag.STRING:
      return r.bytes();
    case Tag.NUMBER:
      return r.f64();
    case Tag.BIGINT:
      return BigInt(r.bytes());
    case Tag.ARRAY: {
      const n = r.varint();
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(readReply(r));
      return out;
    }
    case Tag.MAP:
    case Tag.SET: {
      const n = r.varint();
      const items: Reply[] = [];
      for (let i = 0; i < n; i++) items.push(readReply(r) as Reply);
      return tag === Tag.MAP ? new MapReply(items) : new SetReply(items);
    }
    case Tag.UNRECORDED:
      return UNRECORDED;
    case Tag.DOUBLE:
      return new DoubleReply(r.f64());
    case Tag.STATUS:
      return new Status(r.bytes());
    default:
      throw new CorruptError(`unknown value tag ${tag} at byte ${r.pos - 1}`);
  }
}

export function writeHistory(w: ByteWriter, events: readonly EventRecord[]): void {
  w.u8(Op.HISTORY);
  w.varint(events.length);
  for (const e of events) {
    w.varint(e.offset);
    w.varint(e.db);
    w.bytes(e.key);
    w.bytes(e.event);
    w.varint(e.time);
    writeReply(w, e.delta);
    writeReply(w, e.value);
  }
}

// ---- reading ----

/** Where a decoded snapshot goes. */
export interface SnapshotTarget {
  put(db: number, key: string, value: StoredValue, deadline: number): void;
  del(db: number, key: string): void;
  clear(db: number): void;
  meta(meta: SnapshotMeta): void;
  history(events: EventRecord[]): void;
}

const MAX_DB = 255;

function dbIndex(r: ByteReader): number {
  const db = r.varint();
  if (db > MAX_DB) throw new CorruptError(`database index ${db} out of range at byte ${r.pos}`);
  return db;
}

/**
 * Decodes a snapshot that starts at the reader's position (header included) into `target`,
 * checking its checksum first. Returns the position right after it.
 */
export function readSnapshot(r: ByteReader, target: SnapshotTarget, what: string): number {
  const start = r.pos;
  readHeader(r, what);
  const end = findEnd(r, start, what);
  while (r.pos < end) {
    const op = r.u8();
    switch (op) {
      case Op.STRING: {
        const db = dbIndex(r);
        const key = r.bytes();
        const deadline = r.varint();
        target.put(db, key, r.bytes(), deadline);
        break;
      }
      case Op.LIST: {
        const db = dbIndex(r);
        const key = r.bytes();
        const deadline = r.varint();
        const n = r.varint();
        const list = new Deque(Math.min(n, r.remaining));
        for (let i = 0; i < n; i++) list.pushBack(r.bytes());
        target.put(db, key, list, deadline);
        break;
      }
      case Op.SET: {
        const db = dbIndex(r);
        const key = r.bytes();
        const deadline = r.varint();
        const n = r.varint();
        const members: string[] = [];
        for (let i = 0; i < n; i++) members.push(r.bytes());
        target.put(db, key, SetValue.fromDistinct(members), deadline);
        break;
      }
      case Op.HASH: {
        const db = dbIndex(r);
        const key = r.bytes();
        const deadline = r.varint();
        const n = r.varint();
        const hash = new HashValue();
        for (let i = 0; i < n; i++) hash.set(r.bytes(), r.bytes());
        target.put(db, key, hash, deadline);
        break;
      }
      case Op.DEL: {
        const db = dbIndex(r);
        target.del(db, r.bytes());
        break;
      }
      default: {
        const type = valueTypeByOp(op);
        if (type === undefined) throw new CorruptError(`${what}: unknown record type 0x${op.toString(16)} at byte ${r.pos - 1}`);
        const db = dbIndex(r);
        const key = r.bytes();
        const deadline = r.varint();
        const n = r.varint();
        const body = new ByteReader(r.buf, r.pos, r.pos + n);
        r.pos += n;
        let value: Container;
        try {
          value = type.read(body);
        } catch (e) {
          throw new CorruptError(`${what}: a ${type.name} value at key ${JSON.stringify(key)} does not decode: ${(e as Error).message}`);
        }
        if (body.remaining !== 0) throw new CorruptError(`${what}: a ${type.name} value at key ${JSON.stringify(key)} has ${body.remaining} bytes left over`);
        target.put(db, key, value, deadline);
        break;
      }
      case Op.CLEAR:
        target.clear(dbIndex(r));
        break;
      case Op.META: {
        const text = Buffer.from(r.bytes(), "latin1").toString("utf8");
        try {
          target.meta(JSON.parse(text) as SnapshotMeta);
        } catch {
          throw new CorruptError(`${what}: unreadable metadata`);
        }
        break;
      }
      case Op.HISTORY: {
        const n = r.varint();
        const events: EventRecord[] = [];
        for (let i = 0; i < n; i++) {
          const offset = r.varint();
          const db = dbIndex(r);
          const key = r.bytes();
          const event = r.bytes();
          const time = r.varint();
          const delta = readReply(r);
          const value = readReply(r);
          events.push({ offset, db, key, event, time, delta, value });
        }
        target.history(events);
        break;
      }
    }
  }
  if (r.pos !== end) throw new CorruptError(`${what}: a record runs past the end marker`);
  r.pos = end + 5;
  return r.pos;
}

/**
 * Finds the END marker by walking the ops without decoding values, and checks the checksum.
 * Walking (rather than trusting the last 5 bytes) lets a snapshot be followed by other data,
 * as in the append-only log, where the base snapshot is followed by commands.
 */
function findEnd(r: ByteReader, start: number, what: string): number {
  const scan = new ByteReader(r.buf, r.pos, r.end);
  for (;;) {
    if (scan.remaining === 0) throw new CorruptError(`${what} is truncated (no end marker): it was not written completely`);
    const at = scan.pos;
    const op = scan.u8();
    try {
      skipOp(scan, op);
    } catch (e) {
      if (e instanceof CorruptError) throw new CorruptError(`${what} is truncated or damaged at byte ${at}: ${e.message}`);
      throw e;
    }
    if (op === Op.END) {
      if (scan.remaining < 4) throw new CorruptError(`${what} is truncated (its checksum is cut short): it was not written completely`);
      const stored = scan.u32();
      const actual = crc(r.buf, start, at + 1);
      if (stored !== actual) throw new CorruptError(`${what} fails its checksum (stored ${hex(stored)}, computed ${hex(actual)}): it is damaged`);
      return at;
    }
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

function crc(buf: Buffer, from: number, to: number): number {
  return checksum(buf.subarray(from, to));
}

function skipBytes(r: ByteReader): void {
  const n = r.varint();
  if (n > r.remaining) throw new CorruptError(`a length of ${n} runs past the end`);
  r.pos += n;
}

function skipReply(r: ByteReader): void {
  const tag = r.u8();
  if (tag === Tag.STRING || tag === Tag.BIGINT || tag === Tag.STATUS) skipBytes(r);
  else if (tag === Tag.NUMBER || tag === Tag.DOUBLE) r.pos += 8;
  else if (tag === Tag.ARRAY || tag === Tag.MAP || tag === Tag.SET) {
    const n = r.varint();
    for (let i = 0; i < n; i++) skipReply(r);
  } else if (tag > Tag.STATUS) throw new CorruptError(`unknown value tag ${tag}`);
}

function skipOp(r: ByteReader, op: number): void {
  switch (op) {
    case Op.STRING:
      r.varint();
      skipBytes(r);
      r.varint();
      skipBytes(r);
      return;
    case Op.LIST:
    case Op.SET:
    case Op.HASH: {
      r.varint();
      skipBytes(r);
      r.varint();
      const n = r.varint() * (op === Op.HASH ? 2 : 1);
      for (let i = 0; i < n; i++) skipBytes(r);
      return;
    }
    case Op.DEL:
      r.varint();
      skipBytes(r);
      return;
    case Op.CLEAR:
      r.varint();
      return;
    case Op.META:
      skipBytes(r);
      return;
    case Op.HISTORY: {
      const n = r.varint();
      for (let i = 0; i < n; i++) {
        r.varint();
        r.varint();
        skipBytes(r);
        skipBytes(r);
        r.varint();
        skipReply(r);
        skipReply(r);
      }
      return;
    }
    case Op.END:
      return;
    default:
      if (valueTypeByOp(op) === undefined) throw new CorruptError(`unknown record type 0x${op.toString(16)}`);
      r.varint();
      skipBytes(r);
      r.varint();
      skipBytes(r);
      return;
  }
}
