// DUMP, RESTORE (cluster.c), MOVE (db.c) and WAIT. The payload format is in
// server/persistence/rdb/; RESTORE checks its arguments in Redis's order, so a command with
// several problems fails with the error Redis would give.
import type { migrationCommands } from "../../shared/commands/migration.js";
import { int64Arg, isOption, toInt64 } from "../args.js";
import { bytesToBuffer } from "../bytes.js";
import type { Implementations } from "../command-impl.js";
import { CommandError, DB_INDEX_OUT_OF_RANGE, NOT_INTEGER, syntaxError } from "../errors.js";
import { encodingLimits } from "../keyspace/encoding-settings.js";
import { dumpPayload, loadPayload, verifyPayload } from "../persistence/rdb/payload.js";
import { OK } from "../reply.js";

const BUSYKEY = "BUSYKEY Target key name already exists.";
const BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong";
const BAD_DATA = "ERR Bad data format";
const INT64_MAX = 2n ** 63n - 1n;

export const migration: Implementations<typeof migrationCommands> = {
  dump(ctx, argv) {
    const v = ctx.db.lookup(argv[1]!);
    if (v === undefined) return null;
    const payload = dumpPayload(v, encodingLimits(ctx.server));
    if (payload === null) throw new CommandError(`ERR DUMP of this type of value is not supported by keycast`);
    return payload;
  },

  restore(ctx, argv) {
    let replace = false;
    let absttl = false;
    let idle = -1;
    let freq = -1;
    for (let j = 4; j < argv.length; j++) {
      const opt = argv[j]!;
      const more = argv.length - j - 1;
      if (isOption(opt, "REPLACE")) replace = true;
      else if (isOption(opt, "ABSTTL")) absttl = true;
      else if (isOption(opt, "IDLETIME") && more >= 1 && freq === -1) {
        const v = int64Arg(argv[++j]!);
        if (v < 0) throw new CommandError("ERR Invalid IDLETIME value, must be >= 0");
        idle = Number(v);
      } else if (isOption(opt, "FREQ") && more >= 1 && idle === -1) {
        const v = int64Arg(argv[++j]!);
        if (v < 0 || v > 255) throw new CommandError("ERR Invalid FREQ value, must be >= 0 and <= 255");
        freq = Number(v);
      } else syntaxError();
    }
    const db = ctx.db;
    const key = argv[1]!;
    if (!replace && db.exists(key)) throw new CommandError(BUSYKEY);
    const ttlRaw = toInt64(argv[2]!);
    if (ttlRaw === null) throw new CommandError(NOT_INTEGER);
    if (ttlRaw < 0) throw new CommandError("ERR Invalid TTL value, must be >= 0");
    const payload = bytesToBuffer(argv[3]!);
    if (!verifyPayload(payload)) throw new CommandError(BAD_PAYLOAD);
    const value = loadPayload(payload);
    if (value === null) throw new CommandError(BAD_DATA);
    const deleted = replace && db.delete(key);
    let at = 0;
    if (ttlRaw !== 0) {
      // A relative TTL past int64 wraps in Redis's C arithmetic; clamp instead (far future either way).
      const sum = absttl ? BigInt(ttlRaw) : BigInt(ttlRaw) + BigInt(ctx.now);
      at = Number(sum > INT64_MAX ? INT64_MAX : sum);
      if (at <= ctx.now) {
        if (deleted) ctx.notify("del", key);
        return OK;
      }
    }
    db.set(key, value);
    if (at !== 0) db.setDeadline(key, at);
    const memory = ctx.server.memory;
    if (memory !== null && (idle >= 0 || freq >= 0)) memory.restoreClock(db.index, key, idle, freq);
    ctx.notify("restore", key);
    return OK;
  },

  move(ctx, argv) {
    const src = ctx.db;
    const keyspace = ctx.server.keyspace;
    const raw = toInt64(argv[2]!);
    // getIntFromObjectOrReply's errors, then the range check.
    if (raw === null) throw new CommandError(NOT_INTEGER);
    if (typeof raw !== "number" || raw < -2147483648 || raw > 2147483647) {
      throw new CommandError("ERR value is out of range, value must between -2147483648 and 2147483647");
    }
    if (raw < 0 || raw >= keyspace.dbs.length) throw new CommandError(DB_INDEX_OUT_OF_RANGE);
    const dst = keyspace.dbs[raw]!;
    if (dst === src) throw new CommandError("ERR source and destination objects are the same");
    const key = argv[1]!;
    const value = src.lookup(key);
    if (value === undefined) return 0;
    if (dst.exists(key)) return 0;
    const at = src.deadline(key);
    dst.set(key, value);
    if (at !== undefined) dst.setDeadline(key, at);
    src.delete(key);
    ctx.notify("move_from", key);
    keyspace.notify(dst.index, "move_to", key);
    return 1;
  },

  wait(_ctx, argv) {
    int64Arg(argv[1]!);
    const timeout = int64Arg(argv[2]!, "ERR timeout is not an integer or out of range");
    if (timeout < 0) throw new CommandError("ERR timeout is negative");
    // No replicas: every requested count is unreachable, and none are connected to wait for.
    return 0;
  },
};
