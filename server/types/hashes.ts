import type { hashCommands } from "../../shared/commands/hashes.js";
import type { Implementations } from "../dispatch.js";

export const hashes: Implementations<typeof hashCommands> = {
};
