// LCS (t_string.c lcsCommand): the classic dynamic-programming table of LCS lengths, then a
// walk back from its corner that collects the common subsequence and, for IDX, the ranges
// where both strings match contiguously (last match first, as Redis emits them). SUBSTR is
// GETRANGE's old name.
import type { lcsCommands } from "../../shared/commands/lcs.js";
import { int64Arg, isOption } from "../args.js";
import { configOf, PROTO_MAX_BULK_LEN } from "../config.js";
import type { Implementations } from "../command-impl.js";
import { CommandError, syntaxError } from "../errors.js";
import { MapReply, type Reply } from "../reply.js";
import { strings } from "./strings.js";

export const lcs: Implementations<typeof lcsCommands> = {
  lcs(ctx, argv) {
    const db = ctx.db;
    const va = db.lookup(argv[1]!);
    const vb = db.lookup(argv[2]!);
    if ((va !== undefined && typeof va !== "string") || (vb !== undefined && typeof vb !== "string")) {
      throw new CommandError("ERR The specified keys must contain string values");
    }
    const a = va ?? "";
    const b = vb ?? "";
    let getIdx = false;
    let getLen = false;
    let withMatchLen = false;
    let minMatchLen = 0;
    for (let j = 3; j < argv.length; j++) {
      const opt = argv[j]!;
      if (isOption(opt, "IDX")) getIdx = true;
      else if (isOption(opt, "LEN")) getLen = true;
      else if (isOption(opt, "WITHMATCHLEN")) withMatchLen = true;
      else if (isOption(opt, "MINMATCHLEN") && j + 1 < argv.length) {
        const v = int64Arg(argv[++j]!);
        minMatchLen = v < 0 ? 0 : Number(v);
      } else syntaxError();
    }
    if (getIdx && getLen) throw new CommandError("ERR If you want both the length and indexes, please just use IDX.");
    const alen = a.length;
    const blen = b.length;
    const cells = (alen + 1) * (blen + 1);
    if (cells * 4 > configOf(ctx.server).get(PROTO_MAX_BULK_LEN)) {
      throw new CommandError("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    }
    const w = blen + 1;
    const dp = new Uint32Array(cells);
    for (let i = 1; i <= alen; i++) {
      const ca = a.charCodeAt(i - 1);
      const row = i * w;
      const prev = row - w;
      for (let j = 1; j <= blen; j++) {
        if (ca === b.charCodeAt(j - 1)) dp[row + j] = dp[prev + j - 1]! + 1;
        else {
          const up = dp[prev + j]!;
          const left = dp[row + j - 1]!;
          dp[row + j] = up > left ? up : left;
        }
      }
    }
    const total = dp[alen * w + blen]!;
    if (getLen) return total;
    const chars: number[] = new Array(total);
    const matches: Reply[] = [];
    let idx = total;
    let i = alen;
    let j = blen;
    let aStart = alen; // alen: no range open
    let aEnd = 0;
    let bStart = 0;
    let bEnd = 0;
    while (i > 0 && j > 0) {
      let emit = false;
      if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
        chars[idx - 1] = a.charCodeAt(i - 1);
        if (aStart === alen) {
          aStart = aEnd = i - 1;
          bStart = bEnd = j - 1;
        } else if (aStart === i && bStart === j) {
          aStart--;
          bStart--;
        } else emit = true;
        if (aStart === 0 || bStart === 0) emit = true;
        idx--;
        i--;
        j--;
      } else {
        if (dp[(i - 1) * w + j]! > dp[i * w + j - 1]!) i--;
        else j--;
        if (aStart !== alen) emit = true;
      }
      if (emit) {
        const len = aEnd - aStart + 1;
        if (getIdx && (minMatchLen === 0 || len >= minMatchLen)) {
          const m: Reply[] = [
            [aStart, aEnd],
            [bStart, bEnd],
          ];
          if (withMatchLen) m.push(len);
          matches.push(m);
        }
        aStart = alen;
      }
    }
    if (getIdx) return new MapReply(["matches", matches, "len", total]);
    return latin1(chars);
  },

  substr: (ctx, argv) => strings.getrange(ctx, argv),
};

function latin1(codes: number[]): string {
  return Buffer.from(codes).toString("latin1");
}
