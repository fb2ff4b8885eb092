// Server commands (redis.io/commands/?group=server).
import { command } from "../command.js";

export const serverCommands = {
} as const;
