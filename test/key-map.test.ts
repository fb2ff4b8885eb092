// KeyMap: a key removed by expiry from a large map is buried (kept with a marker, so that V8
// does not rehash the map in the middle of a burst) and must be invisible until swept.
import { describe, expect, it } from "vitest";
import { KeyMap } from "../server/keyspace/key-map.js";
import { Keyspace } from "../server/keyspace/keyspace.js";

const BIG = 70_000;

function filled(n: number): KeyMap<string> {
  const m = new KeyMap<string>();
  for (let i = 0; i < n; i++) m.set(`k${i}`, `v${i}`);
  return m;
}

describe("KeyMap", () => {
  it("behaves as a Map for everything it holds", () => {
    const m = filled(3);
    expect(m.size).toBe(3);
    expect(m.get("k1")).toBe("v1");
    expect(m.has("k2")).toBe(true);
    expect(m.delete("k1")).toBe(true);
    expect(m.delete("k1")).toBe(false);
    expect([...m.keys()]).toEqual(["k0", "k2"]);
    expect([...m.values()]).toEqual(["v0", "v2"]);
    expect([...m]).toEqual([
      ["k0", "v0"],
      ["k2", "v2"],
    ]);
  });

  it("buries: the entry is invisible to every reader until swept", () => {
    const m = filled(BIG);
    expect(m.bury("k5")).toBe(true);
    expect(m.bury("k5")).toBe(false);
    expect(m.bury("missing")).toBe(false);
    expect(m.buriedSize).toBe(1);
    expect(m.size).toBe(BIG - 1);
    expect(m.get("k5")).toBeUndefined();
    expect(m.has("k5")).toBe(false);
    expect(m.delete("k5")).toBe(false);
    expect([...m.keys()]).not.toContain("k5");
    expect([...m.values()]).not.toContain("v5");
    expect([...m].length).toBe(BIG - 1);
    // A small map the same way.
    const small = filled(3);
    small.bury("k1");
    expect([...small]).toEqual([
      ["k0", "v0"],
      ["k2", "v2"],
    ]);
    expect(small.sweep(100)).toBe(0);
    expect(small.size).toBe(2);
  });

  it("a sweep resumes where it stopped, and goes back for entries buried behind it", () => {
    const m = filled(10);
    m.bury("k8");
    // Looks at 5 entries (k0-k4): nothing buried there.
    expect(m.sweep(5)).toBe(1);
    m.bury("k1");
    // k5-k9 (k8 swept), then from the start again: k1.
    expect(m.sweep(100)).toBe(0);
    expect([...m.keys()]).toEqual(["k0", "k2", "k3", "k4", "k5", "k6", "k7", "k9"]);
  });

  it("a buried key set again is live again, counted once", () => {
    const m = filled(BIG);
    m.bury("k7");
    m.set("k7", "new");
    expect(m.size).toBe(BIG);
    expect(m.buriedSize).toBe(0);
    expect(m.get("k7")).toBe("new");
    // Buried a second time, then swept: gone for good, the list's stale entry skipped.
    m.bury("k7");
    expect(m.sweep(10)).toBe(0);
    expect(m.get("k7")).toBeUndefined();
    expect(m.size).toBe(BIG - 1);
  });

  it("sweeps in chunks, and asks for a sweep once buried entries outnumber the live ones at the first burial", () => {
    const m = filled(BIG);
    for (let i = 0; i < 1000; i++) m.bury(`k${i}`);
    expect(m.sweepDue).toBe(false);
    expect(m.sweep(400)).toBe(600);
    expect(m.sweep(400)).toBe(200);
    expect(m.sweep(400)).toBe(0);
    expect(m.size).toBe(BIG - 1000);
    // A steady state: a new key for each one buried, the live count stays put.
    const live = m.size;
    for (let i = 0; i < live + 10; i++) {
      m.set(`n${i}`, "x");
      if (i < live) m.bury(`k${1000 + i}`);
      else m.bury(`n${i - live}`);
      if (i === live - 1) expect(m.sweepDue).toBe(false);
    }
    expect(m.size).toBe(live);
    expect(m.sweepDue).toBe(true);
    m.sweep(Infinity);
    expect(m.buriedSize).toBe(0);
    expect(m.sweepDue).toBe(false);
  });
});

