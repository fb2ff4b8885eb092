// ROLE and LOLWUT. keycast is always a master without replicas. LOLWUT answers as Redis
// 7.0's does for every version but 5 and 6 (which draw generative art): the version line.
import type { instanceCommands } from "../../shared/commands/instance.js";
import { int64Arg, isOption } from "../args.js";
import type { Implementations } from "../command-impl.js";
import { REDIS_VERSION } from "../info.js";
import { VerbatimReply } from "../reply.js";

export const instance: Implementations<typeof instanceCommands> = {
  role: () => ["master", 0, []],

  lolwut(_ctx, argv) {
    if (argv.length >= 3 && isOption(argv[1]!, "VERSION")) int64Arg(argv[2]!);
    return new VerbatimReply(`Redis ver. ${REDIS_VERSION}\n`);
  },
};
