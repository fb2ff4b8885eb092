// Every command's implementation, keyed like the shared command table. The type makes a
// declared-but-unimplemented command a compile error; test/table.test.ts checks the reverse.
import type { Commands } from "../../shared/commands/index.js";
import type { Implementations } from "../command-impl.js";
import "../keyspace/tuning-settings.js";
// Value types beyond the first four register how snapshots store them (keyspace/value-types.ts).
import "../keyspace/zset-type.js";
import { acl } from "./acl.js";
import { connection } from "./connection.js";
import { hashes } from "./hashes.js";
import { hyperloglog } from "./hyperloglog.js";
import { keys } from "./keys.js";
import { listBlocking } from "./list-blocking.js";
import { instance } from "./instance.js";
import { latency } from "./latency.js";
import { lcs } from "./lcs.js";
import { lists } from "./lists.js";
import { migration } from "./migration.js";
import { pubsub } from "./pubsub.js";
import { server } from "./server.js";
import { sets } from "./sets.js";
import { sort } from "./sort.js";
import { strings } from "./strings.js";
import { transactions } from "./transactions.js";
import { zsets } from "./zsets.js";

export const implementations: Implementations<Commands> = {
  ...keys,
  ...strings,
  ...lists,
  ...listBlocking,
  ...sets,
  ...hashes,
  ...zsets,
  ...pubsub,
  ...connection,
  ...server,
  ...transactions,
  ...acl,
  ...hyperloglog,
  ...migration,
  ...sort,
  ...lcs,
  ...instance,
  ...latency,
};
