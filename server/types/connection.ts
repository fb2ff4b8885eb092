// Connection commands.
import type { connectionCommands } from "../../shared/commands/connection.js";
import { toInt64 } from "../args.js";
import type { Implementations } from "../dispatch.js";
import { CommandError, DB_INDEX_OUT_OF_RANGE, NOT_INTEGER } from "../errors.js";
import { DATABASES } from "../keyspace/keyspace.js";
import { OK, PONG } from "../reply.js";

export const connection: Implementations<typeof connectionCommands> = {
  ping(_ctx, argv) {
    return argv.length > 1 ? argv[1]! : PONG;
  },

  echo(_ctx, argv) {
    return argv[1]!;
  },

  select(ctx, argv) {
    const index = toInt64(argv[1]!);
    if (index === null) throw new CommandError(NOT_INTEGER);
    if (typeof index !== "number" || index < 0 || index >= DATABASES) throw new CommandError(DB_INDEX_OUT_OF_RANGE);
    ctx.session.db = index;
    return OK;
  },
};
