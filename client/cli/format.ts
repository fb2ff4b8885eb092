// Replies printed exactly as redis-cli 7 prints them (cliFormatReplyTTY, cliFormatReplyRaw), in
// RESP2 shapes: a map is printed as its flat array, as redis-cli shows HGETALL by default.
// Output is built as a byte string (one char per byte) and written as latin1, so that raw
// output gives back a value's exact bytes.

import { repr } from "../../shared/repr.js";

/** A simple-string reply (+OK), which the WebSocket protocol does not tell apart from a bulk string. */
export class StatusText {
  /** `bytes`: a byte string. */
  constructor(readonly bytes: string) {}
}

/** An error reply, with Redis's text ("ERR ...", "WRONGTYPE ..."). */
export class ErrorText {
  /** `bytes`: a byte string. */
  constructor(readonly bytes: string) {}
}

/** A reply as the CLI holds it: the client's bytes view, plus the two kinds above. */
export type CliReply = Uint8Array | number | bigint | null | StatusText | ErrorText | CliReply[] | Map<CliReply, CliReply>;

/** A JS string holding text, as a byte string of its UTF-8 encoding. */
export function textToBytes(s: string): string {
  // Plain ASCII is already its own byte string: skip the round trip.
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return Buffer.from(s, "utf8").toString("latin1");
  }
  return s;
}

export function u8ToBytes(u: Uint8Array): string {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString("latin1");
}

export { repr };

/** A number the server sent as a float: a RESP2 client sees a double as a bulk string. */
function doubleText(n: number): string {
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  return String(n);
}

function flatten(m: Map<CliReply, CliReply>): CliReply[] {
  const out: CliReply[] = [];
  for (const [k, v] of m) out.push(k, v);
  return out;
}

/** The human-readable form (redis-cli on a terminal, or with --no-raw). */
export function formatTTY(r: CliReply, prefix = ""): string {
  if (r instanceof Uint8Array) return `${repr(u8ToBytes(r))}\n`;
  if (r === null) return "(nil)\n";
  if (typeof r === "bigint") return `(integer) ${r}\n`;
  if (typeof r === "number") return Number.isInteger(r) ? `(integer) ${r}\n` : `${repr(doubleText(r))}\n`;
  if (r instanceof StatusText) return `${r.bytes}\n`;
  if (r instanceof ErrorText) return `(error) ${r.bytes}\n`;
  const items = r instanceof Map ? flatten(r) : r;
  if (items.length === 0) return "(empty array)\n";
  const width = String(items.length).length;
  const inner = prefix + " ".repeat(width + 2);
  let out = "";
  for (let i = 0; i < items.length; i++) {
    // The first line's prefix is already written by the caller, beside its own index.
    out += `${i === 0 ? "" : prefix}${String(i + 1).padStart(width)}) ${formatTTY(items[i]!, inner)}`;
  }
  return out;
}

/** The raw form (redis-cli when stdout is not a terminal, or with --raw): bytes as they are, no type hints. */
export function formatRaw(r: CliReply, itemDelimiter = "\n"): string {
  if (r instanceof Uint8Array) return u8ToBytes(r);
  if (r === null) return "";
  if (typeof r === "bigint") return String(r);
  if (typeof r === "number") return Number.isInteger(r) ? String(r) : doubleText(r);
  if (r instanceof StatusText) return r.bytes;
  if (r instanceof ErrorText) return `${r.bytes}\n`;
  const items = r instanceof Map ? flatten(r) : r;
  let out = "";
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += itemDelimiter;
    out += formatRaw(items[i]!, itemDelimiter);
  }
  return out;
}

/** One value on one line, for streamed events: strings quoted like redis-cli, so any byte stays visible and a line stays a line. */
export function formatInline(r: unknown): string {
  if (r instanceof Uint8Array) return repr(u8ToBytes(r));
  if (typeof r === "string") return repr(textToBytes(r));
  if (r === null || r === undefined) return "(nil)";
  if (typeof r === "number") return Number.isInteger(r) ? String(r) : repr(doubleText(r));
  if (typeof r === "bigint") return String(r);
  if (Array.isArray(r)) return `[${r.map(formatInline).join(", ")}]`;
  if (r instanceof Map) {
    const parts: string[] = [];
    for (const [k, v] of r) parts.push(`${formatInline(k)}: ${formatInline(v)}`);
    return `{${parts.join(", ")}}`;
  }
  return repr(textToBytes(String(r)));
}
