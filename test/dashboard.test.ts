// The web dashboard (server/dashboard/): the HTTP side (routes, headers, caching, off switch)
// always; the page itself in Debian's headless Chromium driven by playwright-core, loaded from
// a keycast server like a person would load it, against keys written by a Node client.
// The browser part is skipped, saying why, when /usr/bin/chromium is missing.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type KeycastClient } from "../client/node.js";
import { startServer, type RunningServer } from "../server/index.js";

const CHROMIUM = "/usr/bin/chromium";
const root = join(import.meta.dirname, "..");
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`dashboard.test.ts: browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(port: number, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

function buildBundle(outdir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("node", [join(root, "scripts", "build-browser.mjs"), "--outdir", outdir], { cwd: root }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`build-browser failed: ${err.message}\n${stderr}`));
      else resolve();
    });
  });
}

let bundleDir: string;

beforeAll(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), "keycast-dashboard-"));
  await buildBundle(bundleDir);
}, 60_000);

afterAll(() => {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

describe("the dashboard over HTTP", () => {
  let server: RunningServer;
  let off: RunningServer;

  beforeAll(async () => {
    [server, off] = await Promise.all([startServer({ port: 0, respPort: "off", dashboard: { bundleDir } }), startServer({ port: 0, respPort: "off", dashboard: false })]);
  });
  afterAll(async () => {
    await Promise.all([server?.close(), off?.close()]);
  });

  it("redirects / and /dashboard to /dashboard/, and serves the page with a strict content policy", async () => {
    for (const path of ["/", "/dashboard", "/?x=1"]) {
      const r = await get(server.port, path);
      expect(r.status).toBe(302);
      expect(r.headers.location).toBe("/dashboard/");
    }
    const page = await get(server.port, "/dashboard/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.body.toString()).toContain('<script type="module" src="app.js"></script>');
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port} wss://127.0.0.1:${server.port};`);
    expect(csp).not.toMatch(/unsafe/);
    const odd = await get(server.port, "/dashboard/", { headers: { host: "evil.example; script-src *" } });
    expect(String(odd.headers["content-security-policy"])).toContain("connect-src 'self'; ");
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("serves the same browser bundle users get, gzipped when asked, revalidated by ETag", async () => {
    const built = readFileSync(join(bundleDir, "keycast.js"));
    const plain = await get(server.port, "/dashboard/keycast.js");
    expect(plain.status).toBe(200);
    expect(plain.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(plain.body.equals(built)).toBe(true);
    const zipped = await get(server.port, "/dashboard/keycast.js", { headers: { "accept-encoding": "gzip, br" } });
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.body.length).toBeLessThan(built.length / 2);
    expect(gunzipSync(zipped.body).equals(built)).toBe(true);
    const etag = String(plain.headers.etag);
    const again = await get(server.port, "/dashboard/keycast.js", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const head = await get(server.port, "/dashboard/app.js", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(Number(head.headers["content-length"])).toBeGreaterThan(0);
    expect(head.body.length).toBe(0);
  });

  it("answers nothing else: unknown files 404, other methods 405, /healthz and WebSocket unchanged", async () => {
    expect((await get(server.port, "/dashboard/nope.js")).status).toBe(404);
    expect((await get(server.port, "/dashboard/../server/index.ts")).status).toBe(404);
    expect((await get(server.port, "/dashboard/%2e%2e/package.json")).status).toBe(404);
    expect((await get(server.port, "/dashboard/handler.ts")).status).toBe(404);
    const post = await get(server.port, "/dashboard/", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
    expect((await get(server.port, "/healthz")).body.toString()).toBe("ok\n");
    expect((await get(server.port, "/elsewhere")).status).toBe(426);
    const kc = await connect(server.url);
    expect(await kc.ping()).toBe("PONG");
    await kc.close();
  });

  it("is off with dashboard: false", async () => {
    expect((await get(off.port, "/")).status).toBe(426);
    expect((await get(off.port, "/dashboard/")).status).toBe(426);
    expect((await get(off.port, "/dashboard/keycast.js")).status).toBe(426);
    expect((await get(off.port, "/healthz")).status).toBe(200);
  });
});

/** What the page exposes on window.keycastDashboard. */
interface DashboardState {
  ready: boolean;
  readyAt: number;
  error: string | null;
  state: string;
}

describe.skipIf(!hasChromium)(`the dashboard in headless Chromium (${CHROMIUM})`, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let kc: KeycastClient;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startServer({ port: 0, respPort: "off", dashboard: { bundleDir } });
    kc = await connect(server.url);
    // Written before the page loads: found by the page's SCAN.
    await kc.set("metrics:cpu", "73");
    await kc.hset("host:web1", "load", "0.7", "region", "eu");
    await kc.rpush("chat:lobby", "hi", "there");
    await kc.sadd("online", "alice", "bob");
    await kc.set("session:abc", "token-1", "EX", 3600);
    await kc.set(new Uint8Array([0x62, 0x00, 0xff]), new Uint8Array([0x01, 0xfe]));
    await kc.set("<b>bold</b>", "<img src=x onerror=alert(1)>");
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(m.text());
    });
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.waitForFunction(() => {
      const d = (window as unknown as { keycastDashboard?: DashboardState }).keycastDashboard;
      return d !== undefined && (d.ready || d.error !== null);
    });
  }, 60_000);

  afterAll(async () => {
    await kc?.close();
    await browser?.close();
    await server?.close();
  });

  const row = (key: string) => page.locator(`#keys-body tr[data-key="${key}"]`);
  const cellText = (key: string, cell: string) => row(key).locator(`td.${cell}`).textContent();

  it("loads from the server, connects, and lists the keys with their types and values", async () => {
    const state = await page.evaluate(() => (window as unknown as { keycastDashboard: DashboardState }).keycastDashboard);
    expect(state.error).toBeNull();
    expect(state.state).toBe("open");
    // Loose: the page, the bundle, two connections and the first page of keys, locally.
    expect(state.readyAt).toBeLessThan(3000);
    console.log(`dashboard.test.ts: ready ${state.readyAt} ms after navigation`);
    expect(page.url()).toMatch(/\/dashboard\/$/);
    await row("metrics:cpu").locator("td.value", { hasText: "73" }).waitFor();
    expect(await cellText("metrics:cpu", "type")).toBe("string");
    expect(await cellText("host:web1", "type")).toBe("hash");
    // A hash has no order: either field may come first.
    expect(await cellText("host:web1", "value")).toMatch(/^\{(load: 0\.7, region: eu|region: eu, load: 0\.7)\} 2 fields$/);
    expect(await cellText("chat:lobby", "value")).toBe("[hi, there] 2 items");
    expect(await cellText("online", "type")).toBe("set");
    expect(await cellText("metrics:cpu", "ttl")).toBe("—");
    // A binary key and value: shown the way redis-cli quotes them.
    const binary = page.locator("#keys-body tr", { has: page.locator("td.key", { hasText: '"b\\x00\\xff"' }) });
    expect(await binary.locator("td.value").textContent()).toBe('"\\x01\\xfe"');
    // Keys and values are text, never markup.
    const html = page.locator("#keys-body tr", { has: page.locator("td.key", { hasText: "<b>bold</b>" }) });
    expect(await html.locator("td.value").textContent()).toBe("<img src=x onerror=alert(1)>");
    expect(await page.locator("#keys-body b, #keys-body img").count()).toBe(0);
    expect(await page.locator("#keys-status").textContent()).toBe("7 keys shown · scan complete");
  });

  it("counts a TTL down live, and marks a key that expires", async () => {
    const first = await cellText("session:abc", "ttl");
    expect(first).toMatch(/^(59m 5\d|1h 00m)s?$/);
    await kc.set("flash:short", "x", "PX", 1500);
    await row("flash:short").locator("td.ttl", { hasText: /^1\.\ds$/ }).waitFor();
    const a = await cellText("flash:short", "ttl");
    await page.waitForTimeout(400);
    const b = await cellText("flash:short", "ttl");
    expect(parseFloat(a!)).toBeGreaterThan(parseFloat(b!));
    await page.locator('#keys-body tr.gone[data-key="flash:short"] td.event', { hasText: "expired" }).waitFor({ timeout: 5000 });
  });

  it("highlights a key the moment it changes, with its new value, and adds keys created after the scan", async () => {
    await kc.set("metrics:cpu", "91");
    await page.locator('#keys-body tr.flash[data-key="metrics:cpu"] td.value', { hasText: "91" }).waitFor({ timeout: 3000 });
    expect(await cellText("metrics:cpu", "event")).toBe("set");
    await kc.hset("host:web1", "load", "0.9");
    await row("host:web1").locator("td.value", { hasText: "load: 0.9" }).waitFor({ timeout: 3000 });
    expect(await cellText("host:web1", "event")).toBe("hset");
    await kc.lpush("brand:new", "first");
    await row("brand:new").locator("td.value", { hasText: "[first] 1 item" }).waitFor({ timeout: 3000 });
    // Newest first.
    expect(await page.locator("#keys-body tr").first().getAttribute("data-key")).toBe("brand:new");
    await kc.del("online");
    await page.locator('#keys-body tr.gone[data-key="online"]').waitFor({ timeout: 3000 });
  });

  it("streams the events of its pattern, with what changed", async () => {
    await kc.set("stream:probe", "v1");
    const line = page.locator('#events-list li[data-key="stream:probe"]');
    await line.waitFor({ timeout: 3000 });
    expect(await line.locator(".event").textContent()).toBe("set");
    expect(await line.locator(".detail").textContent()).toBe("v1");
    await kc.rpush("stream:list", "a", "b");
    await page.locator('#events-list li[data-key="stream:list"] .detail', { hasText: "[a, b]" }).waitFor({ timeout: 3000 });
    // A narrower pattern: later events of other keys are not shown.
    await page.locator("#events-pattern").fill("stream:*");
    await page.locator("#events-form button[type=submit]").click();
    await page.locator("#events-status", { hasText: "watching stream:*" }).waitFor();
    await kc.set("other:key", "1");
    await kc.set("stream:after", "2");
    await page.locator('#events-list li[data-key="stream:after"]').waitFor({ timeout: 3000 });
    expect(await page.locator('#events-list li[data-key="other:key"]').count()).toBe(0);
  });

  it("runs a typed command and prints the reply like redis-cli", async () => {
    const input = page.locator("#console-input");
    const last = () => page.locator("#console-output .entry").last();
    const run = async (line: string) => {
      const before = await page.locator("#console-output .entry").count();
      await input.fill(line);
      await input.press("Enter");
      await page.waitForFunction((n) => document.querySelectorAll("#console-output .entry").length > n, before);
      return { cmd: await last().locator(".cmd").textContent(), out: await last().locator("pre").textContent() };
    };
    const host = `127.0.0.1:${server.port}`;
    expect(await run('SET typed:greeting "hello world"')).toEqual({ cmd: `${host}> SET typed:greeting "hello world"`, out: "OK\n" });
    expect(await kc.get("typed:greeting")).toBe("hello world");
    expect((await run("GET typed:greeting")).out).toBe('"hello world"\n');
    expect((await run("RPUSH typed:list a b c d e f g h i j")).out).toBe("(integer) 10\n");
    expect((await run("LRANGE typed:list 0 -1")).out).toBe(" 1) \"a\"\n 2) \"b\"\n 3) \"c\"\n 4) \"d\"\n 5) \"e\"\n 6) \"f\"\n 7) \"g\"\n 8) \"h\"\n 9) \"i\"\n10) \"j\"\n");
    expect((await run("GET nothing:here")).out).toBe("(nil)\n");
    expect((await run("LRANGE nothing:here 0 -1")).out).toBe("(empty array)\n");
    expect((await run("TYPE typed:list")).out).toBe("list\n");
    expect((await run("INCR typed:greeting")).out).toBe("(error) ERR value is not an integer or out of range\n");
    expect((await run("GET")).out).toBe("(error) ERR wrong number of arguments for 'get' command\n");
    expect((await run('SET "unterminated')).out).toBe("Invalid argument(s)\n");
    expect((await run('SET typed:bin "\\x00\\xffü"')).out).toBe("OK\n");
    expect(Buffer.from((await kc.bytes.get("typed:bin"))!)).toEqual(Buffer.from([0x00, 0xff, 0xc3, 0xbc]));
    expect((await run("GET typed:bin")).out).toBe('"\\x00\\xff\\xc3\\xbc"\n');
    expect((await run("INCRBYFLOAT typed:f 1.5")).out).toBe('"1.5"\n');
    // The command box has its own connection: SELECT there moves only its prompt.
    expect(await run("SELECT 2")).toMatchObject({ out: "OK\n" });
    expect(await page.locator("#console-prompt").textContent()).toBe(`${host}[2]> `);
    expect((await run("DBSIZE")).out).toBe("(integer) 0\n");
    expect((await run("SELECT 0")).out).toBe("OK\n");
    // Up arrow brings back the last line.
    await input.press("ArrowUp");
    expect(await input.inputValue()).toBe("SELECT 0");
    await input.fill("");
  });

  it("reads a whole key in the command box when its row is clicked, binary keys included", async () => {
    await row("chat:lobby").click();
    await page.locator("#console-output .entry .cmd", { hasText: 'LRANGE "chat:lobby" 0 -1' }).waitFor();
    expect(await page.locator("#console-output .entry pre").last().textContent()).toBe('1) "hi"\n2) "there"\n');
    await page.locator("#keys-body tr", { has: page.locator("td.key", { hasText: '"b\\x00\\xff"' }) }).click();
    await page.locator("#console-output .entry .cmd", { hasText: 'GET "b\\x00\\xff"' }).waitFor();
    expect(await page.locator("#console-output .entry pre").last().textContent()).toBe('"\\x01\\xfe"\n');
  });

  it("lists another pattern with SCAN, paged", async () => {
    const batch = kc.batch();
    for (let i = 0; i < 120; i++) batch.set(`page:${String(i).padStart(3, "0")}`, String(i));
    await batch.exec();
    await page.locator("#keys-pattern").fill("page:*");
    await page.locator("#keys-form button[type=submit]").click();
    await page.locator("#keys-status", { hasText: /^50 keys shown/ }).waitFor({ timeout: 5000 });
    expect(await page.locator("#keys-body tr").count()).toBe(50);
    expect(await page.locator('#keys-body tr[data-key="metrics:cpu"]').count()).toBe(0);
    expect(await page.locator("#keys-status").textContent()).toBe("50 keys shown · more to scan");
    await page.locator("#keys-more").click();
    await page.locator("#keys-status", { hasText: "100 keys shown · more to scan" }).waitFor({ timeout: 5000 });
    await page.locator("#keys-more").click();
    await page.locator("#keys-status", { hasText: "120 keys shown · scan complete" }).waitFor({ timeout: 5000 });
    expect(await page.locator("#keys-more").isDisabled()).toBe(true);
    const keys = await page.locator("#keys-body tr").evaluateAll((trs) => trs.map((t) => (t as HTMLElement).dataset.key));
    expect(new Set(keys).size).toBe(120);
    expect(new URL(page.url()).searchParams.get("keys")).toBe("page:*");
  });

  it("switches the key list and the event stream to another database", async () => {
    const other = await connect(server.url, { db: 3 });
    await other.set("in:three", "3");
    await page.locator("#events-pattern").fill("in:*");
    await page.locator("#events-form button[type=submit]").click();
    await page.locator("#keys-pattern").fill("*");
    await page.locator("#keys-db").fill("3");
    await page.locator("#keys-form button[type=submit]").click();
    await page.locator("#keys-status", { hasText: "1 key shown · scan complete" }).waitFor();
    expect(await cellText("in:three", "value")).toBe("3");
    await other.set("in:three", "33");
    await row("in:three").locator("td.value", { hasText: "33" }).waitFor({ timeout: 3000 });
    await page.locator('#events-list li[data-key="in:three"]').waitFor({ timeout: 3000 });
    // The command box follows, so that a clicked key is read where it lives.
    await row("in:three").click();
    await page.locator("#console-output .entry pre", { hasText: '"33"' }).waitFor();
    expect(await page.locator("#console-prompt").textContent()).toBe(`127.0.0.1:${server.port}[3]> `);
    await other.close();
    await page.locator("#keys-db").fill("0");
    await page.locator("#keys-form button[type=submit]").click();
    await row("metrics:cpu").waitFor();
    expect(new URL(page.url()).searchParams.get("db")).toBeNull();
  });

  it("draws the server's figures from INFO, and looks right (screenshot)", async () => {
    for (let i = 0; i < 6; i++) await kc.set(`user:${i}:online`, "1", "EX", 30 + i);
    await kc.call("DEL", ...Array.from({ length: 120 }, (_, i) => `page:${String(i).padStart(3, "0")}`));
    await page.locator("#keys-pattern").fill("*");
    await page.locator("#keys-form button[type=submit]").click();
    await page.locator("#events-pattern").fill("*");
    await page.locator("#events-form button[type=submit]").click();
    await page.locator('#keys-body tr[data-key="user:5:online"]').waitFor();
    // Some traffic so the charts, the highlights and the stream have something to show.
    for (let i = 0; i < 12; i++) {
      await kc.batch().set("metrics:cpu", String(40 + ((i * 17) % 50))).hincrby("host:web1", "requests", 7).lpush("chat:lobby", `message ${i}`).ltrim("chat:lobby", 0, 49).exec();
      await page.waitForTimeout(220);
    }
    await page.waitForFunction(() => /^\d/.test(document.querySelector("#chart-commands .figure")?.textContent ?? ""));
    const clients = Number(await page.locator("#chart-clients .figure").textContent());
    // The page's two connections and the test's client.
    expect(clients).toBeGreaterThanOrEqual(3);
    expect(await page.locator("#chart-memory .figure").textContent()).toMatch(/^\d+(\.\d)? (KiB|MiB|GiB)$/);
    expect(await page.locator("#keycount").textContent()).toMatch(/^db0: \d+ keys$/);
    await page.locator("#console-input").fill("HGETALL host:web1");
    await page.locator("#console-input").press("Enter");
    await page.waitForTimeout(300);
    mkdirSync(join(root, "test", "artifacts"), { recursive: true });
    const png = await page.screenshot({ path: join(root, "test", "artifacts", "dashboard.png") });
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(pageErrors).toEqual([]);
  }, 30_000);
});

