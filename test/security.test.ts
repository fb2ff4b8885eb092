// Who may connect: the WebSocket AUTH frame (passwords and tokens), tokens in the handshake,
// token expiry and refresh, forged, expired and alg:none tokens, Origins, protected mode and
// TLS on both listeners.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { once } from "node:events";
import { exportJWK, SignJWT } from "jose";
import { Packr, Unpackr } from "msgpackr";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, ConnectionError, ReplyError, type WebSocketConstructor } from "../client/node.js";
import { CloseCode, FrameType } from "../shared/protocol.js";
import { ListenError, startServer, type RunningServer } from "../server/index.js";
import { parseArgs } from "../server/cli.js";
import { RawClient } from "./redis-server.js";

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
const SECRET = "a-test-secret-that-is-at-least-32-bytes-long";

/** A raw WebSocket that collects decoded frames and the close code. */
async function raw(url: string, opts: { protocols?: string[]; origin?: string; ca?: Buffer } = {}) {
  const ws = new WebSocket(url, opts.protocols ?? [], { origin: opts.origin, ca: opts.ca });
  const frames: unknown[][] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on("message", (d) => frames.push(unpackr.unpack(d as Buffer) as unknown[]));
  ws.on("error", () => {});
  await Promise.race([once(ws, "open"), closed]);
  const next = async (n = frames.length + 1) => {
    await expect.poll(() => frames.length, { timeout: 3000 }).toBeGreaterThanOrEqual(n);
    return frames[n - 1]!;
  };
  return { ws, frames, closed, next, send: (f: unknown[]) => ws.send(packr.pack(f)) };
}

function hs256(claims: Record<string, unknown>, secret = SECRET, expSeconds: number | null = 60): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuedAt();
  if (expSeconds !== null) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + expSeconds);
  return jwt.sign(new TextEncoder().encode(secret));
}

function b64url(o: unknown): string {
  return Buffer.from(JSON.stringify(o)).toString("base64url");
}

