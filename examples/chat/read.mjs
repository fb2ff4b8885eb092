// Prints a room's feed: the messages it holds, then each new one as it is posted. Survives
// dropped connections: the client reconnects by itself and resumes the watch where it stopped.
//
//   node read.mjs [--room lobby]
//
// KEYCAST_URL says where keycast's WebSocket port is (default ws://127.0.0.1:7379).
// Messages go to stdout, one per line; connection changes to stderr.

import { parseArgs } from "node:util";
import { connect } from "keycast";
import { feedKey, follow } from "./chat.mjs";

const { values: opts } = parseArgs({ options: { room: { type: "string", default: "lobby" } } });

const kc = await connect(process.env.KEYCAST_URL ?? "ws://127.0.0.1:7379", { reconnect: { minDelayMs: 100, maxDelayMs: 2000 } });
kc.onState((state) => console.error(`(${state})`));
await follow(
  kc,
  opts.room,
  (m) => console.log(`#${m.id} ${m.from}: ${m.text}`),
  (reason) => console.error(`(resync: ${reason})`),
);
console.error(`(following ${feedKey(opts.room)})`);

const stop = () => kc.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
