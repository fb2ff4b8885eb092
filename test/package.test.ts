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
  it("installs from its tarball and works through `keycast` and `keycast/server`", () => {
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
  }, 120_000);
});
