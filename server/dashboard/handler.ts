// Serves the dashboard on the HTTP/WebSocket port: the page's static files (beside this
// module, under ./static) and the browser bundle of the client (dist/browser/keycast.js), the
// same file users get. The page then talks to keycast over WebSocket like any client: this
// handler gives it no data and no privileges of its own.

import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export interface DashboardOptions {
  /** Directory holding the browser bundle (keycast.js and its map). Default: the package's dist/browser. */
  bundleDir?: string;
}

/** Handles a request when it is the dashboard's; returns false to let the caller answer it. */
export type DashboardHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".svg": "image/svg+xml",
};

const PAGE_FILES = ["index.html", "style.css", "app.js", "bytes.js", "keys.js", "events.js", "console.js", "charts.js", "favicon.svg"];
const BUNDLE_FILES = ["keycast.js", "keycast.js.map"];

// The page connects back to its own origin only, nothing runs inline, and it cannot be framed
// (its command box would otherwise be a clickjacking target).
const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

/** A Host header fit to name in a policy: a name or address and a port, nothing else. */
const PLAIN_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

function contentPolicy(host: string | undefined): string {
  // 'self' alone does not cover ws:// in every browser still in use: name the WebSocket origin.
  const ws = host && PLAIN_HOST.test(host) ? ` ws://${host} wss://${host}` : "";
  return `default-src 'self'; connect-src 'self'${ws}; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;
}

interface Asset {
  body: Buffer;
  gzip: Buffer;
  etag: string;
  type: string;
}

/**
 * The first existing directory among candidates: running from source the page sits beside this
 * module; running from dist (tsc copies no static files) it is found in the package's source tree.
 */
function firstDir(candidates: URL[], probe: string): string | null {
  for (const c of candidates) {
    const dir = fileURLToPath(c);
    if (existsSync(dir + probe)) return dir;
  }
  return null;
}

const pageDir = firstDir([new URL("./static/", import.meta.url), new URL("../../../server/dashboard/static/", import.meta.url)], "index.html");
const defaultBundleDir = firstDir([new URL("../../dist/browser/", import.meta.url), new URL("../../browser/", import.meta.url)], "keycast.js");

function load(path: string): Asset | null {
  let body: Buffer;
  try {
    body = readFileSync(path);
  } catch {
    return null;
  }
  const ext = path.slice(path.lastIndexOf("."));
  return {
    body,
    gzip: gzipSync(body, { level: 9 }),
    etag: `"${createHash("sha1").update(body).digest("base64url").slice(0, 16)}"`,
    type: TYPES[ext] ?? "application/octet-stream",
  };
}

function acceptsGzip(req: IncomingMessage): boolean {
  const ae = req.headers["accept-encoding"];
  return typeof ae === "string" && /\bgzip\b/.test(ae);
}

export function createDashboard(options: DashboardOptions = {}): DashboardHandler {
  const bundleDir = options.bundleDir ? options.bundleDir.replace(/\/?$/, "/") : defaultBundleDir;
  // Read once, on first request: the files are small and never change under a running server.
  // A bundle missing at start (not built yet) is looked for again on the next request.
  const cache = new Map<string, Asset>();

  function asset(name: string): Asset | null {
    let a = cache.get(name);
    if (a) return a;
    const dir = BUNDLE_FILES.includes(name) ? bundleDir : pageDir;
    if (!dir) return null;
    a = load(dir + name) ?? undefined;
    if (a) cache.set(name, a);
    return a ?? null;
  }

  return (req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0]!;
    if (path === "/" || path === "/dashboard") {
      res.writeHead(302, { location: "/dashboard/", "cache-control": "no-store" }).end();
      return true;
    }
    if (!path.startsWith("/dashboard/")) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
      return true;
    }
    const name = path === "/dashboard/" ? "index.html" : path.slice("/dashboard/".length);
    if (!PAGE_FILES.includes(name) && !BUNDLE_FILES.includes(name)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return true;
    }
    const a = asset(name);
    if (!a) {
      const why = BUNDLE_FILES.includes(name) ? "the browser bundle is not built: run `npm run build`" : "the dashboard's files are missing from this installation";
      res.writeHead(404, { "content-type": "text/plain", "cache-control": "no-store" }).end(`keycast: ${why}\n`);
      return true;
    }
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      "content-security-policy": contentPolicy(req.headers.host),
      "content-type": a.type,
      etag: a.etag,
      // Revalidated every time (a 304 is cheap), so an upgraded server never runs a stale page.
      "cache-control": "no-cache",
      vary: "accept-encoding",
    };
    if (req.headers["if-none-match"] === a.etag) {
      res.writeHead(304, headers).end();
      return true;
    }
    const gzip = acceptsGzip(req);
    const body = gzip ? a.gzip : a.body;
    if (gzip) headers["content-encoding"] = "gzip";
    headers["content-length"] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
