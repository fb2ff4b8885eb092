import type { listCommands } from "../../shared/commands/lists.js";
import type { Implementations } from "../dispatch.js";

export const lists: Implementations<typeof listCommands> = {
};
