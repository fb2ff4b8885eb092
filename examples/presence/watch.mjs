// Who is online, live: starts from the keys that exist (a snapshot taken atomically with the
// watch), then follows heartbeats and departures. A user who stops sending heartbeats is
// reported by the `expired` event the moment their key's TTL runs out: keycast expires keys
// on time, it does not wait for someone to touch the key.
//
//   node watch.mjs
//
// KEYCAST_URL says where keycast's WebSocket port is (default ws://127.0.0.1:7379).

import { connect } from "keycast";

const PATTERN = "user:*:online";
const online = new Set();
const userOf = (key) => key.slice("user:".length, -":online".length);

function list() {
  return online.size ? [...online].join(", ") : "nobody";
}

const kc = await connect(process.env.KEYCAST_URL ?? "ws://127.0.0.1:7379");
await kc.watch(
  PATTERN,
  (m) => {
    if (m.type === "resync") {
      // Events were lost: the snapshot that follows rebuilds the list from scratch.
      online.clear();
      return;
    }
    const user = userOf(m.key);
    if (m.type === "snapshot" || m.event === "set") {
      if (online.has(user)) return;
      online.add(user);
      console.log(`online  ${user}   (now online: ${list()})`);
    } else if (m.event === "expired" || m.event === "del") {
      if (!online.delete(user)) return;
      const why = m.event === "expired" ? "expired: no heartbeat" : "left";
      console.log(`offline ${user}   (${why}; now online: ${list()})`);
    }
  },
  { snapshot: true, events: ["set", "del", "expired"] },
);
console.log(`watching ${PATTERN}: ${list()} online`);

const stop = () => kc.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
