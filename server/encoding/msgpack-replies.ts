// Replies to msgpack-ready values for the WebSocket transport. Bulk strings that are ASCII
// go as msgpack str (the same bytes), anything else as bin, so bytes survive exactly and
// text costs the client nothing to decode.

import { bytesToBuffer, isAscii, bytesToText } from "../bytes.js";
import { DoubleReply, ErrorReply, MapReply, NULL_ARRAY, SetReply, Status, VerbatimReply, type Reply } from "../reply.js";

export type Wire = string | number | bigint | null | Uint8Array | Wire[] | Map<Wire, Wire>;

export function bulkToWire(s: string): string | Uint8Array {
  return isAscii(s) ? s : bytesToBuffer(s);
}

export function replyToWire(r: Reply): Wire {
  if (typeof r === "string") return bulkToWire(r);
  if (typeof r === "number" || typeof r === "bigint" || r === null) return r;
  if (Array.isArray(r)) {
    const out: Wire[] = new Array(r.length);
    for (let i = 0; i < r.length; i++) out[i] = replyToWire(r[i]!);
    return out;
  }
  if (r instanceof Status) return r.value;
  if (r instanceof MapReply) {
    const m = new Map<Wire, Wire>();
    for (let i = 0; i < r.flat.length; i += 2) m.set(replyToWire(r.flat[i]!), replyToWire(r.flat[i + 1]!));
    return m;
  }
  if (r instanceof SetReply) return replyToWire(r.items);
  if (r instanceof DoubleReply) return r.value;
  if (r instanceof VerbatimReply) return bulkToWire(r.text);
  if (r instanceof ErrorReply) return bytesToText(r.message);
  if (r === NULL_ARRAY) return null;
  return null;
}
