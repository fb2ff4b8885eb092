// The timeout of a blocking command, read as Redis 7.0's getTimeoutFromObjectOrReply reads
// seconds: a long double (decimals, exponents, hex), times 1000, rounded up to whole ms; an
// infinity or a value past the int64 range casts to a negative number there, so it is refused
// as negative; 0 waits for ever.

import { CommandError } from "../errors.js";
import { parseLongDouble } from "./numbers.js";

const NOT_A_FLOAT = "ERR timeout is not a float or out of range";
const NEGATIVE = "ERR timeout is negative";

/** The deadline in ms since 1970 for a timeout in seconds given at `now`; Infinity for 0. */
export function deadlineArg(raw: string, now: number): number {
  const p = parseLongDouble(raw);
  if (p === null) throw new CommandError(NOT_A_FLOAT);
  if (p === "inf") throw new CommandError(NEGATIVE);
  const ms = Math.ceil(Number(p.m) * 2 ** p.e * 1000);
  if (!(ms < 2 ** 63) || ms < 0) throw new CommandError(NEGATIVE);
  // ceil(-0.0001 * 1000) is -0: no wait limit, as in Redis.
  return ms === 0 ? Infinity : now + ms;
}
