// The hand-written msgpack of batch replies and events must be exactly what msgpackr writes
// for the same values: clients decode both with their ordinary unpacker.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Packr } from "msgpackr";
import { batchFrame } from "../server/transports/batch-frame.js";
import { encodeEventTail, eventFrame, headBytes, tailBytes, writeEventHead, writeEventTail } from "../server/events/event-frame.js";
import { replyToWire } from "../server/encoding/msgpack-replies.js";
import { DoubleReply, ErrorReply, MapReply, NULL_ARRAY, OK, SetReply, Status, type Reply } from "../server/reply.js";

const packr = new Packr({ useRecords: false, variableMapSize: true });

const byteString = fc.oneof(
  fc.string({ maxLength: 80 }).map((s) => s.replace(/[^\x00-\x7f]/g, "a")),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString("latin1")),
  fc.constantFrom("", "x".repeat(31), "x".repeat(32), "x".repeat(63), "x".repeat(64), "y".repeat(255), "y".repeat(256), "z".repeat(70_000), "\xff".repeat(300), "\xe9".repeat(70)),
);
const numbers = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 127, 128, 255, 256, 65535, 65536, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, 1.5, NaN, Infinity),
);
const leaf: fc.Arbitrary<Reply> = fc.oneof(
  byteString,
  numbers,
  fc.constant(null),
  fc.constant(NULL_ARRAY),
  fc.constant(OK),
  fc.constantFrom(new Status("QUEUED"), new Status("caf\xe9")),
  byteString.map((m) => new ErrorReply(`ERR ${m}`)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.double().map((d) => new DoubleReply(d)),
  fc.array(byteString, { maxLength: 4 }).map((a) => new SetReply(a)),
  fc.array(byteString, { maxLength: 3 }).map((a) => new MapReply(a.flatMap((k) => [k, k]))),
);
const reply: fc.Arbitrary<Reply> = fc.oneof({ depthSize: "small" }, leaf, fc.array(leaf, { maxLength: 20 }), fc.array(fc.array(leaf, { maxLength: 3 }), { maxLength: 3 }));

describe("the msgpack writer", () => {
  it("writes batch reply frames as msgpackr does", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.array(reply, { maxLength: 40 }), (id, replies) => {
        const out = replies.map(replyToWire);
        const errors = replies.flatMap((r, i) => (r instanceof ErrorReply ? [i] : []));
        const expected = packr.pack(errors.length ? [1, id, out, errors] : [1, id, out]);
        expect(batchFrame(id, replies).toString("hex")).toBe(expected.toString("hex"));
      }),
      { numRuns: 400 },
    );
  });

  it("writes event frames as msgpackr does", () => {
    const eventName = fc.constantFrom("set", "expired", "hincrbyfloat", "rename_from", "e".repeat(40));
    const uint = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 32 + 10 }), fc.constantFrom(127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1));
    const optional = fc.option(reply, { nil: undefined });
    fc.assert(
      fc.property(fc.array(uint, { minLength: 2, maxLength: 40 }), fc.integer({ min: 0, max: 15 }), byteString, eventName, uint, optional, optional, (ids, db, key, event, offset, delta, value) => {
        const time = 1_795_000_000_000 + offset;
        const wire = (r: Reply | undefined) => (r === undefined || r === null ? null : replyToWire(r));
        const expected = packr.pack([3, ids, db, replyToWire(key), event, offset, time, wire(delta), wire(value)]);
        const tail = encodeEventTail(db, key, event, offset, time, delta, value);
        expect(eventFrame(ids, tail).toString("hex")).toBe(expected.toString("hex"));
        // The fan-out's form: the shared tail in a scratch slot, then a per-connection head.
        const slot = offset % 4;
        const tailLength = writeEventTail(slot, db, key, event, offset, time, delta, value);
        const headLength = writeEventHead(ids, ids.length);
        const parts = Buffer.concat([headBytes().subarray(0, headLength), tailBytes(slot).subarray(0, tailLength)]);
        expect(parts.toString("hex")).toBe(expected.toString("hex"));
        // Only a tail that may be kept fills its buffer exactly (a scratch one is longer).
        if (tailBytes(slot).length === tailLength) expect(tailLength).toBeGreaterThan(256);
      }),
      { numRuns: 400 },
    );
  });

  it("encodes a reply larger than its scratch buffer, and the replies after it", () => {
    const big = ["a".repeat(3_000_000), "\xff".repeat(1_500_000)];
    expect(batchFrame(1, big).equals(packr.pack([1, 1, big.map(replyToWire)]))).toBe(true);
    expect(batchFrame(2, ["ok", 5]).toString("hex")).toBe(packr.pack([1, 2, ["ok", 5]]).toString("hex"));
  });

  it("keeps binary keys and values intact through a decode", () => {
    const frame = batchFrame(7, ["k\x00\xff", 3, null, new ErrorReply("WRONGTYPE Operation against a key holding the wrong kind of value")]);
    const decoded = packr.unpack(frame) as unknown[];
    expect(decoded[0]).toBe(1);
    expect(decoded[1]).toBe(7);
    const replies = decoded[2] as unknown[];
    expect(Buffer.from(replies[0] as Uint8Array).toString("latin1")).toBe("k\x00\xff");
    expect(replies.slice(1)).toEqual([3, null, "WRONGTYPE Operation against a key holding the wrong kind of value"]);
    expect(decoded[3]).toEqual([3]);
  });
});
