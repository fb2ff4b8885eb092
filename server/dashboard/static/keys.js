// The key list: keys matching a pattern, found with SCAN a page at a time (never KEYS, which
// would stall the server on a big keyspace), each with its type, a preview of its value and a
// live TTL countdown. A watch on the same pattern marks a row the moment its key changes and
// re-reads it; keys created after the scan appear at the top.

import { byteString, clip, quote, readable } from "./bytes.js";

const PAGE = 50;
const SCAN_COUNT = 200;
// A pattern that matches little in a big keyspace may need many SCAN calls to fill a page;
// past this many the page is shown as it is and "more" finds the rest.
const SCAN_CALLS_PER_PAGE = 50;
const MAX_ROWS = 2000;
const PREVIEW_ITEMS = 8;
const PREVIEW_BYTES = 256;
const REFRESH_MS = 100;
const GONE_LINGER_MS = 4000;
const GONE_EVENTS = new Set(["del", "expired", "evicted", "rename_from", "move_from"]);

const ascii = new TextDecoder();

function formatTtl(ms) {
  if (ms <= 0) return "0.0s";
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.floor(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

function preview(type, items, total, pairs) {
  const parts = [];
  if (pairs) for (let i = 0; i + 1 < items.length; i += 2) parts.push(`${clip(readable(items[i]), 40)}: ${clip(readable(items[i + 1]), 40)}`);
  else for (const it of items) parts.push(clip(readable(it), 40));
  const shown = pairs ? items.length / 2 : items.length;
  const more = total > shown ? ", …" : "";
  const open = type === "list" ? "[" : "{";
  const close = type === "list" ? "]" : "}";
  const unit = type === "list" ? "item" : type === "set" ? "member" : "field";
  return { text: `${open}${parts.join(", ")}${more}${close}`, note: `${total} ${unit}${total === 1 ? "" : "s"}` };
}

/** The command that shows a key's whole value, as typed at a redis-cli prompt. */
export function readCommand(key, type) {
  const k = quote(key);
  switch (type) {
    case "list":
      return `LRANGE ${k} 0 -1`;
    case "set":
      return `SMEMBERS ${k}`;
    case "hash":
      return `HGETALL ${k}`;
    default:
      return `GET ${k}`;
  }
}

export function createKeyList({ kc, tbody, status, moreButton, onOpen }) {
  /** id (the key's bytes as a string) → row */
  const rows = new Map();
  const ticking = new Set();
  const pending = new Set();
  let pattern = "*";
  let cursor = "0";
  let started = false;
  /** Keys a SCAN returned beyond the current page. */
  let backlog = [];
  let complete = false;
  let watch = null;
  let generation = 0;
  let refreshTimer = null;
  let loading = false;

  function cell(cls) {
    const td = document.createElement("td");
    td.className = cls;
    return td;
  }

  function makeRow(key, id) {
    const tr = document.createElement("tr");
    tr.dataset.key = id;
    const cells = { key: cell("key"), type: cell("type"), value: cell("value"), ttl: cell("ttl"), event: cell("event") };
    cells.key.textContent = readable(key);
    cells.key.title = quote(key);
    tr.append(cells.key, cells.type, cells.value, cells.ttl, cells.event);
    const row = { key, id, tr, cells, type: "", deadline: -1, ttlText: "", goneTimer: null };
    tr.addEventListener("click", () => onOpen(row.key, row.type));
    rows.set(id, row);
    return row;
  }

  function flash(row, event) {
    row.cells.event.textContent = event;
    row.tr.classList.remove("flash");
    // Restarts the highlight when the same key changes again before it faded.
    void row.tr.offsetWidth;
    row.tr.classList.add("flash");
  }

  function markGone(row, why) {
    row.tr.classList.add("gone");
    row.deadline = -1;
    ticking.delete(row);
    row.cells.ttl.textContent = "";
    if (why) row.cells.event.textContent = why;
    clearTimeout(row.goneTimer);
    row.goneTimer = setTimeout(() => {
      if (rows.get(row.id) !== row) return;
      row.tr.remove();
      rows.delete(row.id);
      updateStatus();
    }, GONE_LINGER_MS);
  }

  function revive(row) {
    if (!row.tr.classList.contains("gone")) return;
    clearTimeout(row.goneTimer);
    row.goneTimer = null;
    row.tr.classList.remove("gone");
  }

  function setTtl(row, pttl) {
    row.deadline = pttl >= 0 ? Date.now() + pttl : -1;
    if (row.deadline >= 0) ticking.add(row);
    else {
      ticking.delete(row);
      row.ttlText = "";
      row.cells.ttl.textContent = "—";
      row.cells.ttl.classList.remove("soon");
    }
    tickRow(row, Date.now());
  }

  function tickRow(row, now) {
    if (row.deadline < 0) return;
    const left = row.deadline - now;
    const text = formatTtl(left);
    if (text !== row.ttlText) {
      row.ttlText = text;
      row.cells.ttl.textContent = text;
      row.cells.ttl.classList.toggle("soon", left < 10_000);
    }
  }

  setInterval(() => {
    const now = Date.now();
    for (const row of ticking) tickRow(row, now);
  }, 100);

  /** Reads type, TTL and a preview of the value of these rows: two round trips for any number of keys. */
  async function describe(list, gen) {
    const heads = await Promise.all(list.map((r) => Promise.all([kc.bytes.type(r.key), kc.bytes.pttl(r.key)]).catch(() => null)));
    if (gen !== generation) return;
    const reads = list.map((row, i) => {
      const head = heads[i];
      if (!head) return null;
      const type = ascii.decode(head[0]);
      const k = row.key;
      switch (type) {
        case "string":
          return Promise.all([type, head[1], kc.bytes.getrange(k, 0, PREVIEW_BYTES - 1), kc.bytes.strlen(k)]);
        case "list":
          return Promise.all([type, head[1], kc.bytes.lrange(k, 0, PREVIEW_ITEMS - 1), kc.bytes.llen(k)]);
        case "set":
          return Promise.all([type, head[1], kc.bytes.call("SSCAN", k, "0", "COUNT", PREVIEW_ITEMS).then((r) => r[1]), kc.bytes.scard(k)]);
        case "hash":
          return Promise.all([type, head[1], kc.bytes.call("HSCAN", k, "0", "COUNT", PREVIEW_ITEMS).then((r) => r[1]), kc.bytes.hlen(k)]);
        default:
          return Promise.resolve([type, head[1], null, 0]);
      }
    });
    const values = await Promise.all(reads.map((p) => (p ? p.catch(() => null) : null)));
    if (gen !== generation) return;
    list.forEach((row, i) => {
      const v = values[i];
      // The key changed type between the two reads: its event is on the way and reads it again.
      if (!v || rows.get(row.id) !== row) return;
      const [type, pttl, data, size] = v;
      if (type === "none") {
        // Listed by SCAN but deleted before it could be read: it never was on screen.
        if (!row.type) {
          row.tr.remove();
          rows.delete(row.id);
          updateStatus();
        } else markGone(row, row.cells.event.textContent || "gone");
        return;
      }
      revive(row);
      row.type = type;
      const badge = document.createElement("span");
      badge.className = `badge ${type}`;
      badge.textContent = type;
      row.cells.type.replaceChildren(badge);
      let text;
      let note = "";
      if (type === "string") {
        text = clip(readable(data), 160);
        if (size > data.length) note = `${size} bytes`;
      } else {
        ({ text, note } = preview(type, data.slice(0, type === "hash" ? PREVIEW_ITEMS * 2 : PREVIEW_ITEMS), size, type === "hash"));
      }
      row.cells.value.textContent = text;
      if (note) {
        const span = document.createElement("span");
        span.className = "note";
        span.textContent = note;
        row.cells.value.append(" ", span);
      }
      setTtl(row, pttl);
    });
  }

  function scheduleRefresh() {
    if (refreshTimer !== null) return;
    // Coalesces a burst of changes (a key written 10,000 times a second) into one read per interval.
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      const list = [];
      for (const id of pending) {
        const row = rows.get(id);
        if (row) list.push(row);
      }
      pending.clear();
      if (list.length) describe(list, generation);
    }, REFRESH_MS);
  }

  function onMessage(m) {
    if (m.type === "resync") {
      // Changes were lost: the list may be wrong anywhere, so list again.
      setPattern(pattern);
      return;
    }
    if (m.type !== "event") return;
    const id = byteString(m.key);
    let row = rows.get(id);
    if (GONE_EVENTS.has(m.event)) {
      if (row) {
        flash(row, m.event);
        markGone(row, m.event);
      }
      return;
    }
    if (!row) {
      if (rows.size >= MAX_ROWS) return;
      row = makeRow(m.key, id);
      tbody.prepend(row.tr);
      removeEmptyNote();
      updateStatus();
    }
    flash(row, m.event);
    pending.add(id);
    scheduleRefresh();
  }

  function removeEmptyNote() {
    tbody.querySelector("tr.empty")?.remove();
  }

  function updateStatus() {
    const n = rows.size;
    status.textContent = `${n} key${n === 1 ? "" : "s"} shown · ${complete ? "scan complete" : "more to scan"}`;
    moreButton.disabled = complete || loading;
    if (n === 0 && complete && !tbody.querySelector("tr.empty")) {
      const tr = document.createElement("tr");
      tr.className = "empty";
      const td = document.createElement("td");
      td.colSpan = 5;
      td.textContent = `No key matches ${pattern}`;
      tr.append(td);
      tbody.append(tr);
    }
  }

  async function loadMore() {
    if (complete || loading) return;
    loading = true;
    updateStatus();
    const gen = generation;
    const found = [];
    const take = (key) => {
      const id = byteString(key);
      if (rows.has(id)) return;
      if (found.length < PAGE) found.push(makeRow(key, id));
      else backlog.push(key);
    };
    try {
      // SCAN returns as many keys as it likes: what is past the page waits for "more".
      for (const key of backlog.splice(0)) take(key);
      for (let calls = 0; calls < SCAN_CALLS_PER_PAGE && found.length < PAGE && (!started || cursor !== "0"); calls++) {
        const [next, keys] = await kc.bytes.call("SCAN", cursor, "MATCH", pattern, "COUNT", SCAN_COUNT);
        if (gen !== generation) return;
        started = true;
        cursor = ascii.decode(next);
        for (const key of keys) take(key);
      }
      complete = started && cursor === "0" && backlog.length === 0;
      for (const row of found) tbody.append(row.tr);
      if (found.length) removeEmptyNote();
      await describe(found, gen);
    } finally {
      if (gen === generation) {
        loading = false;
        updateStatus();
      }
    }
  }

  /** Lists the keys matching `p` from the start, and watches them. */
  async function setPattern(p) {
    const gen = ++generation;
    pattern = p;
    cursor = "0";
    started = false;
    backlog = [];
    complete = false;
    loading = false;
    pending.clear();
    ticking.clear();
    for (const row of rows.values()) clearTimeout(row.goneTimer);
    rows.clear();
    tbody.textContent = "";
    const old = watch;
    watch = null;
    if (old) await old.unwatch().catch(() => {});
    // The watch starts before the scan, so a change made while scanning is not missed.
    const w = await kc.bytes.watch(p, onMessage);
    if (gen !== generation) {
      w.unwatch().catch(() => {});
      return;
    }
    watch = w;
    await loadMore();
  }

  moreButton.addEventListener("click", () => loadMore());

  return {
    setPattern,
    loadMore,
    get pattern() {
      return pattern;
    },
  };
}
