import type { setCommands } from "../../shared/commands/sets.js";
import type { Implementations } from "../dispatch.js";

export const sets: Implementations<typeof setCommands> = {
};
