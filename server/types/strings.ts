// String commands: t_string.c's family. Values are byte strings (see server/bytes.ts).
import type { stringCommands } from "../../shared/commands/strings.js";
import { intArg, isOption } from "../args.js";
import type { Context } from "../context.js";
import type { Implementations } from "../dispatch.js";
import { CommandError, INVALID_EXPIRE, SYNTAX } from "../errors.js";
import { OK } from "../reply.js";

const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const EX = 16;
const PX = 32;
const EXAT = 64;
const PXAT = 128;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;

/** Largest deadline Redis accepts (ms); beyond it the expire time is "invalid". */
const MAX_DEADLINE = Number.MAX_SAFE_INTEGER;

/** Turns EX/PX/EXAT/PXAT and its argument into an absolute deadline in ms. */
export function deadlineFrom(ctx: Context, unit: number, raw: string, cmd: string): number {
  const n = intArg(raw);
  if (n <= 0) throw new CommandError(INVALID_EXPIRE(cmd));
  let at: number;
  if (unit === EX) at = ctx.now + n * 1000;
  else if (unit === PX) at = ctx.now + n;
  else if (unit === EXAT) at = n * 1000;
  else at = n;
  if (!Number.isSafeInteger(at) || at > MAX_DEADLINE) throw new CommandError(INVALID_EXPIRE(cmd));
  return at;
}

export const strings: Implementations<typeof stringCommands> = {
  get(ctx, argv) {
    return ctx.db.lookupString(argv[1]!) ?? null;
  },

  set(ctx, argv) {
    const key = argv[1]!;
    const value = argv[2]!;
    let flags = 0;
    let expireRaw = "";
    for (let i = 3; i < argv.length; i++) {
      const opt = argv[i]!.toUpperCase();
      const next = i + 1 < argv.length;
      let flag: number;
      if (opt === "NX") flag = NX;
      else if (opt === "XX") flag = XX;
      else if (opt === "GET") flag = GET;
      else if (opt === "KEEPTTL") flag = KEEPTTL;
      else if (opt === "EX" && next) flag = EX;
      else if (opt === "PX" && next) flag = PX;
      else if (opt === "EXAT" && next) flag = EXAT;
      else if (opt === "PXAT" && next) flag = PXAT;
      else throw new CommandError(SYNTAX);
      const conflict =
        (flag === NX && flags & XX) ||
        (flag === XX && flags & NX) ||
        (flag === KEEPTTL && flags & ANY_EXPIRE) ||
        (flag & ANY_EXPIRE && flags & (ANY_EXPIRE | KEEPTTL));
      if (conflict || flags & flag) throw new CommandError(SYNTAX);
      flags |= flag;
      if (flag & ANY_EXPIRE) expireRaw = argv[++i]!;
    }
    const db = ctx.db;
    const at = flags & ANY_EXPIRE ? deadlineFrom(ctx, flags & ANY_EXPIRE, expireRaw, "set") : 0;
    const old = flags & GET ? db.lookupString(key) : undefined;
    const found = flags & GET ? old !== undefined : db.exists(key);
    if ((flags & NX && found) || (flags & XX && !found)) return flags & GET ? (old ?? null) : null;
    db.set(key, value, (flags & KEEPTTL) !== 0);
    ctx.notify("set", key, value);
    if (at) {
      db.setDeadline(key, at);
      ctx.notify("expire", key);
    }
    return flags & GET ? (old ?? null) : OK;
  },
};
