// The keyspace's deadline table: a heap of slots in typed arrays. Checked against a plain
// model under random adds, changes, removals and per-database clears.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DeadlineTable } from "../server/keyspace/deadlines.js";

type Op = { op: "add"; db: number; at: number } | { op: "update"; pick: number; at: number } | { op: "remove"; pick: number } | { op: "clear"; db: number } | { op: "pop" };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("add" as const), db: fc.integer({ min: 0, max: 3 }), at: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("update" as const), pick: fc.nat(), at: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("remove" as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("pop" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("clear" as const), db: fc.integer({ min: 0, max: 3 }) }) },
);

describe("DeadlineTable", () => {
  it("always gives the earliest deadline first, through adds, changes, removals and clears", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const t = new DeadlineTable();
        // slot -> [db, key, at] of every live entry
        const model = new Map<number, [number, string, number]>();
        let n = 0;
        for (const o of ops) {
          const live = [...model.keys()];
          if (o.op === "add") {
            const key = `k${n++}`;
            const slot = t.add(o.db, key, o.at);
            expect(model.has(slot)).toBe(false);
            model.set(slot, [o.db, key, o.at]);
          } else if (o.op === "update" && live.length > 0) {
            const slot = live[o.pick % live.length]!;
            t.update(slot, o.at);
            model.get(slot)![2] = o.at;
          } else if (o.op === "remove" && live.length > 0) {
            const slot = live[o.pick % live.length]!;
            t.remove(slot);
            t.remove(slot); // twice: no effect
            model.delete(slot);
          } else if (o.op === "pop" && t.size > 0) {
            const slot = t.top();
            const earliest = Math.min(...[...model.values()].map((e) => e[2]));
            expect(t.atOf(slot)).toBe(earliest);
            expect([t.dbOf(slot), t.keyOf(slot), t.atOf(slot)]).toEqual(model.get(slot));
            t.remove(slot);
            model.delete(slot);
          } else if (o.op === "clear") {
            t.clear(o.db);
            for (const [slot, e] of model) if (e[0] === o.db) model.delete(slot);
          }
          expect(t.size).toBe(model.size);
        }
        // Drains in deadline order, each slot with its own database and key.
        const ats: number[] = [];
        while (t.size > 0) {
          const slot = t.top();
          expect([t.dbOf(slot), t.keyOf(slot), t.atOf(slot)]).toEqual(model.get(slot));
          ats.push(t.atOf(slot));
          t.remove(slot);
        }
        expect(ats).toEqual([...ats].sort((a, b) => a - b));
        expect(ats.length).toBe(model.size);
        expect(t.top()).toBe(-1);
      }),
      { numRuns: 300 },
    );
  });

  it("grows past its first capacity, reuses freed slots, and clears everything", () => {
    const t = new DeadlineTable();
    const slots = Array.from({ length: 1000 }, (_, i) => t.add(i % 16, `k${i}`, 5000 - i));
    expect(new Set(slots).size).toBe(1000);
    expect(t.atOf(t.top())).toBe(4001);
    t.remove(slots[999]!);
    expect(t.add(3, "again", 1)).toBe(slots[999]);
    expect(t.keyOf(t.top())).toBe("again");
    t.setDb(t.top(), 7);
    expect(t.dbOf(t.top())).toBe(7);
    t.clear();
    expect(t.size).toBe(0);
    expect(t.top()).toBe(-1);
    expect(t.add(0, "fresh", 9)).toBe(0);
  });

  it("compacts: gives back its room and renumbers the slots, in the same order", () => {
    const t = new DeadlineTable();
    const slots = Array.from({ length: 10_000 }, (_, i) => t.add(i % 3, `k${i}`, 100_000 - i));
    expect(t.capacity).toBe(16_384);
    expect(t.sparse).toBe(false);
    // Keep every 1,000th.
    for (let i = 0; i < slots.length; i++) if (i % 1000 !== 0) t.remove(slots[i]!);
    expect(t.size).toBe(10);
    expect(t.sparse).toBe(true);
    const moved = new Map<string, [number, number]>();
    t.compact((db, key, slot) => moved.set(key, [db, slot]));
    expect(t.capacity).toBe(64);
    expect(t.sparse).toBe(false);
    expect(moved.size).toBe(10);
    for (const [key, [db, slot]] of moved) {
      const i = Number(key.slice(1));
      expect([t.keyOf(slot), t.dbOf(slot), t.atOf(slot), db]).toEqual([key, i % 3, 100_000 - i, i % 3]);
    }
    // Still a heap, and it takes new deadlines.
    t.add(0, "new", 1);
    const order: string[] = [];
    while (t.size > 0) {
      order.push(t.keyOf(t.top()));
      t.remove(t.top());
    }
    expect(order).toEqual(["new", "k9000", "k8000", "k7000", "k6000", "k5000", "k4000", "k3000", "k2000", "k1000", "k0"]);
  });
});
