// A recent-messages feed on one list: LPUSH the new message, LTRIM to the 50 newest, in one
// atomic batch. Readers watch the list: they get the feed as it is, then each pushed message
// as it comes, and after a dropped connection the client resumes where it stopped.

export const KEEP = 50;

export function feedKey(room) {
  return `chat:${room}`;
}

/** Posts a message; resolves to it, with its id (1, 2, 3, ... per room). */
export async function post(kc, room, from, text) {
  const id = await kc.incr(`${feedKey(room)}:id`);
  const message = { id, from, text, at: Date.now() };
  // Atomic: no reader ever sees the list longer than KEEP, and no other writer's commands
  // come between the push and the trim.
  await kc.batch().lpush(feedKey(room), JSON.stringify(message)).ltrim(feedKey(room), 0, KEEP - 1).atomic().exec();
  return message;
}

/**
 * Calls `onMessage` once per message, oldest first: the feed's current messages, then new ones
 * as they are posted. After a drop the client replays what was missed (nothing lost, nothing
 * twice); if the gap is too old for the server's history, it says "resync" and delivers the
 * feed again, and the ids tell which of those messages are new.
 */
export function follow(kc, room, onMessage, onResync = () => {}) {
  const seen = new Set();
  const deliver = (raw) => {
    const message = JSON.parse(raw);
    if (seen.has(message.id)) return;
    seen.add(message.id);
    // Only the ids a resync's snapshot could repeat need remembering: the feed holds KEEP.
    if (seen.size > 4 * KEEP) seen.delete(seen.values().next().value);
    onMessage(message);
  };
  return kc.watch(
    feedKey(room),
    (m) => {
      if (m.type === "snapshot") {
        // The list is newest first; a reader wants the oldest first.
        for (let i = m.value.length - 1; i >= 0; i--) deliver(m.value[i]);
      } else if (m.type === "event") {
        for (const raw of m.delta) deliver(raw);
      } else {
        onResync(m.reason);
      }
    },
    { events: ["lpush"], value: "delta", snapshot: true },
  );
}
