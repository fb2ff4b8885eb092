import type { serverCommands } from "../../shared/commands/server.js";
import type { Implementations } from "../dispatch.js";

export const server: Implementations<typeof serverCommands> = {
};
