// The hand-written EVENT frame encoder must write exactly what msgpackr writes for the same
// array: clients decode events with their ordinary unpacker.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Packr } from "msgpackr";
import { encodeEventTail, eventFrame } from "../server/events/event-frame.js";
import { replyToWire } from "../server/transports/msgpack-replies.js";
import type { Reply } from "../server/reply.js";

const packr = new Packr({ useRecords: false, variableMapSize: true });

function reference(ids: number[], db: number, key: string, event: string, offset: number, time: number, delta: Reply | undefined, value: Reply | undefined): Buffer {
  const wire = (r: Reply | undefined) => (r === undefined || r === null ? null : replyToWire(r));
  return packr.pack([3, ids, db, replyToWire(key), event, offset, time, wire(delta), wire(value)]);
}

const byteString = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x00-\x7f]/g, "a")),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString("latin1")),
  fc.constantFrom("", "x".repeat(31), "x".repeat(32), "y".repeat(255), "y".repeat(256), "z".repeat(70_000), "\xff".repeat(300)),
);
const eventName = fc.constantFrom("set", "expired", "hincrbyfloat", "rename_from", "e".repeat(40));
const uint = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 32 + 10 }), fc.constantFrom(127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1));
const reply: fc.Arbitrary<Reply | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  byteString,
  fc.array(byteString, { maxLength: 5 }),
  fc.integer(),
);

describe("event frames", () => {
  it("match msgpackr byte for byte", () => {
    fc.assert(
      fc.property(fc.array(uint, { minLength: 2, maxLength: 40 }), fc.integer({ min: 0, max: 15 }), byteString, eventName, uint, reply, reply, (ids, db, key, event, offset, delta, value) => {
        const time = 1_795_000_000_000 + offset;
        const mine = eventFrame(ids, encodeEventTail(db, key, event, offset, time, delta, value));
        expect(mine.toString("hex")).toBe(reference(ids, db, key, event, offset, time, delta, value).toString("hex"));
      }),
      { numRuns: 500 },
    );
  });

  it("decode to the event with binary keys intact", () => {
    const key = "k\x00\xff";
    const frame = eventFrame([1, 2], encodeEventTail(3, key, "set", 9, 1_795_000_000_123, "v", undefined));
    const decoded = packr.unpack(frame) as unknown[];
    expect(decoded[0]).toBe(3);
    expect(decoded[1]).toEqual([1, 2]);
    expect(decoded[2]).toBe(3);
    expect(Buffer.from(decoded[3] as Uint8Array).toString("latin1")).toBe(key);
    expect(decoded.slice(4)).toEqual(["set", 9, 1_795_000_000_123, "v", null]);
  });
});
