// Posts messages to a room: the words after the options as one message, or each line of stdin.
//
//   node post.mjs --from alice hello everyone
//   printf 'one\ntwo\n' | node post.mjs --from bob
//
// Options: --room <name> (default lobby), --from <name> (default anonymous).
// KEYCAST_URL says where keycast's WebSocket port is (default ws://127.0.0.1:7379).

import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { connect } from "keycast";
import { post } from "./chat.mjs";

const { values: opts, positionals } = parseArgs({
  options: { room: { type: "string", default: "lobby" }, from: { type: "string", default: "anonymous" } },
  allowPositionals: true,
});

const kc = await connect(process.env.KEYCAST_URL ?? "ws://127.0.0.1:7379");
const send = async (text) => {
  const m = await post(kc, opts.room, opts.from, text);
  console.log(`posted #${m.id}`);
};

if (positionals.length > 0) {
  await send(positionals.join(" "));
} else {
  // One at a time, so that ids follow the order of the lines.
  for await (const line of createInterface({ input: process.stdin })) if (line.trim()) await send(line);
}
await kc.close();
