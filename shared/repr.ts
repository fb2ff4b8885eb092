// Redis's sdscatrepr (sds.c): how redis-cli quotes a bulk string and how MONITOR writes
// arguments. Printable ASCII as is, the usual escapes, any other byte as \xHH. Input is a
// byte string (one char per byte).

const ESCAPES: Record<number, string> = { 0x5c: "\\\\", 0x22: '\\"', 0x0a: "\\n", 0x0d: "\\r", 0x09: "\\t", 0x07: "\\a", 0x08: "\\b" };

export function repr(bytes: string): string {
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    const e = ESCAPES[c];
    if (e !== undefined) out += e;
    else out += c >= 0x20 && c <= 0x7e ? bytes[i] : `\\x${c < 16 ? "0" : ""}${c.toString(16)}`;
  }
  return `${out}"`;
}
