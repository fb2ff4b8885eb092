// Limits on what one client can cost, as settings (CONFIG GET/SET, start-up options), with
// Redis's names where Redis has the limit: maxclients, timeout. The others are keycast's.

import { defineSetting, SettingError, type Setting } from "../config.js";

function intSetting(name: string, defaultValue: number, min: number, max: number, help: string): Setting<number> {
  return defineSetting({
    name,
    defaultValue,
    help,
    parse(raw) {
      const n = Number(raw);
      if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new SettingError("argument couldn't be parsed into an integer");
      if (n < min || n > max) throw new SettingError(`argument must be between ${min} and ${max} inclusive`);
      return n;
    },
    format: String,
  });
}

/**
 * Connections over both transports together; past it a new one is told
 * "ERR max number of clients reached" and closed. Redis's default is 10,000; keycast's is
 * higher because a browser-facing server holds one connection per open tab.
 */
export const MAXCLIENTS = intSetting("maxclients", 20_000, 1, 2_147_483_647, "most connections over both transports together");
/** Connections from one remote address (loopback excepted: local processes and reverse proxies). 0 = no limit. */
export const MAXCLIENTS_PER_ADDRESS = intSetting("maxclients-per-address", 1_000, 0, 2_147_483_647, "most connections from one remote address, loopback excepted; 0 = no limit");
/** Seconds a client may stay idle before it is closed (0 = never); subscribers and watchers are exempt. */
export const TIMEOUT = intSetting("timeout", 0, 0, 2_147_483_647, "seconds before an idle client is closed (subscribers and watchers exempt); 0 = never");
/** Seconds a connection may stay unauthenticated when authentication is required. */
export const AUTH_TIMEOUT = intSetting("auth-timeout", 10, 1, 86_400, "seconds a connection may stay unauthenticated when authentication is required");
/** Commands per second per connection (token bucket); 0 = no limit. */
export const MAX_COMMANDS_PER_SECOND = intSetting("max-commands-per-second", 0, 0, 2_147_483_647, "commands per second per connection (token bucket; over it commands wait); 0 = no limit");
/** Commands a connection may send at once before the rate applies; 0 = one second's worth. */
export const MAX_COMMANDS_BURST = intSetting("max-commands-burst", 0, 0, 2_147_483_647, "commands a connection may send at once before the rate applies; 0 = one second's worth");