describe("WebSocket authentication with passwords", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, requirepass: "s3cret", users: ["alice on >wonder ~a:* +@all"] });
  });
  afterAll(() => server.close());

  it("connects with the default user's password or a user's, and runs as that user", async () => {
    const kc = await connect(server.url, { auth: { password: "s3cret" } });
    expect(await kc.call("ACL", "WHOAMI")).toBe("default");
    await kc.close();
    const alice = await connect(server.url, { auth: { user: "alice", password: "wonder" } });
    expect(await alice.call("ACL", "WHOAMI")).toBe("alice");
    await expect(alice.get("b")).rejects.toThrow(new ReplyError("NOPERM No permissions to access a key"));
    await alice.close();
  });

  it("refuses a wrong password: connect rejects with WRONGPASS and does not retry", async () => {
    const err = await connect(server.url, { auth: { user: "alice", password: "nope" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toContain("WRONGPASS invalid username-password pair or user is disabled.");
  });

  it("closes with 4002 NOAUTH a connection that sends a command before authenticating", async () => {
    const c = await raw(server.url);
    c.send([FrameType.HELLO, 1]);
    const hello = await c.next(1);
    expect((hello[2] as Record<string, unknown>).authRequired).toBe(true);
    c.send([FrameType.BATCH, 1, [["GET", "k"]]]);
    expect(await c.next(2)).toEqual([FrameType.ERROR, 1, "NOAUTH Authentication required."]);
    expect(await c.closed).toEqual({ code: CloseCode.AUTH_REQUIRED, reason: "NOAUTH Authentication required." });
  });

  it("answers refused AUTH frames with WRONGPASS, then closes after five", async () => {
    const c = await raw(server.url);
    for (let i = 1; i <= 5; i++) c.send([FrameType.AUTH, i, { user: "alice", password: `bad${i}` }]);
    for (let i = 1; i <= 5; i++) expect(await c.next(i)).toEqual([FrameType.ERROR, i, "WRONGPASS invalid username-password pair or user is disabled."]);
    expect((await c.closed).code).toBe(CloseCode.AUTH_FAILED);
  });

  it("queues frames sent right behind the AUTH frame and runs them after it, in order", async () => {
    const c = await raw(server.url);
    c.send([FrameType.AUTH, 1, { user: "alice", password: "wonder" }]);
    c.send([FrameType.BATCH, 2, [["SET", "a:1", "v"], ["GET", "a:1"]]]);
    expect(await c.next(1)).toEqual([FrameType.AUTH, 1, { user: "alice", expiresAt: null }]);
    expect(await c.next(2)).toEqual([FrameType.BATCH, 2, ["OK", "v"]]);
    c.ws.close();
  });
});

describe("tokens", () => {
  let server: RunningServer;
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ed = generateKeyPairSync("ed25519");
  const pem = (k: KeyObject) => k.export({ type: "spki", format: "pem" }).toString();

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      users: ["default off", "reporter on >pw ~metrics:* +@read"],
      tokens: { secret: SECRET },
    });
  });
  afterAll(() => server.close());

  it("a token naming a user (sub) runs as that user", async () => {
    const kc = await connect(server.url, { auth: { token: await hs256({ sub: "reporter" }) } });
    expect(await kc.call("ACL", "WHOAMI").catch((e: Error) => e.message)).toBe("NOPERM User reporter has no permissions to run the 'acl|whoami' command");
    expect(await kc.get("metrics:cpu")).toBe(null);
    await expect(kc.set("metrics:cpu", "1")).rejects.toThrow(new ReplyError("NOPERM User reporter has no permissions to run the 'set' command"));
    await kc.close();
  });

  it("a token carrying its own rules (the acl claim) gets exactly those", async () => {
    const kc = await connect(server.url, { auth: { token: await hs256({ sub: "tab-17", acl: "+@read +set ~metrics:*" }) } });
    expect(await kc.set("metrics:x", "1")).toBe("OK");
    await expect(kc.set("other", "1")).rejects.toThrow(new ReplyError("NOPERM No permissions to access a key"));
    await expect(kc.del("metrics:x")).rejects.toThrow(new ReplyError("NOPERM User tab-17 has no permissions to run the 'del' command"));
    await kc.close();
  });

  it("refuses forged, expired, alg:none, unknown-user and password-carrying tokens", async () => {
    const now = Math.floor(Date.now() / 1000);
    const bad: [string, RegExp][] = [
      [await hs256({ sub: "reporter" }, "another-secret-that-is-also-32-bytes-long!"), /signature is not valid/],
      [await hs256({ sub: "reporter", exp: now - 3600 }, SECRET, null), /expired/],
      [`${b64url({ alg: "none", typ: "JWT" })}.${b64url({ sub: "reporter", exp: now + 60 })}.`, /algorithm is not accepted|not valid/],
      [await hs256({ sub: "nobody" }), /does not exist/],
      [await hs256({ sub: "x", acl: ">password +@all ~*" }), /may not contain/],
      [await hs256({ sub: "reporter" }, SECRET, null), /'exp' claim/],
      ["not.a.jwt", /not valid/],
    ];
    for (const [token, why] of bad) {
      const c = await raw(server.url);
      c.send([FrameType.AUTH, 1, { token }]);
      const f = await c.next(1);
      expect(f[0], token).toBe(FrameType.ERROR);
      expect(String(f[2])).toMatch(/^WRONGPASS /);
      expect(String(f[2])).toMatch(why);
      c.ws.close();
    }
  });

  it("takes the token from Sec-WebSocket-Protocol, never echoing it; a bad one closes with 4003", async () => {
    const kc = await connect(server.url, { auth: { token: await hs256({ sub: "reporter" }), via: "protocol" } });
    expect(await kc.get("metrics:y")).toBe(null);
    await kc.close();
    const token = await hs256({ sub: "reporter" });
    const c = await raw(server.url, { protocols: ["keycast", `keycast.bearer.${token}`] });
    expect(c.ws.protocol).toBe("keycast");
    c.send([FrameType.BATCH, 1, [["GET", "metrics:z"]]]);
    expect(await c.next(1)).toEqual([FrameType.BATCH, 1, [null]]);
    c.ws.close();
    const forged = await raw(server.url, { protocols: ["keycast", `keycast.bearer.${await hs256({ sub: "reporter" }, "x".repeat(40))}`] });
    const closed = await forged.closed;
    expect(closed.code).toBe(CloseCode.AUTH_FAILED);
    expect(closed.reason).toMatch(/^WRONGPASS .*signature/);
  });

  it("closes with 4004 when the token expires, unless a fresh AUTH frame renews it", async () => {
    const short = async () => hs256({ sub: "reporter", exp: Math.floor(Date.now() / 1000) + 2 }, SECRET, null);
    const c = await raw(server.url);
    c.send([FrameType.AUTH, 1, { token: await short() }]);
    const ok = await c.next(1);
    expect(ok[0]).toBe(FrameType.AUTH);
    const { code, reason } = await c.closed;
    expect(code).toBe(CloseCode.TOKEN_EXPIRED);
    expect(reason).toMatch(/token expired/);

    // A client with a token function refreshes before expiry and stays connected.
    let issued = 0;
    const kc = await connect(server.url, {
      auth: {
        token: () => {
          issued++;
          return hs256({ sub: "reporter", exp: Math.floor(Date.now() / 1000) + 3 }, SECRET, null);
        },
      },
      refreshBeforeMs: 1500,
      reconnect: false,
    });
    await new Promise((r) => setTimeout(r, 4500));
    expect(issued).toBeGreaterThanOrEqual(2);
    expect(kc.state).toBe("open");
    expect(await kc.get("metrics:q")).toBe(null);
    await kc.close();
  }, 15_000);

  it("verifies RS256, ES256 and EdDSA with a public key, and a JWKS file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keycast-jwks-"));
    const jwksFile = join(dir, "jwks.json");
    const jwk = { ...(await exportJWK(ec.publicKey)), kid: "k1", alg: "ES256" };
    writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
    const cases: [Parameters<typeof startServer>[0], KeyObject, string, Record<string, string>][] = [
      [{ tokens: { publicKey: pem(rsa.publicKey) } }, rsa.privateKey, "RS256", {}],
      [{ tokens: { publicKey: pem(ec.publicKey) } }, ec.privateKey, "ES256", {}],
      [{ tokens: { publicKey: pem(ed.publicKey) } }, ed.privateKey, "EdDSA", {}],
      [{ tokens: { jwksFile } }, ec.privateKey, "ES256", { kid: "k1" }],
    ];
    for (const [opts, key, alg, header] of cases) {
      const s = await startServer({ port: 0, users: ["default off"], ...opts });
      try {
        const token = await new SignJWT({ acl: "+ping" }).setProtectedHeader({ alg, ...header }).setExpirationTime("1m").sign(key);
        const kc = await connect(s.url, { auth: { token } });
        expect(await kc.ping()).toBe("PONG");
        await kc.close();
        // An HS256 token made with the public key as its secret (key confusion) is refused.
        const confused = await new SignJWT({ acl: "+ping" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("1m").sign(new TextEncoder().encode(pem(rsa.publicKey)));
        await expect(connect(s.url, { auth: { token: confused } })).rejects.toThrow(/WRONGPASS/);
      } finally {
        await s.close();
      }
    }
    expect(readFileSync(jwksFile, "utf8")).toContain("k1");
  });
});

