// The WebSocket protocol with raw frames: what a client in another language would send,
// including every kind of bad input. After each, the server keeps serving everyone.
import { pack, unpack } from "msgpackr";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { CloseCode, FrameType } from "../shared/protocol.js";
import { useServer } from "./helpers.js";

const h = useServer({ maxFrameBytes: 64 * 1024, maxBatchCommands: 1000 });

interface Raw {
  ws: WebSocket;
  next(): Promise<unknown[]>;
  closed: Promise<{ code: number; reason: string }>;
}

async function raw(query = ""): Promise<Raw> {
  const ws = new WebSocket(h.server.url + query);
  const frames: unknown[][] = [];
  const waiters: ((f: unknown[]) => void)[] = [];
  ws.on("message", (data) => {
    const f = unpack(data as Buffer) as unknown[];
    const w = waiters.shift();
    if (w) w(f);
    else frames.push(f);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return {
    ws,
    closed,
    next: () => (frames.length ? Promise.resolve(frames.shift()!) : new Promise((r) => waiters.push(r))),
  };
}

async function stillServing(): Promise<void> {
  expect(await h.kc.ping()).toBe("PONG");
}

describe("frames", () => {
  it("answers a batch with one reply per command, in order, with the same id", async () => {
    const c = await raw();
    c.ws.send(pack([FrameType.BATCH, 7, [["SET", "p:a", "1"], ["GET", "p:a"], ["INCR", "p:a"], ["DEL", "p:a"]]]));
    expect(await c.next()).toEqual([FrameType.BATCH, 7, ["OK", "1", 2, 1]]);
    c.ws.close();
  });

  it("lists the indexes of error replies, and the other commands still run", async () => {
    const c = await raw();
    c.ws.send(pack([FrameType.BATCH, 1, [["SET", "p:b", "x"], ["INCR", "p:b"], ["NOPE"], ["GET"], ["GET", "p:b"]]]));
    expect(await c.next()).toEqual([
      FrameType.BATCH,
      1,
      [
        "OK",
        "ERR value is not an integer or out of range",
        "ERR unknown command 'NOPE', with args beginning with: ",
        "ERR wrong number of arguments for 'get' command",
        "x",
      ],
      [1, 2, 3],
    ]);
    c.ws.close();
  });

  it("answers the hello frame with the server's info", async () => {
    const c = await raw();
    c.ws.send(pack([FrameType.HELLO, 1]));
    const f = await c.next();
    expect(f[0]).toBe(FrameType.HELLO);
    expect(f[1]).toBe(1);
    expect(f[2]).toMatchObject({ server: "keycast", protocol: 1 });
    c.ws.close();
  });

  it("keeps bytes as bytes: bin in, bin out; ASCII text as str", async () => {
    const c = await raw();
    const bytes = Buffer.from([0, 255, 128, 10, 0]);
    const key = Buffer.from([0xc3, 0x28]); // not valid UTF-8
    c.ws.send(pack([FrameType.BATCH, 2, [["SET", key, bytes], ["GET", key], ["SET", "p:é", "ü"], ["GET", "p:é"]]]));
    const f = await c.next();
    const replies = f[2] as unknown[];
    expect(Buffer.from(replies[1] as Uint8Array).equals(bytes)).toBe(true);
    // Non-ASCII text comes back as its UTF-8 bytes.
    expect(Buffer.from(replies[3] as Uint8Array).toString("utf8")).toBe("ü");
    c.ws.close();
  });

  it("runs numbers as their decimal text", async () => {
    const c = await raw();
    c.ws.send(pack([FrameType.BATCH, 3, [["SET", "p:n", 42], ["INCRBY", "p:n", -2], ["GET", "p:n"]]]));
    expect((await c.next())[2]).toEqual(["OK", 40, "40"]);
    c.ws.close();
  });
});

describe("atomic batches", () => {
  it("abort with EXECABORT when a command is unknown or has the wrong arity, and run nothing", async () => {
    const c = await raw();
    c.ws.send(pack([FrameType.ATOMIC, 4, [["SET", "p:atom", "1"], ["GET"], ["SET", "p:atom2", "2"]]]));
    const f = await c.next();
    expect(f[2]).toEqual([
      "EXECABORT Transaction discarded because of previous errors.",
      "ERR wrong number of arguments for 'get' command",
      "EXECABORT Transaction discarded because of previous errors.",
    ]);
    expect(f[3]).toEqual([0, 1, 2]);
    expect(await h.kc.exists("p:atom", "p:atom2")).toBe(0);
    c.ws.close();
  });

  it("run every command when one fails at run time, without rollback (as MULTI/EXEC)", async () => {
    const c = await raw();
    c.ws.send(pack([FrameType.ATOMIC, 5, [["SET", "p:rt", "a"], ["INCR", "p:rt"], ["SET", "p:rt2", "b"]]]));
    const f = await c.next();
    expect(f[2]).toEqual(["OK", "ERR value is not an integer or out of range", "OK"]);
    expect(f[3]).toEqual([1]);
    expect(await h.kc.get("p:rt2")).toBe("b");
    c.ws.close();
  });
});

describe("bad input", () => {
  it("a frame that is not msgpack gets an error frame; the connection stays usable", async () => {
    const c = await raw();
    c.ws.send(Buffer.from([0xc1, 0xc1, 0xc1]));
    expect(await c.next()).toEqual([FrameType.ERROR, null, "ERR protocol error: the frame is not valid msgpack"]);
    c.ws.send(pack([FrameType.BATCH, 9, [["PING"]]]));
    expect(await c.next()).toEqual([FrameType.BATCH, 9, ["PONG"]]);
    c.ws.close();
    await stillServing();
  });

  it("frames of the wrong shape get error frames naming the problem", async () => {
    const c = await raw();
    c.ws.send(pack({ hello: 1 }));
    expect(await c.next()).toEqual([FrameType.ERROR, null, "ERR protocol error: a frame must be an array starting with its type"]);
    c.ws.send(pack([FrameType.BATCH, "x", []]));
    expect(await c.next()).toEqual([FrameType.ERROR, null, "ERR protocol error: a batch needs an integer id"]);
    c.ws.send(pack([FrameType.BATCH, 3, "GET a"]));
    expect(await c.next()).toEqual([FrameType.ERROR, 3, "ERR protocol error: a batch's commands must be an array"]);
    c.ws.send(pack([77, 1]));
    expect(await c.next()).toEqual([FrameType.ERROR, null, "ERR protocol error: unknown frame type 77"]);
    c.ws.close();
  });

  it("a command of the wrong shape gets its own error; the others run", async () => {
    const c = await raw();
    c.ws.send(pack([FrameType.BATCH, 4, [["SET", "p:s", "1"], "GET p:s", [], ["GET", { a: 1 }], ["GET", "p:s"]]]));
    const f = await c.next();
    expect(f[2]).toEqual([
      "OK",
      "ERR protocol error: a command must be a non-empty array of strings, bytes or numbers",
      "ERR protocol error: a command must be a non-empty array of strings, bytes or numbers",
      "ERR protocol error: argument 1 of command 3 is not a string, bytes or a number",
      "1",
    ]);
    expect(f[3]).toEqual([1, 2, 3]);
    c.ws.close();
  });

  it("a text frame closes the connection with 1003 and a reason", async () => {
    const c = await raw();
    c.ws.send('["GET","a"]');
    const closed = await c.closed;
    expect(closed.code).toBe(CloseCode.UNSUPPORTED_DATA);
    expect(closed.reason).toMatch(/text frames are not supported/);
    await stillServing();
  });

  it("an oversize frame closes the connection with 1009", async () => {
    const c = await raw();
    c.ws.send(pack([FrameType.BATCH, 1, [["SET", "p:big", "x".repeat(100 * 1024)]]]));
    expect((await c.closed).code).toBe(CloseCode.TOO_BIG);
    expect(await h.kc.exists("p:big")).toBe(0);
    await stillServing();
  });

  it("a batch over the command limit is refused whole", async () => {
    const c = await raw();
    const cmds = Array.from({ length: 1001 }, (_, i) => ["SET", `p:lim${i}`, "1"]);
    c.ws.send(pack([FrameType.BATCH, 6, cmds]));
    expect(await c.next()).toEqual([FrameType.ERROR, 6, "ERR batch of 1001 commands is over the limit of 1000"]);
    expect(await h.kc.exists("p:lim0")).toBe(0);
    c.ws.close();
  });

  it("an unsupported protocol version in the URL closes with 4000 and a reason", async () => {
    const c = await raw("/?v=99");
    const closed = await c.closed;
    expect(closed.code).toBe(CloseCode.UNSUPPORTED_VERSION);
    expect(closed.reason).toMatch(/unsupported protocol version 99/);
  });

  it("an unsupported version in the hello frame closes with 4000", async () => {
    const c = await raw();
    c.ws.send(pack([FrameType.HELLO, 2]));
    const closed = await c.closed;
    expect(closed.code).toBe(CloseCode.UNSUPPORTED_VERSION);
    expect(closed.reason).toMatch(/unsupported protocol version 2; this server speaks 1/);
  });

  it("many undecodable frames close the connection with 4001", async () => {
    const c = await raw();
    for (let i = 0; i < 20; i++) c.ws.send(Buffer.from([0xc1]));
    expect((await c.closed).code).toBe(CloseCode.BAD_FRAMES);
    await stillServing();
  });
});
