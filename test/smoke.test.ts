import { describe, expect, it } from "vitest";
import { useServer } from "./helpers.js";

describe("smoke", () => {
  const h = useServer();
  it("sets and gets", async () => {
    expect(await h.kc.set("a", "1")).toBe("OK");
    expect(await h.kc.get("a")).toBe("1");
    expect(await h.kc.get("missing")).toBe(null);
    await expect(h.kc.call("NOPE", "x")).rejects.toThrow("ERR unknown command 'NOPE', with args beginning with: 'x' ");
    const r = await h.kc.batch().set("b", "é").get("b").del("a", "b").exec();
    expect(r).toEqual(["OK", "é", 2]);
  });
});
