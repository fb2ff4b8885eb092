// Prints every change to the machines' figures as it happens: the current values first (a
// snapshot taken atomically with the start of the watch, so nothing falls in between), then
// one line per change, with the new value carried in the event: no polling, no extra GET.
//
//   node watch.mjs [pattern ...]        (default: metrics:* host:*)
//
// KEYCAST_URL says where keycast's WebSocket port is (default ws://127.0.0.1:7379).

import { connect } from "keycast";

const url = process.env.KEYCAST_URL ?? "ws://127.0.0.1:7379";
const patterns = process.argv.length > 2 ? process.argv.slice(2) : ["metrics:*", "host:*"];

function show(value) {
  if (value === null || value === undefined) return "(deleted)";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

const kc = await connect(url);
kc.onState((state) => console.error(`(${state})`));

for (const pattern of patterns) {
  await kc.watch(
    pattern,
    (m) => {
      if (m.type === "snapshot") console.log(`${"now".padEnd(8)} ${m.key} = ${show(m.value)}`);
      else if (m.type === "event") console.log(`${m.event.padEnd(8)} ${m.key} = ${show(m.value)}`);
      else console.log(`(resync: ${m.reason})`);
    },
    { value: "full", snapshot: true },
  );
}
console.log(`watching ${patterns.join(" ")} on ${url}`);

const stop = () => kc.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
