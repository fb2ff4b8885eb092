// Hashes commands (redis.io/commands/?group=hash).
import { command } from "../command.js";

export const hashCommands = {
} as const;
