// Pub/sub commands. PUBLISH reaches RESP subscribers and WebSocket subscriptions alike.
import type { pubsubCommands } from "../../shared/commands/pubsub.js";
import type { Context } from "../context.js";
import { subcommands, type Implementations } from "../command-impl.js";
import { CommandError } from "../errors.js";
import { SessionSubscriptions } from "../pubsub-session.js";
import { NO_REPLY, Status } from "../reply.js";

const PUBSUB_HELP = [
  "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "HELP",
  "    Print this help.",
].map((l) => new Status(l));

function subscriptionsOf(ctx: Context): SessionSubscriptions {
  const s = ctx.session;
  if (!s.push) throw new CommandError("ERR this connection cannot receive pub/sub messages");
  return (s.subscriptions ??= new SessionSubscriptions(ctx.server.pubsub, s));
}

export const pubsub: Implementations<typeof pubsubCommands> = {
  publish(ctx, argv) {
    return ctx.server.pubsub.publish(argv[1]!, argv[2]!);
  },

  pubsub: subcommands<typeof pubsubCommands.pubsub.subcommands>({
    channels(ctx, argv) {
      return ctx.server.pubsub.activeChannels(argv[2]);
    },
    numsub(ctx, argv) {
      const out: (string | number)[] = [];
      for (let i = 2; i < argv.length; i++) out.push(argv[i]!, ctx.server.pubsub.numsub(argv[i]!));
      return out;
    },
    numpat(ctx) {
      return ctx.server.pubsub.numpat();
    },
    help: () => PUBSUB_HELP,
  }),

  subscribe(ctx, argv) {
    subscriptionsOf(ctx).subscribe(argv.slice(1), false);
    return NO_REPLY;
  },

  psubscribe(ctx, argv) {
    subscriptionsOf(ctx).subscribe(argv.slice(1), true);
    return NO_REPLY;
  },

  unsubscribe(ctx, argv) {
    subscriptionsOf(ctx).unsubscribe(argv.slice(1), false);
    return NO_REPLY;
  },

  punsubscribe(ctx, argv) {
    subscriptionsOf(ctx).unsubscribe(argv.slice(1), true);
    return NO_REPLY;
  },
};
