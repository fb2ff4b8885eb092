// The reply frame of a batch: [1, id, [reply, ...]] or, when some replies are errors,
// [1, id, [reply, ...], [index of each error, ...]] (docs/protocol.md), written with the
// msgpack writer in one pass (the same bytes as msgpackr on replyToWire).

import { FrameType } from "../../shared/protocol.js";
import { ErrorReply, type Reply } from "../reply.js";
import * as w from "../encoding/msgpack-writer.js";

export function batchFrame(id: number, replies: readonly Reply[]): Buffer {
  let errors = 0;
  for (let i = 0; i < replies.length; i++) if (replies[i] instanceof ErrorReply) errors++;
  w.begin();
  w.arrayHeader(errors === 0 ? 3 : 4);
  w.number(FrameType.BATCH);
  w.number(id);
  w.arrayHeader(replies.length);
  for (let i = 0; i < replies.length; i++) w.reply(replies[i]!);
  if (errors !== 0) {
    w.arrayHeader(errors);
    for (let i = 0; i < replies.length; i++) if (replies[i] instanceof ErrorReply) w.number(i);
  }
  return w.take();
}
