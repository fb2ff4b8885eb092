// LZF, the compression Redis applies to strings longer than 20 bytes in RDB files and DUMP
// payloads (liblzf as configured in Redis's lzfP.h: HLOG 16, VERY_FAST). The compressor makes
// the same choices as Redis's, so a DUMP is byte for byte what Redis would send for the same
// value. One difference cannot be reproduced: Redis does not clear its hash table between
// calls (INIT_HTAB 0), so a stale slot can, rarely, offer it a match this one does not see;
// either output decompresses to the same bytes.
//
// Format: a literal run is a byte 000LLLLL followed by L+1 bytes; a back reference is
// LLLooooo oooooooo (length L+2, L < 7) or 111ooooo LLLLLLLL oooooooo (length L+9), copying
// from o+1 bytes back.

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/** Slot -> position + 1 of the last 3-byte sequence hashed there (0: empty). Reused: compression is synchronous. */
const table = new Int32Array(HSIZE);

function idx(h: number): number {
  // ((h >> (3*8 - HLOG)) - h*5) & (HSIZE - 1), in uint32 arithmetic.
  return ((h >>> (24 - HLOG)) - Math.imul(h, 5)) & (HSIZE - 1);
}

/**
 * Compresses input into out (which bounds the result: Redis offers len - 4 bytes). Returns the
 * compressed length, or 0 when it does not fit, as lzf_compress does.
 */
export function lzfCompress(input: Uint8Array, out: Uint8Array): number {
  const inLen = input.length;
  const outEnd = out.length;
  if (inLen === 0 || outEnd === 0) return 0;
  table.fill(0);
  let ip = 0;
  let op = 1; // the literal run's length byte goes at op - lit - 1
  let lit = 0;
  let hval = (input[0]! << 8) | input[1]!;
  while (ip < inLen - 2) {
    hval = ((hval << 8) | input[ip + 2]!) >>> 0;
    const slot = idx(hval);
    const ref = table[slot]! - 1;
    table[slot] = ip + 1;
    let off = ip - ref - 1;
    if (ref > 0 && off < MAX_OFF && off >= 0 && input[ref + 2] === input[ip + 2] && input[ref] === input[ip] && input[ref + 1] === input[ip + 1]) {
      let len = 2;
      let maxlen = inLen - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return 0;
      out[op - lit - 1] = lit - 1;
      if (lit === 0) op--;
      // liblzf first compares up to 16 bytes unrolled when maxlen > 16, then loops to maxlen:
      // the first loop may pass maxlen by two, which decides the length near the end.
      let stopped = false;
      if (maxlen > 16) {
        for (let k = 0; k < 16; k++) {
          len++;
          if (input[ref + len] !== input[ip + len]) {
            stopped = true;
            break;
          }
        }
      }
      if (!stopped) {
        do len++;
        while (len < maxlen && input[ref + len] === input[ip + len]);
      }
      len -= 2;
      ip++;
      if (len < 7) out[op++] = (off >> 8) + (len << 5);
      else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++;
      ip += len + 1;
      if (ip >= inLen - 2) break;
      // VERY_FAST: hash the last two positions of the match only.
      ip -= 2;
      hval = (input[ip]! << 8) | input[ip + 1]!;
      hval = ((hval << 8) | input[ip + 2]!) >>> 0;
      table[idx(hval)] = ip + 1;
      ip++;
      hval = ((hval << 8) | input[ip + 2]!) >>> 0;
      table[idx(hval)] = ip + 1;
      ip++;
      off = 0;
    } else {
      if (op >= outEnd) return 0;
      lit++;
      out[op++] = input[ip++]!;
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return 0;
  while (ip < inLen) {
    lit++;
    out[op++] = input[ip++]!;
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return op;
}

/** Decompresses exactly `outLen` bytes; null when the input is corrupt or the length is wrong. */
export function lzfDecompress(input: Uint8Array, outLen: number): Uint8Array | null {
  const out = new Uint8Array(outLen);
  let ip = 0;
  let op = 0;
  const inLen = input.length;
  while (ip < inLen) {
    const ctrl = input[ip++]!;
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > outLen || ip + n > inLen) return null;
      out.set(input.subarray(ip, ip + n), op);
      op += n;
      ip += n;
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= inLen) return null;
        len += input[ip++]!;
      }
      if (ip >= inLen) return null;
      const ref = op - ((ctrl & 0x1f) << 8) - 1 - input[ip++]!;
      len += 2;
      if (ref < 0 || op + len > outLen) return null;
      // Overlapping copies repeat the pattern: byte by byte on purpose.
      for (let k = 0; k < len; k++) out[op + k] = out[ref + k]!;
      op += len;
    }
  }
  return op === outLen ? out : null;
}
