// The writer of the fan-out and feed sections: sends one operation (a SET, or LPUSH + LTRIM)
// at a fixed rate, or a burst of them at once, over WebSocket (keycast, raw) or RESP (Redis),
// and reports when it sent each one on the machine's monotonic clock.

import { serve } from "./procs.mjs";
import { connectWs, clientFrame } from "./wsraw.mjs";
import { connectTcp, encodeCommand } from "./resp.mjs";
import { pack } from "./kc.mjs";
import { hrms, sleep } from "./stats.mjs";

let conn = null;

/** The commands of operation i. */
function commandsOf(op, key, i) {
  const tag = String(i).padStart(16, "0");
  if (op === "set") return [["SET", key, tag]];
  // A 64-byte chat message.
  const msg = `msg ${tag} ${"x".repeat(43)}`;
  return [
    ["LPUSH", key, msg],
    ["LTRIM", key, "0", "49"],
  ];
}

function encode(kind, op, key, i) {
  const cmds = commandsOf(op, key, i);
  if (kind === "ws") return clientFrame(pack([1, i + 1, cmds]));
  return Buffer.concat(cmds.map(encodeCommand));
}

serve({
  async connect({ kind, port }) {
    if (kind === "ws") {
      const ws = await connectWs(port);
      ws.onFrame = () => {};
      conn = { kind, write: (b) => ws.write(b), close: () => ws.close() };
    } else {
      const socket = await connectTcp(port);
      socket.on("data", () => {});
      socket.on("error", () => {});
      conn = { kind, write: (b) => socket.write(b), close: () => socket.destroy() };
    }
    return { connected: true };
  },

  /** count operations at `rate` per second (or all at once with burst); resolves with their send times. */
  async run({ op, key, count, rate = 0, burst = false }) {
    const frames = Array.from({ length: count }, (_, i) => encode(conn.kind, op, key, i));
    const sent = new Float64Array(count);
    if (burst) {
      const t = hrms();
      for (let i = 0; i < count; i++) conn.write(frames[i]);
      sent.fill(t);
      return { sent };
    }
    const interval = 1000 / rate;
    const start = hrms() + 2;
    const giveUp = start + count * interval + 10_000;
    let i = 0;
    while (i < count) {
      const now = hrms();
      if (now > giveUp) throw new Error(`the writer fell behind its schedule by 10 s at ${rate}/s`);
      if (now >= start + i * interval) {
        sent[i] = now;
        conn.write(frames[i]);
        i++;
        continue;
      }
      const wait = start + i * interval - now;
      // setTimeout sleeps at least ~1 ms: spin on setImmediate for shorter gaps.
      if (wait > 1.5) await sleep(wait - 1);
      else await new Promise((r) => setImmediate(r));
    }
    return { sent };
  },

  close() {
    conn?.close();
    conn = null;
    return { closed: true };
  },
});
