// Generic keyspace commands: db.c and expire.c's family.
import type { keyCommands } from "../../shared/commands/keys.js";
import type { Implementations } from "../dispatch.js";

export const keys: Implementations<typeof keyCommands> = {
  del(ctx, argv) {
    const db = ctx.db;
    let n = 0;
    for (let i = 1; i < argv.length; i++) {
      if (db.delete(argv[i]!)) {
        n++;
        ctx.notify("del", argv[i]!);
      }
    }
    return n;
  },

  exists(ctx, argv) {
    const db = ctx.db;
    let n = 0;
    for (let i = 1; i < argv.length; i++) if (db.exists(argv[i]!)) n++;
    return n;
  },
};
