// The client in a real browser: the browser bundle (scripts/build-browser.mjs) loaded by a test
// page in Debian's headless Chromium, driven by playwright-core. The page watches a pattern;
// writes from Node (WebSocket) and from a RESP client reach it; after the server restarts on
// the same port the page reconnects by itself, is told to resync, and keeps receiving events.
// Skipped, saying why, when /usr/bin/chromium is missing.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type KeycastClient } from "../client/node.js";
import { startServer, type RunningServer } from "../server/index.js";
import { RawClient } from "./redis-server.js";

const CHROMIUM = "/usr/bin/chromium";
const root = join(import.meta.dirname, "..");
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser.test.ts: skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

/** What the page exposes on window.keycastTest. */
interface PageState {
  ready: boolean;
  error: string | null;
  state: string;
  states: string[];
  messages: { type: string; key?: string; event?: string; value?: unknown; seq?: number; reason?: string; receivedAt: number }[];
  ping?: string;
  serverVersion?: string;
}

interface BuildReport {
  outfile: string;
  minified: number;
  gzip: number;
  budget: { minified: number; gzip: number };
  problems: string[];
}

function buildBundle(outdir: string): Promise<BuildReport> {
  return new Promise((resolve, reject) => {
    execFile("node", [join(root, "scripts", "build-browser.mjs"), "--outdir", outdir, "--json"], { cwd: root }, (err, stdout, stderr) => {
      // Exit code 1 with a report means problems (listed in it); without one, the build itself failed.
      const line = stdout.trim().split("\n").pop() ?? "";
      if (line.startsWith("{")) resolve(JSON.parse(line) as BuildReport);
      else reject(new Error(`build-browser failed: ${err?.message ?? ""}\n${stderr}`));
    });
  });
}

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".map": "application/json" };

/** A throwaway static server: the test page from test/browser/ and the bundle from the build directory. */
async function servePage(bundleDir: string): Promise<Server> {
  const files = new Map<string, string>();
  for (const f of readdirSync(join(root, "test", "browser"))) files.set(`/${f}`, join(root, "test", "browser", f));
  for (const f of readdirSync(bundleDir)) files.set(`/${f}`, join(bundleDir, f));
  files.set("/", join(root, "test", "browser", "index.html"));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const file = files.get(path);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(readFileSync(file));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
}

