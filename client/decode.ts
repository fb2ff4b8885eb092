// Turning decoded msgpack replies into what the caller asked for: text (the default) or
// bytes. On the wire, ASCII text is a msgpack str and anything else is bin.

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();

export type ReplyMode = "text" | "bytes";

export function toText(v: unknown): unknown {
  if (typeof v === "string" || typeof v === "number" || v === null) return v;
  if (v instanceof Uint8Array) return utf8Decoder.decode(v);
  if (Array.isArray(v)) return v.map(toText);
  if (v instanceof Map) {
    const entries: [string, unknown][] = [];
    for (const [k, val] of v) entries.push([String(toText(k)), toText(val)]);
    return Object.fromEntries(entries);
  }
  return v;
}

export function toBytes(v: unknown): unknown {
  if (typeof v === "string") return utf8Encoder.encode(v);
  if (typeof v === "number" || v === null) return v;
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map(toBytes);
  if (v instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, val] of v) out.set(toBytes(k), toBytes(val));
    return out;
  }
  return v;
}

export function decodeReply(v: unknown, mode: ReplyMode): unknown {
  return mode === "text" ? toText(v) : toBytes(v);
}
