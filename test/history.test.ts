// The event history on its own: positions, the ring's wrap-around, trimming by age, and that
// what since() hands out stays as it was while the ring's slots are written over.
import { describe, expect, it } from "vitest";
import { History, type EventRecord } from "../server/events/history.js";

function ev(offset: number, time = 1000 + offset, key = `k${offset}`): EventRecord {
  return { offset, db: 0, key, event: "set", time, delta: `v${offset}`, value: `v${offset}` };
}

describe("History", () => {
  it("replays what follows a position, and refuses one that fell out of the ring", () => {
    const h = new History({ maxEvents: 3, maxAgeMs: 60_000 });
    for (let o = 1; o <= 5; o++) h.append(ev(o));
    expect(h.offset).toBe(5);
    expect(h.firstOffset).toBe(3);
    expect(h.since(h.epoch, 2, 1010)!.map((r) => r.offset)).toEqual([3, 4, 5]);
    expect(h.since(h.epoch, 4, 1010)!.map((r) => r.key)).toEqual(["k5"]);
    expect(h.since(h.epoch, 5, 1010)).toEqual([]);
    // Position 1: event 2 is gone. Ahead of the history, negative, or another epoch: resync.
    expect(h.since(h.epoch, 1, 1010)).toBeNull();
    expect(h.since(h.epoch, 6, 1010)).toBeNull();
    expect(h.since(h.epoch, -1, 1010)).toBeNull();
    expect(h.since("another", 4, 1010)).toBeNull();
  });

  it("hands out copies: records kept by a caller do not change when the ring wraps", () => {
    const h = new History({ maxEvents: 2, maxAgeMs: 60_000 });
    const source = ev(1);
    h.append(source);
    h.append(ev(2));
    const kept = h.since(h.epoch, 0, 1005)!;
    // The caller's object is copied in, too: changing it later changes nothing held.
    (source as { key: string }).key = "changed";
    kept[0]!.value = "filled by the caller";
    for (let o = 3; o <= 6; o++) h.append(ev(o));
    expect(kept.map((r) => [r.offset, r.key, r.delta])).toEqual([
      [1, "k1", "v1"],
      [2, "k2", "v2"],
    ]);
    expect(h.since(h.epoch, 4, 1010)!.map((r) => [r.offset, r.key, r.value])).toEqual([
      [5, "k5", "v5"],
      [6, "k6", "v6"],
    ]);
  });

  it("fills in a value captured after the event was recorded, only while it is held", () => {
    const h = new History({ maxEvents: 2, maxAgeMs: 60_000 });
    h.append({ ...ev(1), value: null });
    h.append({ ...ev(2), value: null });
    h.setValue(2, ["a", "b"]);
    h.setValue(7, "ignored");
    expect(h.since(h.epoch, 0, 1005)!.map((r) => r.value)).toEqual([null, ["a", "b"]]);
    h.append(ev(3));
    h.setValue(1, "gone");
    expect(h.since(h.epoch, 1, 1005)!.map((r) => r.value)).toEqual([["a", "b"], "v3"]);
  });

  it("drops events older than maxAgeMs", () => {
    const h = new History({ maxEvents: 100, maxAgeMs: 50 });
    h.append(ev(1, 1000));
    h.append(ev(2, 1040));
    expect(h.since(h.epoch, 0, 1045)!.length).toBe(2);
    // At 1060 event 1 (1000) is older than 50 ms: a position before it must resync.
    expect(h.since(h.epoch, 0, 1060)).toBeNull();
    expect(h.since(h.epoch, 1, 1060)!.map((r) => r.offset)).toEqual([2]);
    h.append(ev(3, 1200));
    expect(h.size).toBe(1);
    expect(h.firstOffset).toBe(3);
  });

  it("reset forgets every event and continues at the given offset of a new epoch", () => {
    const h = new History({ maxEvents: 3, maxAgeMs: 60_000 });
    for (let o = 1; o <= 4; o++) h.append(ev(o));
    const old = h.epoch;
    h.reset("ep2", 40);
    expect(h.size).toBe(0);
    expect(h.since(old, 4, 1010)).toBeNull();
    expect(h.since("ep2", 40, 1010)).toEqual([]);
    for (let o = 41; o <= 45; o++) h.append(ev(o));
    expect(h.since("ep2", 42, 1050)!.map((r) => r.key)).toEqual(["k43", "k44", "k45"]);
  });
});
