// SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE and SHUTDOWN, with Redis's replies and errors.

import type { serverCommands } from "../../shared/commands/server.js";
import { isOption } from "../args.js";
import type { Implementations } from "../command-impl.js";
import { CommandError, SYNTAX } from "../errors.js";
import { NO_REPLY, OK, Status } from "../reply.js";
import type { Persistence } from "./manager.js";
import type { Context } from "../context.js";

type Ops = Pick<typeof serverCommands, "save" | "bgsave" | "bgrewriteaof" | "lastsave" | "shutdown">;

function persistence(ctx: Context): Persistence {
  const p = ctx.server.persistence;
  if (p === null) throw new CommandError("ERR persistence is not available on this server");
  return p;
}

export const persistenceCommands: Implementations<Ops> = {
  save(ctx) {
    try {
      persistence(ctx).saveNow();
    } catch (e) {
      if (e instanceof CommandError) throw e;
      throw new CommandError(`ERR saving the snapshot failed: ${(e as Error).message}`);
    }
    return OK;
  },

  bgsave(ctx, argv) {
    let schedule = false;
    if (argv.length > 2) throw new CommandError(SYNTAX);
    if (argv.length === 2) {
      if (!isOption(argv[1]!, "SCHEDULE")) throw new CommandError(SYNTAX);
      schedule = true;
    }
    return new Status(persistence(ctx).requestBgsave(schedule));
  },

  bgrewriteaof(ctx) {
    return new Status(persistence(ctx).requestRewrite());
  },

  lastsave(ctx) {
    return Math.floor((ctx.server.persistence?.lastSaveAt ?? ctx.server.startedAt) / 1000);
  },

  shutdown(ctx, argv) {
    let mode: "default" | "save" | "nosave" = "default";
    let force = false;
    let abort = false;
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      if (isOption(a, "NOSAVE") || isOption(a, "SAVE")) {
        if (mode !== "default") throw new CommandError(SYNTAX);
        mode = isOption(a, "SAVE") ? "save" : "nosave";
      } else if (isOption(a, "NOW")) {
        // keycast never waits for replicas: NOW changes nothing.
      } else if (isOption(a, "FORCE")) force = true;
      else if (isOption(a, "ABORT")) abort = true;
      else throw new CommandError(SYNTAX);
    }
    if (abort) {
      if (argv.length > 2) throw new CommandError(SYNTAX);
      // A shutdown here never waits, so there is never one to abort.
      throw new CommandError("ERR No shutdown in progress.");
    }
    const state = ctx.server;
    if (state.stop === null) throw new CommandError("ERR this server cannot be shut down by a command");
    try {
      state.persistence?.shutdown(mode);
    } catch (e) {
      state.logger.error({ err: e }, "SHUTDOWN: the final save failed");
      if (!force) throw new CommandError("ERR Errors trying to SHUTDOWN. Check logs.");
    }
    state.logger.info({ by: ctx.session.addr, mode }, "SHUTDOWN requested");
    void state.stop("SHUTDOWN", true);
    // Redis closes the connection without a reply; a WebSocket batch still needs one.
    return ctx.session.transport === "resp" ? NO_REPLY : OK;
  },
};
