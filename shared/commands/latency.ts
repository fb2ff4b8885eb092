// LATENCY (redis.io/commands/?group=server): the latency monitor's events and per-command histograms.
import { command, container } from "../command.js";

const ADMIN = ["admin", "noscript", "loading", "stale"] as const;
const ADMIN_ACL = ["@admin", "@slow", "@dangerous"] as const;
const SPECIAL = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"];

/** One LATENCY LATEST row: event, unix time of the latest sample, its latency and the all-time maximum (ms). */
export type LatencyLatest = [event: string, time: number, latest: number, max: number];

export const latencyCommands = {
  latency: container(
    "LATENCY",
    { arity: -2, flags: [], acl: ["@slow"], summary: "A container for latency diagnostics commands." },
    {
      doctor: command("DOCTOR", { arity: 2, flags: ADMIN, acl: ADMIN_ACL, tips: SPECIAL, summary: "Returns a human-readable latency analysis report." })
        .args<[]>()
        .reply<string>(),
      histogram: command("HISTOGRAM", { arity: -2, flags: ADMIN, acl: ADMIN_ACL, tips: SPECIAL, summary: "Returns the cumulative distribution of latencies of a subset or all commands." })
        .args<string[]>()
        .reply<Record<string, unknown>>(),
      history: command("HISTORY", { arity: 3, flags: ADMIN, acl: ADMIN_ACL, tips: SPECIAL, summary: "Returns timestamp-latency samples for an event." })
        .args<[event: string]>()
        .reply<[time: number, latency: number][]>(),
      latest: command("LATEST", { arity: 2, flags: ADMIN, acl: ADMIN_ACL, tips: SPECIAL, summary: "Returns the latest latency samples for all events." })
        .args<[]>()
        .reply<LatencyLatest[]>(),
      reset: command("RESET", {
        arity: -2,
        flags: ADMIN,
        acl: ADMIN_ACL,
        tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
        summary: "Resets the latency data for one or more events.",
      })
        .args<string[]>()
        .reply<number>(),
      help: command("HELP", { arity: 2, flags: ["loading", "stale"], acl: ["@slow"], summary: "Returns helpful text about the different subcommands." })
        .args<[]>()
        .reply<string[]>(),
    },
  )
    .args<[subcommand: "DOCTOR" | "LATEST" | "HELP"] | [subcommand: "HISTORY", event: string] | [subcommand: "RESET" | "HISTOGRAM", ...names: string[]]>()
    .reply<unknown>(),
} as const;
