// Pub/sub commands (redis.io/commands/?group=pubsub). PUBLISH and PUBSUB run anywhere; the
// SUBSCRIBE family is RESP only: a WebSocket client subscribes with SUBSCRIBE frames
// (`kc.subscribe(channel, handler)`), which deliver to a handler instead of the connection.
import { command, container, type Value } from "../command.js";

const RESP_ONLY = ["resp"] as const;
const SUBSCRIBE_FLAGS = ["pubsub", "noscript", "loading", "stale"] as const;

export const pubsubCommands = {
  publish: command("PUBLISH", {
    arity: 3,
    flags: ["pubsub", "loading", "stale", "fast"],
    acl: ["@pubsub", "@fast"],
    summary: "Posts a message to a channel.",
  })
    .args<[channel: Value, message: Value]>()
    .reply<number>(),
  pubsub: container(
    "PUBSUB",
    { arity: -2, flags: [], acl: ["@slow"], summary: "A container for Pub/Sub commands." },
    {
      channels: command("CHANNELS", {
        arity: -2,
        flags: ["pubsub", "loading", "stale"],
        acl: ["@pubsub", "@slow"],
        summary: "Returns the active channels.",
      })
        .args<[pattern?: Value]>()
        .reply<string[]>(),
      numsub: command("NUMSUB", {
        arity: -2,
        flags: ["pubsub", "loading", "stale"],
        acl: ["@pubsub", "@slow"],
        summary: "Returns a count of subscribers to channels.",
      })
        .args<Value[]>()
        .reply<(string | number)[]>(),
      numpat: command("NUMPAT", {
        arity: 2,
        flags: ["pubsub", "loading", "stale"],
        acl: ["@pubsub", "@slow"],
        summary: "Returns a count of unique pattern subscriptions.",
      })
        .args<[]>()
        .reply<number>(),
      help: command("HELP", {
        arity: 2,
        flags: ["loading", "stale"],
        acl: ["@slow"],
        summary: "Returns helpful text about the different subcommands.",
      })
        .args<[]>()
        .reply<string[]>(),
    },
  )
    .args<["CHANNELS", pattern?: Value] | ["NUMSUB", ...channels: Value[]] | ["NUMPAT"] | ["HELP"]>()
    .reply<unknown>(),
  subscribe: command("SUBSCRIBE", {
    arity: -2,
    flags: SUBSCRIBE_FLAGS,
    acl: ["@pubsub", "@slow"],
    transports: RESP_ONLY,
    summary: "Listens for messages published to channels.",
  })
    .args<[channel: Value, ...channels: Value[]]>()
    .reply<unknown>(),
  psubscribe: command("PSUBSCRIBE", {
    arity: -2,
    flags: SUBSCRIBE_FLAGS,
    acl: ["@pubsub", "@slow"],
    transports: RESP_ONLY,
    summary: "Listens for messages published to channels that match one or more patterns.",
  })
    .args<[pattern: Value, ...patterns: Value[]]>()
    .reply<unknown>(),
  unsubscribe: command("UNSUBSCRIBE", {
    arity: -1,
    flags: SUBSCRIBE_FLAGS,
    acl: ["@pubsub", "@slow"],
    transports: RESP_ONLY,
    summary: "Stops listening to messages posted to channels.",
  })
    .args<Value[]>()
    .reply<unknown>(),
  punsubscribe: command("PUNSUBSCRIBE", {
    arity: -1,
    flags: SUBSCRIBE_FLAGS,
    acl: ["@pubsub", "@slow"],
    transports: RESP_ONLY,
    summary: "Stops listening to messages published to channels that match one or more patterns.",
  })
    .args<Value[]>()
    .reply<unknown>(),
} as const;
