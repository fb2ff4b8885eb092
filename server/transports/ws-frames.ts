// What a WebSocket frame's commands are made of: each argument turned into a byte string (the
// keyspace's one representation), a command's error when it is malformed, and the state of a
// large batch that runs in slices. Used by the connection (websocket.ts).

import { bufferToBytes, textToBytes } from "../bytes.js";
import { ErrorReply, type Reply } from "../reply.js";

/** A frame that cannot be run: answered with an error frame, and counted against the connection. */
export class BadFrame extends Error {
  constructor(
    message: string,
    readonly id: number | null = null,
  ) {
    super(message);
  }
}

/** One argument as a byte string: text as its UTF-8 bytes, binary as is, numbers as their digits. */
export function toArg(a: unknown): string | null {
  if (typeof a === "string") return textToBytes(a);
  if (a instanceof Uint8Array) return bufferToBytes(a);
  if (typeof a === "number" && Number.isFinite(a)) return String(a);
  if (typeof a === "bigint") return a.toString();
  return null;
}

/** One command's words as byte strings, or the error it gets (the rest of the batch still runs). */
export function decodeCommand(c: unknown, i: number, maxBulk: number): string[] | ErrorReply {
  if (!Array.isArray(c) || c.length === 0) return new ErrorReply("ERR protocol error: a command must be a non-empty array of strings, bytes or numbers");
  const argv: string[] = new Array(c.length);
  for (let j = 0; j < c.length; j++) {
    const arg = toArg(c[j]);
    if (arg === null) return new ErrorReply(`ERR protocol error: argument ${j} of command ${i} is not a string, bytes or a number`);
    if (arg.length > maxBulk) return new ErrorReply(`ERR protocol error: argument ${j} of command ${i} is longer than proto-max-bulk-len (${maxBulk} bytes)`);
    argv[j] = arg;
  }
  return argv;
}

/** Could this command carry credentials (AUTH, HELLO ... AUTH)? Checked without decoding the batch. */
export function mayAuthenticate(c: unknown): boolean {
  if (!Array.isArray(c) || typeof c[0] !== "string" || c.length < 2) return false;
  const first = c[0].charCodeAt(0) | 0x20;
  return first === 0x61 || first === 0x68;
}

/**
 * A plain batch in progress: the commands as decoded from msgpack (each turned into byte
 * strings only when it runs, so a huge batch does not stall the server before its first
 * slice), the replies so far, where it stands.
 */
export interface BatchJob {
  readonly id: number;
  readonly raw: readonly unknown[];
  readonly maxBulk: number;
  readonly replies: Reply[];
  next: number;
  /** Indexes of commands that wait (BLPOP ...): answered by DEFERRED frames. */
  blocked?: number[];
  /** DEFERRED frames whose answer came before the batch's own reply went out. */
  early?: Buffer[];
}

/** Resolves after ms, or on the next turn of the event loop for 0. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => (ms <= 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));
}