/** Starts keycast on exactly this port, retrying briefly while the old socket is released. */
async function startOnPort(port: number): Promise<RunningServer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startServer({ port, respPort: 0 });
    } catch (e) {
      if (attempt >= 20) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe("the client's browser path", () => {
  it("uses nothing from Node: only client/node.ts imports `ws`, and the CLI lives apart in client/cli/", () => {
    const dir = join(root, "client");
    const offenders: string[] = [];
    for (const f of readdirSync(dir)) {
      if (!f.endsWith(".ts") || f === "node.ts") continue;
      const src = readFileSync(join(dir, f), "utf8");
      if (/from\s+["'](?:node:|ws["'])|\bBuffer\b|\bprocess\.|\brequire\(/.test(src)) offenders.push(f);
    }
    expect(offenders).toEqual([]);
    expect(readFileSync(join(dir, "index.ts"), "utf8")).not.toMatch(/cli\//);
  });
});

describe.skipIf(!hasChromium)(`the client in headless Chromium (${CHROMIUM})`, () => {
  let dir: string;
  let report: BuildReport;
  let http: Server;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const clients: KeycastClient[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "keycast-browser-"));
    report = await buildBundle(dir);
    http = await servePage(dir);
    server = await startServer({ port: 0, respPort: 0 });
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 860, height: 400 } });
    page.on("pageerror", (e) => pageErrors.push(e.message));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await browser?.close();
    await server?.close();
    http?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const pageState = () => page.evaluate(() => (window as unknown as { keycastTest: PageState }).keycastTest);

  /** Waits (up to `ms`) until the page has seen an event for `key` with `value`. */
  async function eventArrives(key: string, value: string, ms = 5000): Promise<void> {
    await page.waitForFunction(
      ([k, v]) => (window as unknown as { keycastTest: PageState }).keycastTest.messages.some((m) => m.type === "event" && m.key === k && m.value === v),
      [key, value] as const,
      { timeout: ms },
    );
  }

  it("builds a bundle with no Node built-ins, within its size budget", () => {
    expect(report.problems).toEqual([]);
    expect(report.minified).toBeLessThanOrEqual(report.budget.minified);
    expect(report.gzip).toBeLessThanOrEqual(report.budget.gzip);
    const code = readFileSync(join(dir, "keycast.js"), "utf8");
    expect(code).not.toMatch(/from\s*["']node:|require\(["'](?:node:)?(?:fs|net|http|crypto|stream|buffer)["']\)/);
    expect(code).not.toMatch(/readline|keycast-cli/);
  });

  it("connects from the page, runs a command, and receives watched events written from Node and from RESP", async () => {
    await page.goto(`http://127.0.0.1:${(http.address() as AddressInfo).port}/?ws=${encodeURIComponent(server.url)}&pattern=${encodeURIComponent("browser:*")}`);
    await page.waitForFunction(() => {
      const t = (window as unknown as { keycastTest?: PageState }).keycastTest;
      return t !== undefined && (t.ready || t.error !== null);
    });
    const first = await pageState();
    expect(first.error).toBeNull();
    expect(first.state).toBe("open");
    expect(first.ping).toBe("PONG");
    expect(first.serverVersion).toMatch(/^\d+\.\d+\.\d+/);

    const kc = await connect(server.url);
    clients.push(kc);
    const sent = Date.now();
    await kc.set("browser:greeting", "hello");
    await eventArrives("browser:greeting", "hello");
    const ev = (await pageState()).messages.find((m) => m.key === "browser:greeting")!;
    expect(ev).toMatchObject({ type: "event", event: "set", seq: 1 });
    // Loose bound: a local write reaches the page well within a second.
    expect(ev.receivedAt - sent).toBeLessThan(1000);

    const resp = await RawClient.connect(server.respPort!);
    expect(await resp.call("SET", "browser:from-resp", Buffer.from("über", "utf8"))).toBe("+OK\r\n");
    resp.close();
    await eventArrives("browser:from-resp", "über");
    // Not watched: never delivered.
    await kc.set("elsewhere", "x");
    await kc.set("browser:after", "1");
    await eventArrives("browser:after", "1");
    expect((await pageState()).messages.some((m) => m.key === "elsewhere")).toBe(false);
  });

  it("reconnects by itself after the server restarts on the same port, resyncs, and gets later events", async () => {
    const port = server.port;
    await server.close();
    await page.waitForFunction(() => (window as unknown as { keycastTest: PageState }).keycastTest.state !== "open");
    server = await startOnPort(port);
    await page.waitForFunction(() => (window as unknown as { keycastTest: PageState }).keycastTest.state === "open", undefined, { timeout: 10_000 });
    // The new server's event history has a new epoch: the watch cannot resume, and says so.
    await page.waitForFunction(() => (window as unknown as { keycastTest: PageState }).keycastTest.messages.some((m) => m.type === "resync"));

    const kc = await connect(server.url);
    clients.push(kc);
    await kc.set("browser:greeting", "again");
    await eventArrives("browser:greeting", "again");
    const s = await pageState();
    expect(s.states).toContain("reconnecting");
    const resync = s.messages.findIndex((m) => m.type === "resync");
    const again = s.messages.findIndex((m) => m.value === "again");
    expect(resync).toBeLessThan(again);
    // Sequence numbers restart after a resync.
    expect(s.messages[again]!.seq).toBe(1);

    mkdirSync(join(root, "test", "artifacts"), { recursive: true });
    const png = await page.screenshot({ path: join(root, "test", "artifacts", "browser.png") });
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