describe("Origins", () => {
  it("without authentication, only loopback and same-origin pages may connect; others get 403", async () => {
    const s = await startServer({ port: 0 });
    try {
      for (const origin of ["http://localhost:3000", "http://127.0.0.1:8080", `http://127.0.0.1:${s.port}`]) {
        const c = await raw(s.url, { origin });
        expect(c.ws.readyState, origin).toBe(WebSocket.OPEN);
        c.ws.close();
      }
      const evil = new WebSocket(s.url, { origin: "https://evil.example" });
      const [, res] = (await once(evil, "unexpected-response")) as [unknown, { statusCode: number }];
      expect(res.statusCode).toBe(403);
      evil.on("error", () => {});
      evil.terminate();
      // No Origin: not a browser (a back end): allowed.
      const plain = await connect(s.url);
      expect(await plain.ping()).toBe("PONG");
      await plain.close();
    } finally {
      await s.close();
    }
  });

  it("an allow-list admits exactly its origins, with wildcards", async () => {
    const s = await startServer({ port: 0, allowedOrigins: ["https://app.example.com", "https://*.trusted.dev"] });
    try {
      for (const [origin, ok] of [
        ["https://app.example.com", true],
        ["https://a.trusted.dev", true],
        ["http://localhost:3000", false],
        ["https://app.example.com.evil.io", false],
      ] as const) {
        const ws = new WebSocket(s.url, { origin });
        const outcome = await Promise.race([once(ws, "open").then(() => "open"), once(ws, "unexpected-response").then(() => "refused")]);
        expect(outcome, origin).toBe(ok ? "open" : "refused");
        ws.on("error", () => {});
        ws.terminate();
      }
    } finally {
      await s.close();
    }
  });
});

