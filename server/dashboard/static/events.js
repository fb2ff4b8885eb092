// The live event stream: every keyspace event for a pattern, newest first, with what changed
// (the watch asks for deltas). Events are drawn once per animation frame, so a burst of
// thousands costs one layout, and only the newest LINES are kept on the page.

import { byteString, clip, readable } from "./bytes.js";

const LINES = 300;

function describeDelta(d) {
  if (d === undefined || d === null) return "";
  if (d instanceof Uint8Array) return clip(readable(d), 120);
  if (Array.isArray(d)) return clip(`[${d.map((x) => (x instanceof Uint8Array ? readable(x) : String(x))).join(", ")}]`, 120);
  return clip(String(d), 120);
}

function clock(ms) {
  const d = new Date(ms);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function createEventStream({ kc, list, status, pauseButton }) {
  let watch = null;
  let generation = 0;
  let paused = false;
  let queue = [];
  let dropped = 0;
  let frame = 0;
  /** Events received since the page started: the events/s chart's fallback source. */
  let received = 0;

  function line(cls, cells) {
    const li = document.createElement("li");
    li.className = cls;
    for (const [c, text] of cells) {
      const span = document.createElement("span");
      span.className = c;
      span.textContent = text;
      li.append(span);
    }
    return li;
  }

  function render(m) {
    if (m.type === "resync") return line("resync", [["time", clock(m.at)], ["event", "resync"], ["detail", m.reason]]);
    const li = line(`ev ${m.event}`, [
      ["time", clock(m.time)],
      ["event", m.event],
      ["key", clip(readable(m.key), 80)],
      ["detail", describeDelta(m.delta)],
    ]);
    li.dataset.key = byteString(m.key);
    return li;
  }

  function draw() {
    frame = 0;
    if (paused) return;
    if (queue.length > LINES) {
      dropped += queue.length - LINES;
      queue = queue.slice(queue.length - LINES);
    }
    const fragment = document.createDocumentFragment();
    for (let i = queue.length - 1; i >= 0; i--) fragment.append(render(queue[i]));
    queue = [];
    list.prepend(fragment);
    while (list.childElementCount > LINES) list.lastElementChild.remove();
    if (dropped) status.textContent = `${dropped} events not drawn (too many to show)`;
  }

  // Messages wait here until the next frame (or the end of a pause); nodes are made only for
  // the ones that will be seen, so a flood costs little more than counting it.
  function push(m) {
    queue.push(m);
    if (queue.length > 2 * LINES) {
      dropped += queue.length - LINES;
      queue = queue.slice(queue.length - LINES);
    }
    if (!frame && !paused) frame = requestAnimationFrame(draw);
  }

  function onMessage(m) {
    if (m.type === "resync") {
      push({ type: "resync", at: Date.now(), reason: m.reason });
      return;
    }
    if (m.type !== "event") return;
    received++;
    push(m);
  }

  async function setPattern(p) {
    const gen = ++generation;
    const old = watch;
    watch = null;
    if (old) await old.unwatch().catch(() => {});
    list.textContent = "";
    queue = [];
    dropped = 0;
    status.textContent = `watching ${p}`;
    const w = await kc.bytes.watch(p, onMessage, { value: "delta" });
    if (gen !== generation) {
      w.unwatch().catch(() => {});
      return;
    }
    watch = w;
  }

  pauseButton.addEventListener("click", () => {
    paused = !paused;
    pauseButton.textContent = paused ? "Resume" : "Pause";
    pauseButton.setAttribute("aria-pressed", String(paused));
    if (!paused && queue.length && !frame) frame = requestAnimationFrame(draw);
  });

  return {
    setPattern,
    get received() {
      return received;
    },
  };
}
