// Redis's error texts, word for word: clients and tests match on them.

/** Thrown by a command implementation; the dispatcher turns it into an error reply. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
  }
}

export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
export const SYNTAX = "ERR syntax error";
export const NOT_INTEGER = "ERR value is not an integer or out of range";
export const NOT_FLOAT = "ERR value is not a valid float";
export const OVERFLOW = "ERR increment or decrement would overflow";
export const NO_SUCH_KEY = "ERR no such key";
export const INDEX_OUT_OF_RANGE = "ERR index out of range";
export const DB_INDEX_OUT_OF_RANGE = "ERR DB index is out of range";
export const NOT_POSITIVE = "ERR value is out of range, must be positive";
export const INVALID_EXPIRE = (cmd: string) => `ERR invalid expire time in '${cmd}' command`;
export const ARITY = (cmd: string) => `ERR wrong number of arguments for '${cmd}' command`;

export function wrongType(): never {
  throw new CommandError(WRONGTYPE);
}
export function syntaxError(): never {
  throw new CommandError(SYNTAX);
}
export function fail(message: string): never {
  throw new CommandError(message);
}

/** EXEC's (and an atomic batch's) answer when a command was refused while queueing. */
export const EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
