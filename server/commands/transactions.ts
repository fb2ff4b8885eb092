// Transaction commands; the state and WATCH machinery are in server/transactions.ts.
import type { transactionCommands } from "../../shared/commands/transactions.js";
import type { Implementations } from "../command-impl.js";
import { discard, exec, multi, unwatch, watch } from "../transactions.js";

export const transactions: Implementations<typeof transactionCommands> = {
  multi,
  exec,
  discard,
  watch,
  unwatch,
};
