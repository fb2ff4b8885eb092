// The browser test's page: connects with the browser bundle (served beside it as /keycast.js),
// watches a pattern, and exposes what it sees on window.keycastTest for the test to read.
// The server's address comes in the query string: /?ws=ws://127.0.0.1:PORT&pattern=browser:*
import { connect } from "./keycast.js";

const params = new URLSearchParams(location.search);
const url = params.get("ws");
const pattern = params.get("pattern") ?? "browser:*";
const test = { ready: false, error: null, state: "connecting", states: [], messages: [] };
window.keycastTest = test;

const stateEl = document.getElementById("state");
const log = document.getElementById("log");
document.getElementById("url").textContent = `${url} watching ${pattern}`;

function setState(s) {
  test.state = s;
  test.states.push(s);
  stateEl.textContent = s;
  stateEl.className = s;
}

function row(cells, cls) {
  const tr = document.createElement("tr");
  if (cls) tr.className = cls;
  for (const c of cells) {
    const td = document.createElement("td");
    td.textContent = c;
    tr.append(td);
  }
  log.append(tr);
}

try {
  const kc = await connect(url, { reconnect: { minDelayMs: 50, maxDelayMs: 400 } });
  setState(kc.state);
  kc.onState((s) => setState(s));
  await kc.watch(
    pattern,
    (m) => {
      test.messages.push({ ...m, receivedAt: Date.now() });
      if (m.type === "event") row([m.seq, m.event, m.key, m.value === null ? "(nil)" : JSON.stringify(m.value)]);
      else if (m.type === "resync") row(["", "resync", "", m.reason], "resync");
    },
    { value: "full" },
  );
  // A round trip through the same bundle: commands work too, not only watches.
  test.ping = await kc.ping();
  test.serverVersion = kc.server.version;
  test.ready = true;
} catch (e) {
  test.error = String(e && e.message ? e.message : e);
  setState("closed");
}
