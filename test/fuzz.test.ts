// Bad input, generated: random and mutated WebSocket frames, random RESP byte streams
// (truncated, oversized and negative lengths, deep nesting), random command names and
// arguments, and AUTH frames with forged, expired and alg:none tokens. After each run the
// server is up, a well-behaved client on another connection got every reply right, and the
// data written before is intact. KEYCAST_FUZZ_RUNS raises the number of runs (default small,
// so `npm test` stays quick).
import net from "node:net";
import { once } from "node:events";
import fc from "fast-check";
import { Packr } from "msgpackr";
import WebSocket from "ws";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type KeycastClient } from "../client/node.js";
import { FrameType } from "../shared/protocol.js";
import { startServer, type RunningServer } from "../server/index.js";
import { RawClient } from "./redis-server.js";

const RUNS = Number(process.env.KEYCAST_FUZZ_RUNS ?? 40);
const SECRET = "fuzz-secret-that-is-at-least-32-bytes-long!!";
const packr = new Packr({ useRecords: false, variableMapSize: true });

let server: RunningServer;
let good: KeycastClient;
let goodResp: RawClient;
const BINARY = new Uint8Array([0, 255, 10, 13, 42, 36]);

beforeAll(async () => {
  // The default user has a password: a fuzzed AUTH default or RESET cannot gain its rights.
  server = await startServer({ port: 0, requirepass: "good-pw", tokens: { secret: SECRET }, users: ["fuzzer on >pw ~fz:* &fz.* +@all -@dangerous"] });
  good = await connect(server.url, { auth: { password: "good-pw" } });
  goodResp = await RawClient.connect(server.respPort!);
  expect(await goodResp.call("AUTH", "good-pw")).toBe("+OK\r\n");
  await good.set("keep:str", "value");
  await good.bytes.set("keep:bin", BINARY);
  await good.rpush("keep:list", "a", "b", "c");
  await good.hset("keep:hash", "f", "v");
});

afterAll(async () => {
  goodResp.close();
  await good.close();
  await server.close();
});

/** The server is up, a well-behaved client gets every reply right, the data is intact. */
async function healthy(): Promise<void> {
  const n = Math.floor(Math.random() * 1000);
  const [pong, set, get, list] = await good.batch().ping().set("probe", String(n)).get("probe").lrange("keep:list", 0, -1).exec();
  expect([pong, set, get, list]).toEqual(["PONG", "OK", String(n), ["a", "b", "c"]]);
  expect(await good.get("keep:str")).toBe("value");
  expect(Buffer.from(await good.bytes.get("keep:bin") as Uint8Array)).toEqual(Buffer.from(BINARY));
  expect(await good.hgetall("keep:hash")).toEqual({ f: "v" });
  expect(await goodResp.call("PING")).toBe("+PONG\r\n");
}

/** Opens a raw WebSocket, sends the frames, and waits briefly for the server's answers or close. */
async function sendWs(frames: (Buffer | string)[]): Promise<void> {
  const ws = new WebSocket(server.url);
  ws.on("error", () => {});
  const closed = once(ws, "close").catch(() => undefined);
  await Promise.race([once(ws, "open"), closed]);
  if (ws.readyState === WebSocket.OPEN) {
    for (const f of frames) ws.send(f, { binary: typeof f !== "string" });
    ws.send(packr.pack([FrameType.BATCH, 999_999, [["PING"]]]));
    await Promise.race([closed, new Promise((r) => setTimeout(r, 30))]);
  }
  ws.terminate();
}

async function sendResp(bytes: Buffer): Promise<void> {
  const sock = net.connect(server.respPort!, "127.0.0.1");
  sock.on("error", () => {});
  sock.on("data", () => {});
  await once(sock, "connect");
  sock.write(bytes);
  await new Promise((r) => setTimeout(r, 5));
  sock.destroy();
}

