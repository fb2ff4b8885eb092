// The dashboard: connects to the keycast server that served it, over the same WebSocket port,
// with the client bundle users get (/dashboard/keycast.js), and wires the four parts: server
// figures, the key list, the event stream and the command box. It has no access of its own:
// what it may read, watch and run is what its connection may.

import { createCharts } from "./charts.js";
import { createConsole } from "./console.js";
import { createEventStream } from "./events.js";
import { createKeyList, readCommand } from "./keys.js";

const $ = (id) => document.getElementById(id);

/** What a test (or a curious person in the console) can read: window.keycastDashboard. */
const status = { ready: false, readyAt: 0, error: null, state: "connecting" };
window.keycastDashboard = status;

function banner(text, kind = "error") {
  const el = $("banner");
  el.textContent = text;
  el.className = `banner ${kind}`;
  el.hidden = !text;
}

function setState(s) {
  status.state = s;
  const el = $("state");
  el.textContent = s;
  el.className = `pill ${s}`;
  if (s === "open") banner("");
  else if (s === "reconnecting") banner("Connection lost: reconnecting… (watches resume where they stopped)", "warn");
  else if (s === "closed") banner("Disconnected from keycast. Reload the page to connect again.");
}

function duration(s) {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** Patterns and db live in the address, so a view can be bookmarked or shared. */
function readParams() {
  const p = new URLSearchParams(location.search);
  const db = Number(p.get("db") ?? "0");
  return { keys: p.get("keys") || "*", events: p.get("events") || "*", db: Number.isInteger(db) && db >= 0 ? db : 0 };
}

function writeParams(view) {
  const p = new URLSearchParams();
  if (view.keys !== "*") p.set("keys", view.keys);
  if (view.events !== "*") p.set("events", view.events);
  if (view.db) p.set("db", String(view.db));
  const q = p.toString();
  history.replaceState(null, "", q ? `?${q}` : location.pathname);
}

/** The close code of refused credentials (shared/protocol.ts): retrying would be refused again. */
const AUTH_FAILED = 4003;

async function connectWithRetry(connect, url, auth) {
  const options = { reconnect: { minDelayMs: 100, maxDelayMs: 5000 } };
  if (auth) options.auth = auth;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect(url, options);
    } catch (e) {
      if (e && (e.name === "ReplyError" || e.closeCode === AUTH_FAILED)) throw e;
      banner(`Cannot reach keycast at ${url}: ${e && e.message ? e.message : e}. Retrying…`);
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
    }
  }
}

/**
 * A token handed over in the address's fragment (`/dashboard/#token=...`, e.g. by the app that
 * issues tokens): the fragment never reaches a server or its logs, and is removed from the
 * address bar at once so that it is not bookmarked or shared.
 */
function tokenFromFragment() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return null;
  history.replaceState(null, "", location.pathname + location.search);
  return { token: decodeURIComponent(m[1]) };
}

/** Shows the sign-in form until it is submitted. Credentials stay in memory, never in storage. */
function askCredentials(error) {
  const overlay = $("signin");
  const form = $("signin-form");
  $("signin-error").textContent = error;
  overlay.hidden = false;
  $("signin-password").value = "";
  ($("signin-user").value ? $("signin-password") : $("signin-user")).focus();
  return new Promise((resolve) => {
    form.addEventListener(
      "submit",
      (ev) => {
        ev.preventDefault();
        overlay.hidden = true;
        const token = $("signin-token").value.trim();
        const user = $("signin-user").value.trim();
        const password = $("signin-password").value;
        resolve(token ? { token } : user ? { user, password } : { password });
      },
      { once: true },
    );
  });
}

/** Connects, asking for credentials when the server wants them or refuses the ones given. */
async function signIn(connect, url) {
  let auth = tokenFromFragment();
  for (;;) {
    let kc;
    try {
      kc = await connectWithRetry(connect, url, auth);
    } catch (e) {
      if (e && e.closeCode === AUTH_FAILED) {
        auth = await askCredentials(String(e.message).replace(/^keycast: authentication failed: /, ""));
        continue;
      }
      throw e;
    }
    if (kc.server.authRequired && !auth) {
      await kc.close();
      auth = await askCredentials("");
      continue;
    }
    return { kc, auth };
  }
}

async function main() {
  let client;
  try {
    client = await import("./keycast.js");
  } catch (e) {
    throw new Error(`could not load the client bundle (/dashboard/keycast.js): ${e.message}. Is it built (npm run build)?`);
  }
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`;
  const { kc, auth } = await signIn(client.connect, url);
  // Two connections: the command box has its own, so a SELECT typed there behaves as in
  // redis-cli without moving the key list and the event stream to another database.
  const cli = await connectWithRetry(client.connect, url, auth);
  setState(kc.state);
  kc.onState((s) => setState(s));
  $("server").textContent = `${location.host} · keycast ${kc.server.version}`;

  const view = readParams();
  const keysPattern = $("keys-pattern");
  const keysDb = $("keys-db");
  const eventsPattern = $("events-pattern");
  keysPattern.value = view.keys;
  eventsPattern.value = view.events;
  keysDb.value = String(view.db);

  const command = createConsole({ kc: cli, label: location.host, form: $("console-form"), input: $("console-input"), output: $("console-output"), promptEl: $("console-prompt") });
  const keys = createKeyList({
    kc,
    tbody: $("keys-body"),
    status: $("keys-status"),
    moreButton: $("keys-more"),
    onOpen: async (key, type) => {
      try {
        // The command box has its own connection, and someone may have typed SELECT there.
        if (command.db !== view.db) await command.select(view.db);
        command.type(readCommand(key, type));
      } catch (e) {
        banner(e.message);
      }
    },
  });
  const events = createEventStream({ kc, list: $("events-list"), status: $("events-status"), pauseButton: $("events-pause") });

  async function useDb(db) {
    await Promise.all([kc.select(db), command.select(db)]);
    view.db = db;
  }

  $("keys-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const db = Number(keysDb.value);
    try {
      if (db !== view.db) {
        await useDb(db);
        await events.setPattern(view.events);
      }
      view.keys = keysPattern.value || "*";
      writeParams(view);
      await keys.setPattern(view.keys);
    } catch (e) {
      banner(e.message);
    }
  });
  $("events-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    view.events = eventsPattern.value || "*";
    writeParams(view);
    try {
      await events.setPattern(view.events);
    } catch (e) {
      banner(e.message);
    }
  });

  if (view.db) await Promise.all([kc.select(view.db), command.select(view.db)]);
  createCharts({
    kc,
    cards: { clients: $("chart-clients"), commands: $("chart-commands"), memory: $("chart-memory"), events: $("chart-events") },
    eventCount: () => events.received,
    onInfo: (info) => {
      const up = Number(info.get("uptime_in_seconds"));
      $("uptime").textContent = Number.isFinite(up) ? `up ${duration(up)}` : "";
      const db = info.get(`db${view.db}`);
      const n = db ? Number(/keys=(\d+)/.exec(db)?.[1] ?? 0) : 0;
      $("keycount").textContent = `db${view.db}: ${n} key${n === 1 ? "" : "s"}`;
    },
  });
  await Promise.all([events.setPattern(view.events), keys.setPattern(view.keys)]);
  // Milliseconds from navigation to the first page of keys on screen.
  status.readyAt = Math.round(performance.now());
  status.ready = true;
}

main().catch((e) => {
  status.error = String(e && e.message ? e.message : e);
  setState("closed");
  banner(status.error);
});
