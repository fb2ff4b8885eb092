// Server figures as small live charts: INFO polled once a second (the next poll waits for the
// previous reply, so a slow server is not piled on), rates from the difference of counters,
// drawn on <canvas> with no library.

const POINTS = 60;
const POLL_MS = 1000;

/** INFO's text as a Map of field → value. */
export function parseInfo(text) {
  const fields = new Map();
  for (const line of text.split("\r\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const i = line.indexOf(":");
    if (i > 0) fields.set(line.slice(0, i), line.slice(i + 1));
  }
  return fields;
}

function human(bytes) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

function compact(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return n >= 100 || Number.isInteger(n) ? String(Math.round(n)) : n.toFixed(1);
}

class Sparkline {
  constructor(card, format) {
    this.canvas = card.querySelector("canvas");
    this.valueEl = card.querySelector(".figure");
    this.noteEl = card.querySelector(".note");
    this.format = format;
    this.values = [];
  }

  push(v) {
    this.values.push(v);
    if (this.values.length > POINTS) this.values.shift();
    this.valueEl.textContent = v === null ? "—" : this.format(v);
    this.draw();
  }

  draw() {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth;
    const h = c.clientHeight;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const g = c.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    // A faint baseline shows the chart's whole 60 s span while the line is still short.
    g.fillStyle = "rgba(139, 154, 181, 0.18)";
    g.fillRect(0, h - 1, w, 1);
    const vals = this.values;
    let max = 0;
    for (const v of vals) if (v !== null && v > max) max = v;
    this.noteEl.textContent = `max ${this.format(max)} · last ${POINTS}s`;
    const top = max > 0 ? max * 1.15 : 1;
    const step = w / (POINTS - 1);
    const x0 = w - (vals.length - 1) * step;
    const y = (v) => h - 2 - (v / top) * (h - 4);
    const style = getComputedStyle(c);
    const stroke = style.getPropertyValue("--line").trim() || "#38bdf8";
    g.beginPath();
    let started = false;
    let firstX = 0;
    let lastX = 0;
    vals.forEach((v, i) => {
      if (v === null) return;
      const x = x0 + i * step;
      if (!started) {
        g.moveTo(x, y(v));
        firstX = x;
        started = true;
      } else g.lineTo(x, y(v));
      lastX = x;
    });
    if (!started) return;
    g.strokeStyle = stroke;
    g.lineWidth = 1.5;
    g.lineJoin = "round";
    g.stroke();
    g.lineTo(lastX, h);
    g.lineTo(firstX, h);
    g.closePath();
    const fill = g.createLinearGradient(0, 0, 0, h);
    fill.addColorStop(0, stroke + "55");
    fill.addColorStop(1, stroke + "00");
    g.fillStyle = fill;
    g.fill();
  }
}

/**
 * Starts polling. `cards` maps a figure name to its card element; `eventCount()` is the page's
 * own count of streamed events, used for events/s when the server's INFO has no event counter.
 */
export function createCharts({ kc, cards, eventCount, onInfo }) {
  const charts = {
    clients: new Sparkline(cards.clients, compact),
    commands: new Sparkline(cards.commands, compact),
    memory: new Sparkline(cards.memory, human),
    events: new Sparkline(cards.events, compact),
  };
  const eventsLabel = cards.events.querySelector(".label");
  let last = null;
  let stopped = false;

  function rate(now, prev, dt) {
    // A counter that went down means the server restarted: no rate for that second.
    return now >= prev && dt > 0 ? ((now - prev) * 1000) / dt : null;
  }

  async function poll() {
    if (stopped) return;
    const started = performance.now();
    try {
      const info = parseInfo(await kc.info());
      const at = performance.now();
      const commands = Number(info.get("total_commands_processed"));
      const serverEvents = info.has("total_keyspace_events") ? Number(info.get("total_keyspace_events")) : null;
      const events = serverEvents ?? eventCount();
      eventsLabel.textContent = serverEvents === null ? "events/s (streamed)" : "events/s";
      charts.clients.push(Number(info.get("connected_clients")));
      charts.memory.push(Number(info.get("used_memory")));
      if (last) {
        const dt = at - last.at;
        charts.commands.push(rate(commands, last.commands, dt));
        charts.events.push(rate(events, last.events, dt));
      }
      last = { at, commands, events };
      onInfo(info);
    } catch {
      // Disconnected: a gap in the charts until the client has reconnected.
      for (const c of Object.values(charts)) c.push(null);
      last = null;
    }
    setTimeout(poll, Math.max(0, POLL_MS - (performance.now() - started)));
  }

  window.addEventListener("resize", () => {
    for (const c of Object.values(charts)) c.draw();
  });
  poll();
  return {
    stop() {
      stopped = true;
    },
  };
}
