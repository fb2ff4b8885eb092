// Which browser Origins may open a WebSocket. A page on another site can open a WebSocket to
// any address its visitor can reach (localhost included), so without authentication only
// pages of the server's own origin or of the loopback host may; with an allow-list, exactly
// those. Clients that send no Origin (back ends, the CLI) are not browsers and pass.

import { globMatch } from "../keyspace/glob.js";

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).hostname.toLowerCase();
  } catch {
    return null;
  }
}

function loopbackHost(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * `allowed`: exact origins ("https://app.example.com"), glob patterns ("https://*.example.com")
 * or "*"; null when none are configured.
 */
export function originAllowed(origin: string, hostHeader: string | undefined, allowed: readonly string[] | null, authRequired: boolean): boolean {
  const o = origin.toLowerCase();
  if (allowed !== null) return allowed.some((a) => a === "*" || a.toLowerCase() === o || globMatch(a.toLowerCase(), o));
  if (authRequired) return true;
  const host = hostOf(o);
  if (host === null) return false;
  if (loopbackHost(host)) return true;
  // Same origin: a page served by this server (the dashboard).
  return hostHeader !== undefined && new URL(o).host === hostHeader.toLowerCase();
}
