// Lists commands (redis.io/commands/?group=list).
import { command } from "../command.js";

export const listCommands = {
} as const;
