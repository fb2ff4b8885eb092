// npm run build:browser: the client as one minified ES module for browsers, at
// dist/browser/keycast.js (plus a source map), from client/index.ts. Fails when the bundle
// would need anything from Node (a built-in module, `ws`, the CLI) or is over its size budget
// (docs/browser.md).
//
//   node scripts/build-browser.mjs [--outdir <dir>] [--json]
//
// --json prints the measurements as JSON (the browser test reads them).

import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Bytes, minified; and gzipped (level 9, what a server or CDN typically sends). */
export const BUDGET = { minified: 64 * 1024, gzip: 22 * 1024 };

/** Where the bundle's code may come from: the browser-safe client, the shared table, msgpackr. */
const ALLOWED_INPUTS = [/^client\/(?!node\.ts$|cli\/)[^/]+\.ts$/, /^shared\//, /^node_modules\/msgpackr\//, /^command-methods:/];

/**
 * The client needs two facts of each command at run time: its name and whether WebSocket
 * carries it (client/client.ts makes the methods from them); arity, flags, ACL categories, key
 * specs and summaries are for the server and the types. So the bundle gets the table reduced to
 * those two facts, computed here from shared/commands itself (bundled and loaded by esbuild),
 * not written a second time.
 */
async function commandMethodsModule() {
  const out = await build({
    absWorkingDir: root,
    entryPoints: ["shared/commands/index.ts"],
    bundle: true,
    write: false,
    platform: "neutral",
    format: "esm",
    logLevel: "silent",
  });
  const source = out.outputFiles[0].text;
  const { commands } = await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);
  const slim = {};
  for (const [key, spec] of Object.entries(commands)) {
    slim[key] = spec.transports === undefined ? { name: spec.name } : { name: spec.name, transports: spec.transports };
  }
  return `export const commands = ${JSON.stringify(slim)};\n`;
}

/** Resolves the client's import of the shared table to commandMethodsModule(). */
function slimCommandTable() {
  return {
    name: "slim-command-table",
    setup(b) {
      b.onResolve({ filter: /\/shared\/commands\/index\.js$/ }, (args) =>
        args.importer.replace(/\\/g, "/").includes("/client/") ? { path: "table", namespace: "command-methods" } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: "command-methods" }, async () => ({ contents: await commandMethodsModule(), loader: "js" }));
    },
  };
}

function parseArgs(argv) {
  const out = { outdir: join(root, "dist", "browser"), json: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--outdir" && i + 1 < argv.length) out.outdir = argv[++i];
    else if (argv[i] === "--json") out.json = true;
    else throw new Error(`unknown option '${argv[i]}'`);
  }
  return out;
}

export async function buildBrowser(outdir) {
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, "keycast.js");
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["client/index.ts"],
    outfile,
    bundle: true,
    // "browser": Node built-ins do not resolve, so importing one is a build error, not a polyfill.
    platform: "browser",
    format: "esm",
    target: "es2020",
    minify: true,
    sourcemap: true,
    metafile: true,
    legalComments: "eof",
    logLevel: "silent",
    plugins: [slimCommandTable()],
  });
  const problems = [];
  for (const input of Object.keys(result.metafile.inputs)) {
    if (!ALLOWED_INPUTS.some((re) => re.test(input))) problems.push(`unexpected module in the browser bundle: ${input}`);
  }
  const code = readFileSync(outfile);
  const gzip = gzipSync(code, { level: 9 }).length;
  if (code.length > BUDGET.minified) problems.push(`bundle is ${code.length} bytes minified, over the budget of ${BUDGET.minified}`);
  if (gzip > BUDGET.gzip) problems.push(`bundle is ${gzip} bytes gzipped, over the budget of ${BUDGET.gzip}`);
  const modules = Object.entries(Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.inputs ?? {})
    .map(([path, v]) => ({ path, bytes: v.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  return { outfile, minified: code.length, gzip, budget: BUDGET, modules, problems };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = parseArgs(process.argv.slice(2));
  let report;
  try {
    report = await buildBrowser(args.outdir);
  } catch (e) {
    // esbuild's own message names the import that cannot be bundled for a browser.
    console.error(`build-browser: ${e.message}`);
    process.exit(1);
  }
  if (args.json) {
    console.log(JSON.stringify(report));
  } else {
    const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(`${relative(root, report.outfile)}: ${kb(report.minified)} minified, ${kb(report.gzip)} gzipped (budget ${kb(BUDGET.minified)} / ${kb(BUDGET.gzip)})`);
    for (const m of report.modules.slice(0, 8)) console.log(`  ${m.path.padEnd(40)} ${kb(m.bytes)}`);
  }
  for (const p of report.problems) console.error(`build-browser: ${p}`);
  process.exit(report.problems.length > 0 ? 1 : 0);
}
