// Redis's sdssplitargs (sds.c): how redis-cli splits a typed line, how the Redis port splits an
// inline command, and how redis.conf lines are read. One implementation for all three. Works on
// byte strings (one char per byte), so "\xff" yields the byte 0xff, not a UTF-8 sequence.

function isSpace(c: number): boolean {
  // C's isspace: space, \t \n \v \f \r.
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" };

/**
 * The words of a line, or null when its quoting is broken (an unterminated quote, or a closing
 * quote followed by something other than a space): redis-cli then says "Invalid argument(s)".
 */
export function splitArgs(line: string): string[] | null {
  // redis-cli reads lines as C strings: a NUL byte ends the line.
  const nul = line.indexOf("\0");
  if (nul >= 0) line = line.slice(0, nul);
  const out: string[] = [];
  const n = line.length;
  let p = 0;
  for (;;) {
    while (p < n && isSpace(line.charCodeAt(p))) p++;
    if (p >= n) return out;
    let inDouble = false;
    let inSingle = false;
    let current = "";
    for (;;) {
      const c = p < n ? line[p]! : "";
      if (inDouble) {
        if (c === "\\" && line[p + 1] === "x" && hexValue(line.charCodeAt(p + 2)) >= 0 && hexValue(line.charCodeAt(p + 3)) >= 0) {
          current += String.fromCharCode(hexValue(line.charCodeAt(p + 2)) * 16 + hexValue(line.charCodeAt(p + 3)));
          p += 4;
          continue;
        }
        if (c === "\\" && p + 1 < n) {
          const e = line[p + 1]!;
          current += ESCAPES[e] ?? e;
          p += 2;
          continue;
        }
        if (c === '"') {
          if (p + 1 < n && !isSpace(line.charCodeAt(p + 1))) return null;
          p++;
          break;
        }
        if (c === "") return null;
        current += c;
        p++;
      } else if (inSingle) {
        if (c === "\\" && line[p + 1] === "'") {
          current += "'";
          p += 2;
          continue;
        }
        if (c === "'") {
          if (p + 1 < n && !isSpace(line.charCodeAt(p + 1))) return null;
          p++;
          break;
        }
        if (c === "") return null;
        current += c;
        p++;
      } else {
        // Unquoted words end at these (not at \v or \f, exactly as sdssplitargs).
        if (c === "" || c === " " || c === "\n" || c === "\r" || c === "\t") break;
        if (c === '"') inDouble = true;
        else if (c === "'") inSingle = true;
        else current += c;
        p++;
      }
    }
    out.push(current);
  }
}
