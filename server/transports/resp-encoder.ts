// Replies (server/reply.ts) to RESP2 or RESP3 bytes. The output is built as a latin1 string:
// bulk strings already are byte strings, V8 joins the pieces as ropes, and the transport
// writes the whole batch with one latin1 conversion (a copy, no per-reply buffers).

import { textToBytes } from "../bytes.js";
import { formatDouble } from "../encoding/double-text.js";
import { DoubleReply, ErrorReply, MapReply, NO_REPLY, NULL_ARRAY, OK, SetReply, Status, VerbatimReply, type Reply } from "../reply.js";

const CRLF = "\r\n";
const NEWLINES = /[\r\n]/g;

/** An error reply's line: its text as UTF-8 bytes, with no CR or LF (as Redis ensures). */
export function encodeError(message: string): string {
  return `-${textToBytes(message).replace(NEWLINES, " ")}\r\n`;
}

// formatDouble lives in the base layer, where sorted-set commands reach it too.
export { formatDouble };

function encodeItems(items: Reply[], resp: 2 | 3): string {
  let out = "";
  for (let i = 0; i < items.length; i++) out += encodeReply(items[i]!, resp);
  return out;
}

/** One reply in the connection's protocol version. */
export function encodeReply(r: Reply, resp: 2 | 3): string {
  if (typeof r === "string") return `$${r.length}\r\n${r}\r\n`;
  if (r === OK) return "+OK\r\n";
  if (typeof r === "number") return `:${Number.isInteger(r) ? r : Math.trunc(r)}\r\n`;
  if (r === null) return resp === 3 ? "_\r\n" : "$-1\r\n";
  if (Array.isArray(r)) return `*${r.length}\r\n${encodeItems(r, resp)}`;
  if (r instanceof Status) return `+${r.value}\r\n`;
  if (r instanceof ErrorReply) return encodeError(r.message);
  if (typeof r === "bigint") return `:${r}\r\n`;
  if (r instanceof MapReply) {
    return resp === 3 ? `%${r.flat.length >> 1}\r\n${encodeItems(r.flat, 3)}` : `*${r.flat.length}\r\n${encodeItems(r.flat, 2)}`;
  }
  if (r instanceof SetReply) return `${resp === 3 ? "~" : "*"}${r.items.length}\r\n${encodeItems(r.items, resp)}`;
  if (r instanceof DoubleReply) {
    const s = formatDouble(r.value);
    return resp === 3 ? `,${s}\r\n` : `$${s.length}\r\n${s}\r\n`;
  }
  if (r instanceof VerbatimReply) {
    return resp === 3 ? `=${r.text.length + 4}\r\n${r.format}:${r.text}\r\n` : `$${r.text.length}\r\n${r.text}\r\n`;
  }
  if (r === NULL_ARRAY) return resp === 3 ? "_\r\n" : "*-1\r\n";
  if (r === NO_REPLY) return "";
  return `-ERR internal error: unknown reply type${CRLF}`;
}

/**
 * An out-of-band message (pub/sub, keyspace notifications): a RESP3 push (`>`), or in RESP2
 * the plain array Redis sends to a subscribed connection.
 */
export function encodePush(items: Reply[], resp: 2 | 3): string {
  return `${resp === 3 ? ">" : "*"}${items.length}\r\n${encodeItems(items, resp)}`;
}