describe.skipIf(!hasChromium)("the dashboard on a server that requires a password", () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ port: 0, respPort: "off", dashboard: { bundleDir }, requirepass: "s3cret" });
    const kc = await connect(server.url, { auth: { password: "s3cret" } });
    await kc.set("guarded", "yes");
    await kc.close();
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("asks for credentials, says why a wrong password is refused, and works once signed in", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.port}/dashboard/`);
    await page.locator("#signin").waitFor();
    expect(await page.locator('#keys-body tr[data-key="guarded"]').count()).toBe(0);
    await page.locator("#signin-password").fill("wrong");
    await page.locator("#signin-form button[type=submit]").click();
    await page.locator("#signin-error", { hasText: "WRONGPASS invalid username-password pair or user is disabled." }).waitFor({ timeout: 5000 });
    expect(await page.locator("#signin").isVisible()).toBe(true);
    mkdirSync(join(root, "test", "artifacts"), { recursive: true });
    await page.screenshot({ path: join(root, "test", "artifacts", "dashboard-signin.png") });
    await page.locator("#signin-password").fill("s3cret");
    await page.locator("#signin-form button[type=submit]").click();
    await page.locator('#keys-body tr[data-key="guarded"] td.value', { hasText: "yes" }).waitFor({ timeout: 5000 });
    expect(await page.locator("#signin").isVisible()).toBe(false);
    // The command box signed in too.
    await page.locator("#console-input").fill("GET guarded");
    await page.locator("#console-input").press("Enter");
    await page.locator("#console-output pre", { hasText: '"yes"' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });
});
