// A periodic pass over the connections that closes those past a timeout: idle too long
// (`timeout`, subscribers and watchers exempt as in Redis), or still unauthenticated after
// `auth-timeout` while authentication is required.

import { unauthenticatedUser } from "../acl/acl.js";
import { configOf } from "../config.js";
import type { Session } from "../context.js";
import type { ServerState } from "../state.js";
import { AUTH_TIMEOUT, TIMEOUT } from "./settings.js";

const EVERY_MS = 250;

export const IDLE_REASON = "idle timeout";
export const AUTH_TIMEOUT_REASON = "NOAUTH Authentication required: authentication timeout";

export function sweep(state: ServerState, now: number): void {
  const config = configOf(state);
  const idleMs = config.get(TIMEOUT) * 1000;
  const authMs = config.get(AUTH_TIMEOUT) * 1000;
  const anonymous = unauthenticatedUser();
  const doomed: [Session, string][] = [];
  for (const s of state.sessions.values()) {
    if (s.user === anonymous && now - s.createdAt > authMs) doomed.push([s, AUTH_TIMEOUT_REASON]);
    // Subscribers and clients blocked on keys wait by design, as Redis's timeout spares them.
    else if (idleMs > 0 && now - s.lastActiveAt > idleMs && !(s.subscriptions?.count) && !s.isSubscriber?.() && !state.blocking.isBlocked(s)) {
      doomed.push([s, IDLE_REASON]);
    }
  }
  for (const [s, why] of doomed) s.close(why);
}

/** Starts the sweeps; returns the function that stops them. */
export function startSweeper(state: ServerState): () => void {
  const timer = setInterval(() => sweep(state, Date.now()), EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
