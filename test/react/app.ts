// The React app of test/react.test.ts, bundled by esbuild: a chat feed (a list, LPUSH +
// LTRIM 0 49), a board (a list of card ids and a hash per card), a leaderboard (the top 10
// of a sorted set), each kept current by keycast/react's hooks.
import { createElement as h, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { KeycastProvider, useKey, useKeycast, useLive } from "../../client/react.js";
import type { ZMember } from "../../client/live.js";

function Status(): ReactNode {
  const { status } = useKey(useKeycast(), "chat:room");
  return h("p", { id: "status", "data-status": status }, `status: ${status}`);
}

function Chat(): ReactNode {
  const { value } = useKey(useKeycast(), "chat:room");
  const messages = (value as readonly string[] | undefined) ?? [];
  return h("section", null, h("h2", null, `chat (${messages.length})`), h("ol", { id: "chat" }, messages.map((m, i) => h("li", { key: i }, m))));
}

function Board(): ReactNode {
  const board = useLive(useKeycast(), "board:*");
  const ids = (board.get("board:todo") as readonly string[] | undefined) ?? [];
  return h(
    "section",
    null,
    h("h2", null, "board"),
    h(
      "ul",
      { id: "board" },
      ids.map((id) => {
        const card = board.get(`board:card:${id}`) as Readonly<Record<string, string>> | undefined;
        return h("li", { key: id, "data-card": id }, `${card?.title ?? "?"} [${card?.state ?? "?"}]`);
      }),
    ),
  );
}

function Leaderboard(): ReactNode {
  const { value } = useKey(useKeycast(), "lb", { zrange: [-10, -1] });
  const top = [...((value as readonly ZMember<string>[] | undefined) ?? [])].reverse();
  return h("section", null, h("h2", null, "top 10"), h("ol", { id: "lb" }, top.map((m) => h("li", { key: m.member }, `${m.member} ${m.score}`))));
}

const url = new URL(location.href).searchParams.get("ws")!;
createRoot(document.getElementById("root")!).render(
  h(KeycastProvider, { url, options: { reconnect: { minDelayMs: 20, maxDelayMs: 200 } } }, h(Status), h("div", { className: "cols" }, h(Chat), h(Board), h(Leaderboard))),
);
