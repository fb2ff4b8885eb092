// Replies as the dispatcher returns them, independent of the transport that encodes them.
// Plain JS values carry the common cases so that the hot path allocates nothing extra:
//   string        a bulk string, holding bytes as a latin1 "byte string" (one char per byte)
//   number/bigint an integer
//   null          a null bulk string (RESP2 `$-1`, RESP3 `_`)
//   Reply[]       an array
// Everything else is a small class, so transports can tell the kinds apart.

import type { Context } from "./context.js";

/** A simple status reply such as +OK. */
export class Status {
  constructor(readonly value: string) {}
}

/** An error reply. `message` starts with the error code, e.g. "ERR syntax error". */
export class ErrorReply {
  constructor(readonly message: string) {}
}

/** A map: RESP3 `%`, a flat array in RESP2, a msgpack map on WebSocket. */
export class MapReply {
  constructor(readonly flat: Reply[]) {}
}

/** A set: RESP3 `~`, an array in RESP2 and on WebSocket. */
export class SetReply {
  constructor(readonly items: Reply[]) {}
}

/** A double: RESP3 `,`, a bulk string in RESP2, a float on WebSocket. */
export class DoubleReply {
  constructor(readonly value: number) {}
}

/** Text that RESP3 sends as a verbatim string (INFO, CLIENT INFO). */
export class VerbatimReply {
  constructor(readonly text: string, readonly format = "txt") {}
}

/** The null array of RESP2 (`*-1`): EXEC after a failed WATCH, for one. */
export const NULL_ARRAY: unique symbol = Symbol("null-array");

/** A command that answered through pushes of its own (SUBSCRIBE): nothing more to send. */
export const NO_REPLY: unique symbol = Symbol("no-reply");

/**
 * What a blocking command (BLPOP, BZPOPMIN, XREAD BLOCK ...) answers when it has nothing to
 * take yet: a request to wait, not a reply. Only a transport's top-level command may get one
 * (server/blocking: `mayBlock`); the transport hands it to the Blocking service and answers
 * later, when `attempt` succeeds for one of the keys or the deadline passes.
 */
export class BlockReply {
  constructor(
    /** The database the keys are in (the client's when it blocked). */
    readonly db: number,
    /** The keys waited on, in the order the command named them. */
    readonly keys: readonly string[],
    /** When to give up, ms since 1970; Infinity to wait for ever (timeout 0). */
    readonly deadline: number,
    /** The reply at the deadline (a null array for BLPOP, a null bulk for BLMOVE ...). */
    readonly timeoutReply: Reply,
    /**
     * Takes from `key` for this client as the command would: its reply, or undefined when there
     * is still nothing to take (empty, missing, or now another type: Redis 7.0 keeps waiting).
     * Runs with the blocked client's context, the database it blocked in selected.
     */
    readonly attempt: (ctx: Context, key: string) => Reply | undefined,
    /** The command the append-only log records for a served attempt (BLPOP served from k: LPOP k). */
    readonly logged: (key: string) => string[],
  ) {}
}

export type Reply =
  | string
  | number
  | bigint
  | null
  | Status
  | ErrorReply
  | MapReply
  | SetReply
  | DoubleReply
  | VerbatimReply
  | typeof NULL_ARRAY
  | typeof NO_REPLY
  | BlockReply
  | Reply[];

export const OK = new Status("OK");
export const PONG = new Status("PONG");
export const QUEUED = new Status("QUEUED");