describe("expiry with buried keys", () => {
  it("a large database's expired keys are gone for every reader, and swept once no deadline is near", async () => {
    const ks = new Keyspace();
    const db = ks.dbs[0]!;
    const events: string[] = [];
    ks.onKeyEvent((_db, event, key) => {
      if (!key.startsWith("p")) events.push(`${event} ${key}`);
    });
    ks.tick();
    for (let i = 0; i < BIG; i++) db.set(`p${i}`, "v");
    const at = Date.now() + 30;
    for (let i = 0; i < 3; i++) {
      db.set(`t${i}`, "v");
      db.setDeadline(`t${i}`, at);
    }
    // One due soon after (the sweep waits for it), and one much later (the sweep does not wait for that).
    db.set("soon", "v");
    db.setDeadline("soon", at + 40);
    db.set("later", "v");
    db.setDeadline("later", at + 60_000);
    await new Promise((r) => setTimeout(r, 45));
    expect(events).toEqual(["new t0", "new t1", "new t2", "new soon", "new later", "expired t0", "expired t1", "expired t2"]);
    // Buried, in the values and in the deadlines, and invisible.
    expect(db.buried).toBe(6);
    ks.tick();
    expect(db.lookup("t1")).toBeUndefined();
    expect(db.exists("t2")).toBe(false);
    expect(db.size).toBe(BIG + 2);
    expect([...db.keys()].filter((k) => k.startsWith("t"))).toEqual([]);
    // Set again: a new key, announced as such, with no TTL left over.
    db.set("t1", "again");
    expect(events.at(-1)).toBe("new t1");
    expect(db.deadline("t1")).toBeUndefined();
    await new Promise((r) => setTimeout(r, 60));
    expect(events.at(-1)).toBe("expired soon");
    expect(db.buried).toBe(0);
    expect(db.lookup("t1")).toBe("again");
    expect(db.size).toBe(BIG + 2);
    ks.close();
  });

  it("sweeps while deadlines keep coming when buried keys outnumber the live ones", async () => {
    const ks = new Keyspace();
    const db = ks.dbs[0]!;
    ks.tick();
    for (let i = 0; i < 20; i++) db.set(`keep${i}`, "v");
    // A key due every 2 ms for 400 ms: never the 50 ms without a deadline that an idle sweep waits for.
    let most = 0;
    for (let i = 0; i < 200; i++) {
      ks.tick();
      db.set(`s${i}`, "v");
      db.setDeadline(`s${i}`, ks.now + 5);
      most = Math.max(most, db.buried);
      await new Promise((r) => setTimeout(r, 2));
    }
    // Buried entries (values and deadlines) never pile up far past the live keys.
    expect(most).toBeLessThan(2 * (20 + 10) + 10);
    expect(db.size).toBeLessThanOrEqual(20 + 5);
    await new Promise((r) => setTimeout(r, 120));
    expect(db.size).toBe(20);
    expect(db.buried).toBe(0);
    ks.close();
  });

  it("after a burst, gives the deadline table's room back and keeps the TTLs that remain", async () => {
    const ks = new Keyspace();
    const db = ks.dbs[0]!;
    ks.tick();
    const at = Date.now() + 20;
    for (let i = 0; i < 5000; i++) {
      db.set(`b${i}`, "v");
      db.setDeadline(`b${i}`, at);
    }
    db.set("stays", "v");
    db.setDeadline("stays", at + 60_000);
    db.set("soon", "v");
    db.setDeadline("soon", at + 120);
    expect(ks.deadlines.capacity).toBe(8192);
    await new Promise((r) => setTimeout(r, 90));
    // The burst expired, the next deadline is 100 ms away: swept and compacted.
    expect(db.size).toBe(2);
    expect(ks.deadlines.capacity).toBe(64);
    expect(db.deadline("stays")).toBe(at + 60_000);
    expect(db.deadline("soon")).toBe(at + 120);
    await new Promise((r) => setTimeout(r, 80));
    ks.tick();
    expect(db.lookup("soon")).toBeUndefined();
    expect(db.lookup("stays")).toBe("v");
    ks.close();
  });
});
