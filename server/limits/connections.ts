// Connection admission: a total (maxclients) and a per-address limit, counted over both
// transports together.

import { isIP } from "node:net";
import { configOf } from "../config.js";
import type { ServerState } from "../state.js";
import { MAXCLIENTS, MAXCLIENTS_PER_ADDRESS } from "./settings.js";

export const MAX_CLIENTS_REACHED = "ERR max number of clients reached";
export const MAX_PER_ADDRESS_REACHED = "ERR max number of clients reached for this address";

/** The IP of "::ffff:1.2.3.4" as "1.2.3.4", so both notations count as one address. */
export function normalizeIp(ip: string | undefined): string {
  if (ip === undefined) return "?";
  return ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

export function isLoopback(ip: string): boolean {
  return ip === "::1" || ip.startsWith("127.") || ip === "localhost";
}

class Admission {
  total = 0;
  readonly perAddress = new Map<string, number>();
}

const admissions = new WeakMap<ServerState, Admission>();

function admissionOf(state: ServerState): Admission {
  let a = admissions.get(state);
  if (a === undefined) admissions.set(state, (a = new Admission()));
  return a;
}

/**
 * Counts a new connection in, or returns the error to send it instead (the connection is then
 * not counted). Call release() with the same address when an admitted connection closes.
 */
export function admit(state: ServerState, ip: string): string | null {
  const a = admissionOf(state);
  const config = configOf(state);
  if (a.total >= config.get(MAXCLIENTS)) return MAX_CLIENTS_REACHED;
  const perAddress = config.get(MAXCLIENTS_PER_ADDRESS);
  const n = a.perAddress.get(ip) ?? 0;
  if (perAddress > 0 && n >= perAddress && !isLoopback(ip)) return MAX_PER_ADDRESS_REACHED;
  a.total++;
  a.perAddress.set(ip, n + 1);
  return null;
}

export function release(state: ServerState, ip: string): void {
  const a = admissionOf(state);
  a.total--;
  const n = (a.perAddress.get(ip) ?? 1) - 1;
  if (n <= 0) a.perAddress.delete(ip);
  else a.perAddress.set(ip, n);
}

export function connectedCount(state: ServerState): number {
  return admissionOf(state).total;
}
