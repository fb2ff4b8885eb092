// Redis's glob matcher (util.c stringmatchlen), rule for rule, on byte strings
// (latin1 strings: one char per byte). KEYS, SCAN MATCH, watch patterns and ACL key
// patterns all match through here, so they agree with Redis and with each other.

const STAR = 42; // *
const QUESTION = 63; // ?
const OPEN = 91; // [
const CLOSE = 93; // ]
const BACKSLASH = 92; // \
const CARET = 94; // ^
const DASH = 45; // -

/** Redis gives up on patterns nested deeper than this (too many stars), answering "no match". */
const MAX_NESTING = 1000;

/** A byte (0..255) as C's signed char sees it (-128..127). */
function signedByte(b: number): number {
  return (b << 24) >> 24;
}

interface SkipFlag {
  skip: boolean;
}

function matchFrom(p: string, pi: number, s: string, si: number, flag: SkipFlag, nesting: number): boolean {
  if (nesting > MAX_NESTING) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const c = p.charCodeAt(pi);
    switch (c) {
      case STAR: {
        while (pi + 1 < plen && p.charCodeAt(pi + 1) === STAR) pi++;
        if (pi + 1 === plen) return true;
        while (si < slen) {
          if (matchFrom(p, pi + 1, s, si, flag, nesting + 1)) return true;
          if (flag.skip) return false;
          si++;
        }
        flag.skip = true;
        return false;
      }
      case QUESTION:
        si++;
        break;
      case OPEN: {
        pi++;
        const not = pi < plen && p.charCodeAt(pi) === CARET;
        if (not) pi++;
        let match = false;
        const sc = s.charCodeAt(si);
        for (;;) {
          if (pi < plen - 1 && p.charCodeAt(pi) === BACKSLASH) {
            pi++;
            if (p.charCodeAt(pi) === sc) match = true;
          } else if (pi < plen && p.charCodeAt(pi) === CLOSE) {
            break;
          } else if (pi >= plen) {
            // An unclosed "[" ends the pattern: step back so the outer loop ends on it.
            pi--;
            break;
          } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === DASH) {
            // Redis compares `char`s, which are signed on the platforms it runs on: a byte of
            // 0x80 or more sorts below 0x00, so [a-\xff] holds \x00..a and \xff, not b..\xfe.
            let start = signedByte(p.charCodeAt(pi));
            let end = signedByte(p.charCodeAt(pi + 2));
            if (start > end) {
              const t = start;
              start = end;
              end = t;
            }
            pi += 2;
            const c = signedByte(sc);
            if (c >= start && c <= end) match = true;
          } else if (p.charCodeAt(pi) === sc) {
            match = true;
          }
          pi++;
        }
        if (not) match = !match;
        if (!match) return false;
        si++;
        break;
      }
      case BACKSLASH:
        if (pi + 1 < plen) pi++;
        if (p.charCodeAt(pi) !== s.charCodeAt(si)) return false;
        si++;
        break;
      default:
        if (c !== s.charCodeAt(si)) return false;
        si++;
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === STAR) pi++;
      break;
    }
  }
  return pi >= plen && si === slen;
}

/** True when `subject` matches the Redis glob `pattern` (both byte strings). */
export function globMatch(pattern: string, subject: string): boolean {
  return matchFrom(pattern, 0, subject, 0, { skip: false }, 0);
}

/** True when the pattern has no special characters, so it matches only itself. */
export function isLiteralPattern(pattern: string): boolean {
  return !/[*?[\\]/.test(pattern);
}

/**
 * A matcher for one pattern, with fast paths for the shapes watchers use most
 * ("*", "prefix*", exact keys); anything else goes through globMatch.
 */
export function compileGlob(pattern: string): (subject: string) => boolean {
  if (pattern === "*") return () => true;
  if (isLiteralPattern(pattern)) return (s) => s === pattern;
  const body = pattern.slice(0, -1);
  if (pattern.endsWith("*") && isLiteralPattern(body)) return (s) => s.startsWith(body);
  return (s) => globMatch(pattern, s);
}
