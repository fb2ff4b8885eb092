// Type-level tests: the client's reply types come from the shared command table.
import { describe, expectTypeOf, it } from "vitest";
import type { KeycastClient } from "../client/index.js";

declare const kc: KeycastClient;

describe("client types", () => {
  it("types each command's reply from the shared table", () => {
    expectTypeOf(kc.get("x")).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(kc.lpush("feed", "m")).toEqualTypeOf<Promise<number>>();
    expectTypeOf(kc.hgetall("h")).resolves.toEqualTypeOf<Record<string, string>>();
    expectTypeOf(kc.exists("a", "b")).toEqualTypeOf<Promise<number>>();
    expectTypeOf(kc.lrange("l", 0, -1)).resolves.toEqualTypeOf<string[]>();
  });

  it("types the bytes view with Uint8Array for strings", () => {
    expectTypeOf(kc.bytes.get("x")).toEqualTypeOf<Promise<Uint8Array | null>>();
    expectTypeOf(kc.bytes.lrange("l", 0, -1)).resolves.toEqualTypeOf<Uint8Array[]>();
    expectTypeOf(kc.bytes.subscribe).parameter(1).parameters.toEqualTypeOf<[Uint8Array, Uint8Array]>();
    expectTypeOf(kc.subscribe).parameter(1).parameters.toEqualTypeOf<[string, string]>();
  });

  it("types the arguments", () => {
    // @ts-expect-error GET takes one key
    kc.get("a", "b");
    // @ts-expect-error LPUSH needs at least one element
    kc.lpush("feed");
    kc.set("k", new Uint8Array([1, 2]), "EX", 10);
  });

  it("types a batch as a tuple of its replies", () => {
    const b = kc.batch().set("a", "1").incr("n").get("a");
    expectTypeOf(b.exec()).resolves.toEqualTypeOf<["OK" | string | null, number, string | null]>();
    expectTypeOf(kc.batch().lpush("f", "x").ltrim("f", 0, 49).atomic().exec()).resolves.toEqualTypeOf<[number, "OK"]>();
  });
});
