// The reply frame of a batch: [1, id, [reply, ...]] or, when some replies are errors,
// [1, id, [reply, ...], [index of each error, ...]], and when some commands wait,
// [1, id, [reply, ...], [errors...], [index of each waiting command, ...]] (docs/protocol.md),
// written with the msgpack writer in one pass (the same bytes as msgpackr on replyToWire).

import { FrameType } from "../../shared/protocol.js";
import { ErrorReply, type Reply } from "../reply.js";
import * as w from "../encoding/msgpack-writer.js";

export function batchFrame(id: number, replies: readonly Reply[], blocked?: readonly number[]): Buffer {
  let errors = 0;
  for (let i = 0; i < replies.length; i++) if (replies[i] instanceof ErrorReply) errors++;
  const waits = blocked !== undefined && blocked.length !== 0;
  w.begin();
  w.arrayHeader(waits ? 5 : errors === 0 ? 3 : 4);
  w.number(FrameType.BATCH);
  w.number(id);
  w.arrayHeader(replies.length);
  for (let i = 0; i < replies.length; i++) w.reply(replies[i]!);
  if (errors !== 0 || waits) {
    w.arrayHeader(errors);
    for (let i = 0; i < replies.length; i++) if (replies[i] instanceof ErrorReply) w.number(i);
  }
  if (waits) {
    w.arrayHeader(blocked.length);
    for (const i of blocked) w.number(i);
  }
  return w.take();
}

/**
 * The later answer of a command that waited: [11, batchId, index, reply, isError]
 * (docs/protocol.md, DEFERRED).
 */
export function deferredFrame(id: number, index: number, reply: Reply): Buffer {
  w.begin();
  w.arrayHeader(5);
  w.number(FrameType.DEFERRED);
  w.number(id);
  w.number(index);
  w.reply(reply);
  w.byte(reply instanceof ErrorReply ? 0xc3 : 0xc2);
  return w.take();
}
