// Keys and values as the server holds them: bytes. The page reads everything through the
// client's bytes view, so a binary key survives the round trip (SCAN, then TYPE on the same
// bytes); these helpers turn bytes into a Map key, into something readable, and into
// redis-cli's quoted form.

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const utf8 = new TextEncoder();

/** A byte array as a JS string of one char per byte: cheap, exact, usable as a Map key. */
export function byteString(u8) {
  if (typeof u8 === "string") return u8;
  let s = "";
  for (let i = 0; i < u8.length; i += 4096) s += String.fromCharCode.apply(null, u8.subarray(i, i + 4096));
  return s;
}

export function fromByteString(s) {
  const u8 = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) u8[i] = s.charCodeAt(i);
  return u8;
}

export function textBytes(s) {
  return utf8.encode(s);
}

/** redis-cli's quoting of a bulk string: C escapes, and \xHH for any byte that is not printable ASCII. */
export function quote(u8) {
  let out = '"';
  for (let i = 0; i < u8.length; i++) {
    const c = u8[i];
    if (c === 0x5c) out += "\\\\";
    else if (c === 0x22) out += '\\"';
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x07) out += "\\a";
    else if (c === 0x08) out += "\\b";
    else if (c >= 0x20 && c <= 0x7e) out += String.fromCharCode(c);
    else out += "\\x" + (c < 16 ? "0" : "") + c.toString(16);
  }
  return out + '"';
}

// Control characters would break a table cell's line; text with them is shown quoted.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** For people: UTF-8 text as itself, anything else (binary, control bytes) quoted like redis-cli. */
export function readable(u8) {
  if (u8 === null || u8 === undefined) return "(nil)";
  if (typeof u8 === "number" || typeof u8 === "bigint") return String(u8);
  let text;
  try {
    text = strictUtf8.decode(u8);
  } catch {
    return quote(u8);
  }
  return CONTROL.test(text) ? quote(u8) : text;
}

/** At most `max` characters of `s`, with an ellipsis when cut. */
export function clip(s, max) {
  return s.length <= max ? s : s.slice(0, max - 1) + "…";
}