describe("protected mode", () => {
  it("refuses a non-loopback bind without authentication, with a clear message", async () => {
    await expect(startServer({ host: "0.0.0.0", port: 0 })).rejects.toThrow(ListenError);
    await expect(startServer({ host: "0.0.0.0", port: 0 })).rejects.toThrow(/protected mode.*--requirepass.*--protected-mode no/);
  });

  it("starts with a password, with the default user off, or with protected mode off", async () => {
    for (const opts of [{ requirepass: "pw" }, { users: ["default off", "admin on >x +@all ~*"] }, { protectedMode: false }]) {
      const s = await startServer({ host: "0.0.0.0", port: 0, ...opts });
      await s.close();
    }
  });
});

describe("settings from the command line and config file", () => {
  it("--requirepass, --aclfile, --protected-mode, --allowed-origins and --jwt-secret-file reach the server", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keycast-flags-"));
    writeFileSync(join(dir, "users.acl"), "user ops on >opspw ~* &* +@all\n");
    writeFileSync(join(dir, "secret"), `${SECRET}\n`);
    const options = parseArgs([
      "--requirepass", "flagpw",
      "--aclfile", join(dir, "users.acl"),
      "--protected-mode", "no",
      "--allowed-origins", "https://app.example.com",
      "--jwt-secret-file", join(dir, "secret"),
      "--maxclients", "50",
    ]);
    if (typeof options === "string") throw new Error(options);
    const s = await startServer({ ...options, host: "0.0.0.0", port: 0, respPort: 0 });
    try {
      const c = await RawClient.connect(s.respPort!);
      expect(await c.call("PING")).toBe("-NOAUTH Authentication required.\r\n");
      expect(await c.call("AUTH", "flagpw")).toBe("+OK\r\n");
      expect(await c.call("AUTH", "ops", "opspw")).toBe("+OK\r\n");
      expect(await c.call("CONFIG", "GET", "maxclients")).toBe("*2\r\n$10\r\nmaxclients\r\n$2\r\n50\r\n");
      c.close();
      const kc = await connect(s.url.replace("0.0.0.0", "127.0.0.1"), { auth: { token: await hs256({ sub: "ops" }) } });
      expect(await kc.ping()).toBe("PONG");
      await kc.close();
      const ws = new WebSocket(s.url.replace("0.0.0.0", "127.0.0.1"), { origin: "http://localhost:1" });
      const [, res] = (await once(ws, "unexpected-response")) as [unknown, { statusCode: number }];
      expect(res.statusCode).toBe(403);
      ws.on("error", () => {});
      ws.terminate();
    } finally {
      await s.close();
    }
  });
});

describe("TLS", () => {
  let dir: string;
  let cert: Buffer;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "keycast-tls-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], { stdio: "ignore" });
    cert = readFileSync(join(dir, "cert.pem"));
  });

  it("serves wss:// and RESP over TLS (tls-port) from certificate and key files", async () => {
    const s = await startServer({ port: 0, tls: { certFile: join(dir, "cert.pem"), keyFile: join(dir, "key.pem") }, tlsPort: 0 });
    try {
      expect(s.url.startsWith("wss://")).toBe(true);
      class TrustingWs extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols ?? [], { ca: cert });
        }
      }
      const kc = await connect(s.url, { WebSocket: TrustingWs as unknown as WebSocketConstructor });
      expect(await kc.set("tls", "ok")).toBe("OK");
      await kc.close();
      const sock = tls.connect({ port: s.tlsPort!, host: "127.0.0.1", ca: cert, servername: "localhost" });
      await once(sock, "secureConnect");
      sock.write("*2\r\n$3\r\nGET\r\n$3\r\ntls\r\n");
      const [data] = (await once(sock, "data")) as [Buffer];
      expect(data.toString()).toBe("$2\r\nok\r\n");
      sock.destroy();
      // The plain RESP port still answers; a plain WebSocket to the TLS port does not.
      const plain = await RawClient.connect(s.respPort!);
      expect(await plain.call("GET", "tls")).toBe("$2\r\nok\r\n");
      plain.close();
      const ws = new WebSocket(s.url.replace("wss:", "ws:"));
      const failed = new Promise<string>((resolve) => {
        ws.on("error", () => resolve("error"));
        ws.on("open", () => resolve("open"));
      });
      expect(await failed).toBe("error");
    } finally {
      await s.close();
    }
  });

  it("refuses to start with a missing certificate file", async () => {
    await expect(startServer({ port: 0, tls: { certFile: join(dir, "nope.pem"), keyFile: join(dir, "key.pem") } })).rejects.toThrow(/cannot read the certificate/);
  });
});
