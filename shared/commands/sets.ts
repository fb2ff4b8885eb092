// Sets commands (redis.io/commands/?group=set).
import { command } from "../command.js";

export const setCommands = {
} as const;
