// The one watcher of the expiry section: every expired key's event, from keycast (a WATCH of
// "*" for "expired") or from Redis (__keyevent@0__:expired), is timed against the deadline
// its key name carries ("x:<deadline ms>:<n>").

import { serve } from "./procs.mjs";
import { connectWs } from "./wsraw.mjs";
import { connectTcp, encodeCommand, RespStream } from "./resp.mjs";
import { pack, unpack } from "./kc.mjs";
import { wallms } from "./stats.mjs";

let late = new Float64Array(0);
/** keycast only: the event's own time (when the server expired the key) minus the deadline. */
let serverLate = new Float64Array(0);
let got = new Uint8Array(0);
let count = 0;
let duplicates = 0;
let close = null;

function onKey(key, now, serverTime = NaN) {
  // "x:<deadline>:<n>", as a string (keycast) or latin1 string (Redis).
  const a = key.indexOf(":");
  const b = key.indexOf(":", a + 1);
  const n = Number(key.slice(b + 1));
  if (!(n >= 0 && n < late.length)) return;
  if (got[n]) {
    duplicates++;
    return;
  }
  got[n] = 1;
  const deadline = Number(key.slice(a + 1, b));
  late[n] = now - deadline;
  serverLate[n] = serverTime - deadline;
  count++;
}

serve({
  async connect({ kind, port }) {
    if (kind === "ws") {
      const ws = await connectWs(port);
      let acked;
      const ack = new Promise((r) => (acked = r));
      ws.onFrame = (buf, s, e) => {
        const now = wallms();
        const f = unpack(buf.subarray(s, e));
        if (f[0] === 3) {
          const key = f[3];
          onKey(typeof key === "string" ? key : Buffer.from(key).toString("latin1"), now, f[6]);
        } else acked(f);
      };
      ws.send(pack([4, 1, 1, "*", { events: ["expired"] }]));
      const answer = await ack;
      if (answer[0] !== 4) throw new Error(`WATCH refused: ${JSON.stringify(answer)}`);
      close = () => ws.close();
    } else {
      const socket = await connectTcp(port);
      let acked;
      const ack = new Promise((r) => (acked = r));
      let now = 0;
      const stream = new RespStream((v) => {
        if (v[0] === "message") onKey(v[2], now);
        else acked(v);
      });
      socket.on("data", (c) => {
        now = wallms();
        stream.feed(c);
      });
      socket.write(encodeCommand(["SUBSCRIBE", "__keyevent@0__:expired"]));
      await ack;
      close = () => socket.destroy();
    }
    return { connected: true };
  },

  arm({ keys }) {
    late = new Float64Array(keys);
    serverLate = new Float64Array(keys);
    got = new Uint8Array(keys);
    count = 0;
    duplicates = 0;
    return { armed: true };
  },

  progress() {
    return { count };
  },

  /** Lateness of every event received (ms); keys never reported are counted as missing. */
  collect() {
    const out = new Float64Array(count);
    const server = new Float64Array(count);
    let j = 0;
    for (let i = 0; i < late.length; i++) {
      if (!got[i]) continue;
      server[j] = serverLate[i];
      out[j++] = late[i];
    }
    return { late: out, serverLate: server, missing: late.length - count, duplicates };
  },

  close() {
    close?.();
    return { closed: true };
  },
});

