// The published package: `npm pack`, install the tarball into an empty project, and use
// both entry points from there, as a user would.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "keycast-pack-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm package", () => {
  it("installs from its tarball and works through `keycast`, `keycast/server` and `keycast/react`", () => {
    execFileSync("npm", ["pack", "--pack-destination", dir, "--silent"], { cwd: root, stdio: "pipe" });
    const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
    expect(tgz).toMatch(/^keycast-\d+\.\d+\.\d+\.tgz$/);
    const app = join(dir, "app");
    execFileSync("mkdir", ["-p", app]);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(dir, tgz)], { cwd: app, stdio: "pipe" });
    writeFileSync(
      join(app, "main.js"),
      `import { connect } from "keycast";
import { startServer } from "keycast/server";
const server = await startServer({ port: 0 });
const kc = await connect(server.url);
await kc.set("greeting", "hello");
const [v, n] = await kc.batch().get("greeting").del("greeting").exec();
await kc.close();
await server.close();
console.log(JSON.stringify({ v, n }));
`,
    );
    const out = execFileSync("node", ["main.js"], { cwd: app, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ v: "hello", n: 1 });
    const help = execFileSync(join(app, "node_modules", ".bin", "keycast"), ["--help"], { encoding: "utf8" });
    expect(help).toMatch(/--port/);
    // keycast/react, with React installed beside it (an optional peer dependency): a live view
    // in the package's Node build, and a server render that shows the loading state.
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "react@19.3.1", "react-dom@19.3.1"], { cwd: app, stdio: "pipe" });
    writeFileSync(
      join(app, "react.js"),
      `import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { connect } from "keycast";
import { useKey } from "keycast/react";
import { startServer } from "keycast/server";
const server = await startServer({ port: 0, respPort: "off" });
const kc = await connect(server.url);
await kc.rpush("feed", "a", "b");
const view = await kc.live("feed");
const live = view.get("feed");
function App() { const { value, status } = useKey(kc, "feed"); return createElement("p", null, status + ":" + String(value)); }
const html = renderToString(createElement(App));
await view.close();
await kc.close();
await server.close();
console.log(JSON.stringify({ live, html }));
`,
    );
    const react = execFileSync("node", ["react.js"], { cwd: app, encoding: "utf8" });
    expect(JSON.parse(react)).toEqual({ live: ["a", "b"], html: "<p>loading:undefined</p>" });
  }, 180_000);
});
