// The raw ceiling: the least a WebSocket server can do for keycast's frames. `ws` without
// permessage-deflate, msgpackr with the options keycast uses, a plain Map for the data, and an
// event packed and framed once and written to every watching socket. No dispatcher, no arity
// or type checks, no history, no expiry: whatever keycast does above this is its overhead.

import { WebSocketServer, Sender } from "ws";
import { Packr, Unpackr } from "msgpackr";

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: "number" });
const FRAME_OPTIONS = { fin: true, rsv1: false, opcode: 2, mask: false, readOnly: false };

/** Starts the raw server on a loopback port; resolves with { port, close(), store }. */
export function startRawServer({ port = 0, host = "127.0.0.1" } = {}) {
  const store = new Map();
  /** key -> Set of raw sockets watching it. */
  const watchers = new Map();
  let offset = 0;

  function notify(key, event, delta) {
    offset++;
    const set = watchers.get(key);
    if (set === undefined || set.size === 0) return;
    const payload = packr.pack([3, [1, offset], 0, key, event, offset, Date.now(), delta, null]);
    const frame = Buffer.concat(Sender.frame(payload, FRAME_OPTIONS));
    // Straight to the TCP socket: the frame is already complete, and without deflate ws has
    // nothing queued that this could overtake.
    for (const socket of set) socket.write(frame);
  }

  function run(argv) {
    switch (String(argv[0]).toUpperCase()) {
      case "SET":
        store.set(argv[1], argv[2]);
        notify(argv[1], "set", argv[2]);
        return "OK";
      case "GET": {
        const v = store.get(argv[1]);
        return typeof v === "string" ? v : null;
      }
      case "LPUSH": {
        // Stored tail-first so that LPUSH is an O(1) push.
        let list = store.get(argv[1]);
        if (list === undefined) store.set(argv[1], (list = []));
        for (let i = 2; i < argv.length; i++) list.push(argv[i]);
        if (watchers.has(argv[1])) notify(argv[1], "lpush", argv.slice(2));
        else offset++;
        return list.length;
      }
      case "LRANGE": {
        const list = store.get(argv[1]);
        if (list === undefined) return [];
        const n = list.length;
        let start = Number(argv[2]);
        let stop = Number(argv[3]);
        if (start < 0) start = Math.max(0, n + start);
        if (stop < 0) stop = n + stop;
        stop = Math.min(stop, n - 1);
        const out = [];
        for (let i = start; i <= stop; i++) out.push(list[n - 1 - i]);
        return out;
      }
      case "LTRIM": {
        const list = store.get(argv[1]);
        if (list === undefined) return "OK";
        const n = list.length;
        const stop = Math.min(Number(argv[3]), n - 1);
        const dropTail = n - 1 - stop;
        if (dropTail > 0) list.splice(0, dropTail);
        if (watchers.has(argv[1])) notify(argv[1], "ltrim", [0, Math.max(0, dropTail)]);
        else offset++;
        return "OK";
      }
      case "FLUSHALL":
        store.clear();
        return "OK";
      case "PING":
        return "PONG";
      default:
        return `ERR unknown command '${argv[0]}'`;
    }
  }

  const wss = new WebSocketServer({ port, host, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024, clientTracking: true });
  wss.on("connection", (ws) => {
    const socket = ws._socket;
    const watched = [];
    ws.on("message", (data) => {
      const frame = unpackr.unpack(data);
      const type = frame[0];
      if (type === 1 || type === 2) {
        const cmds = frame[2];
        const replies = new Array(cmds.length);
        for (let i = 0; i < cmds.length; i++) replies[i] = run(cmds[i]);
        ws.send(packr.pack([1, frame[1], replies]));
      } else if (type === 4) {
        const key = frame[3];
        let set = watchers.get(key);
        if (set === undefined) watchers.set(key, (set = new Set()));
        set.add(socket);
        watched.push(key);
        ws.send(packr.pack([4, frame[1], { epoch: "raw", offset }]));
      }
    });
    ws.on("close", () => {
      for (const key of watched) watchers.get(key)?.delete(socket);
    });
    ws.on("error", () => ws.terminate());
  });

  return new Promise((resolve, reject) => {
    wss.once("error", reject);
    wss.once("listening", () => {
      resolve({
        port: wss.address().port,
        store,
        close: () =>
          new Promise((done) => {
            for (const ws of wss.clients) ws.terminate();
            wss.close(() => done());
          }),
      });
    });
  });
}
