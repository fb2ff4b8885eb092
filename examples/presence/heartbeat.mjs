// A user's presence: `SETEX user:<id>:online <ttl> 1` now and every ttl/3 seconds. Leaving
// cleanly (Ctrl-C) deletes the key; a crash, a closed laptop or a lost network just stops
// the heartbeats, and the key expires ttl seconds after the last one.
//
//   node heartbeat.mjs --user 42 [--ttl 30] [--every <ms>]
//
// KEYCAST_URL says where keycast's WebSocket port is (default ws://127.0.0.1:7379).

import { parseArgs } from "node:util";
import { connect } from "keycast";

const { values: opts } = parseArgs({
  options: { user: { type: "string" }, ttl: { type: "string", default: "30" }, every: { type: "string" } },
});
if (!opts.user) {
  console.error("usage: node heartbeat.mjs --user <id> [--ttl seconds] [--every ms]");
  process.exit(2);
}
const ttl = Number(opts.ttl);
// Three beats per TTL: one lost or late beat does not make the user look gone.
const every = opts.every ? Number(opts.every) : (ttl * 1000) / 3;
const key = `user:${opts.user}:online`;

const kc = await connect(process.env.KEYCAST_URL ?? "ws://127.0.0.1:7379");
const beat = () => kc.setex(key, ttl, "1").catch((e) => console.error(`heartbeat failed: ${e.message}`));
await beat();
const timer = setInterval(beat, every);
console.log(`${key}: heartbeat every ${every} ms, ttl ${ttl} s`);

const leave = async () => {
  clearInterval(timer);
  await kc.del(key);
  await kc.close();
  console.log(`${key}: left`);
  process.exit(0);
};
process.once("SIGINT", leave);
process.once("SIGTERM", leave);