const word = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.uint8Array({ maxLength: 16 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom("GET", "SET", "DEL", "KEYS", "FLUSHALL", "ACL", "CONFIG", "SUBSCRIBE", "MULTI", "AUTH", "HELLO", "keep:str", "*", "EX", "-1"),
);
const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.string({ maxLength: 20 }),
    fc.uint8Array({ maxLength: 20 }),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("WebSocket frames", () => {
  it("random msgpack values and random bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(anyValue.map((v) => packr.pack(v)), fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b))), { maxLength: 6 }), async (frames) => {
        await sendWs(frames);
      }),
      { numRuns: RUNS },
    );
    await healthy();
  });

  it("well-formed frames with random types, ids and commands; text frames", async () => {
    const frame = fc.tuple(fc.integer({ min: -2, max: 12 }), fc.oneof(fc.integer(), fc.double(), fc.string()), fc.array(fc.array(word, { maxLength: 6 }), { maxLength: 8 }), anyValue);
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { maxLength: 5 }), fc.boolean(), async (frames, text) => {
        const out: (Buffer | string)[] = frames.map((f) => packr.pack(f));
        if (text) out.push("not msgpack");
        await sendWs(out);
      }),
      { numRuns: RUNS },
    );
    await healthy();
  });

  it("mutations of valid frames: flipped, cut and repeated bytes", async () => {
    const valid = [
      packr.pack([FrameType.BATCH, 1, [["SET", "fz:a", "1"], ["GET", "fz:a"]]]),
      packr.pack([FrameType.ATOMIC, 2, [["INCR", "fz:n"], ["LPUSH", "fz:l", "x"]]]),
      packr.pack([FrameType.WATCH, 3, 1, "fz:*", { snapshot: true, value: "full" }]),
      packr.pack([FrameType.SUBSCRIBE, 4, 1, "pattern", "fz.*"]),
      packr.pack([FrameType.AUTH, 5, { user: "fuzzer", password: "pw" }]),
    ];
    const mutated = fc.tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(), fc.boolean()).map(([f, flips, cut, dup]) => {
      const b = Buffer.from(f);
      for (const [i, v] of flips) b[i % b.length] = v;
      const c = b.subarray(0, Math.max(1, b.length - (cut % b.length)));
      return dup ? Buffer.concat([c, c]) : c;
    });
    await fc.assert(
      fc.asyncProperty(fc.array(mutated, { minLength: 1, maxLength: 6 }), async (frames) => {
        await sendWs(frames);
      }),
      { numRuns: RUNS },
    );
    await healthy();
  });

  it("AUTH frames with forged, expired, alg:none and garbage tokens never authenticate", async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const token = fc.oneof(
      fc.record({ sub: fc.constantFrom("fuzzer", "default", "nobody"), acl: fc.option(fc.constantFrom("+@all ~*", ">pw", "+flushall", "(+get"), { nil: undefined }) }).chain((claims) =>
        fc.constantFrom(
          `${b64({ alg: "none", typ: "JWT" })}.${b64({ ...claims, exp: now + 60 })}.`,
          `${b64({ alg: "HS256" })}.${b64({ ...claims, exp: now + 60 })}.${Buffer.from("forged").toString("base64url")}`,
        ),
      ),
      fc.string({ maxLength: 200 }),
      fc.constant("a.b.c"),
    );
    const expired = await new SignJWT({ sub: "fuzzer" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime(now - 60).sign(new TextEncoder().encode(SECRET));
    await fc.assert(
      fc.asyncProperty(fc.oneof(token, fc.constant(expired)), async (t) => {
        const ws = new WebSocket(server.url);
        ws.on("error", () => {});
        await once(ws, "open");
        const frames: unknown[][] = [];
        ws.on("message", (d) => frames.push((packr.unpack(d as Buffer) as unknown[]) ?? []));
        ws.send(packr.pack([FrameType.AUTH, 1, { token: t }]));
        await expect.poll(() => frames.length).toBeGreaterThan(0);
        expect(frames[0]![0]).toBe(FrameType.ERROR);
        expect(String(frames[0]![2])).toMatch(/^WRONGPASS /);
        ws.terminate();
      }),
      { numRuns: Math.max(10, Math.floor(RUNS / 2)) },
    );
    await healthy();
  });
});

describe("RESP byte streams", () => {
  it("random bytes, and protocol-shaped garbage: bad, oversized, negative lengths, deep nesting, truncation", async () => {
    const header = fc.oneof(
      fc.integer({ min: -5, max: 5 }).map((n) => `*${n}\r\n`),
      fc.constantFrom("*2147483648\r\n", "*99999999999999999999\r\n", "$-1\r\n", "$-7\r\n", "$9999999999\r\n", "*1\r\n*1\r\n*1\r\n", "+OK\r\n", ":1\r\n", "\r\n", "*1\r\n$4\r\nPING\r\n"),
      fc.integer({ min: 1, max: 200 }).map((d) => "*1\r\n".repeat(d)),
      fc.integer({ min: 0, max: 10 }).map((n) => `$${n}\r\n${"x".repeat(n)}\r\n`),
      fc.string({ maxLength: 30 }).map((s) => `${s}\r\n`),
    );
    const stream = fc.oneof(
      fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
      fc.array(header, { maxLength: 10 }).chain((parts) => fc.nat().map((cut) => Buffer.from(parts.join("").slice(0, Math.max(0, parts.join("").length - (cut % 8))), "latin1"))),
    );
    await fc.assert(
      fc.asyncProperty(stream, async (bytes) => {
        await sendResp(bytes);
      }),
      { numRuns: RUNS * 2 },
    );
    await healthy();
  });

  it("random command names and arguments, over RESP and WebSocket, as the fuzzer user and unauthenticated", async () => {
    const argv = fc.array(word.map((w) => (w instanceof Uint8Array ? Buffer.from(w).toString("latin1") : String(w))), { minLength: 1, maxLength: 7 });
    const c = await RawClient.connect(server.respPort!);
    expect(await c.call("AUTH", "fuzzer", "pw")).toBe("+OK\r\n");
    const kc = await connect(server.url, { auth: { user: "fuzzer", password: "pw" } });
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        if (c.closed) return;
        const r = await c.call(...args).catch(() => "closed");
        expect(typeof r).toBe("string");
        await kc.call(...args).catch(() => undefined);
      }),
      { numRuns: RUNS * 5 },
    );
    c.close();
    await kc.close();
    await healthy();
  });
});
