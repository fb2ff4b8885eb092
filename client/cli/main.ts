// keycast-cli: redis-cli over WebSocket. Node-only (readline, fs, `ws`); never imported by the
// browser entry (client/index.ts). bin/keycast-cli.js runs `run()`.
//
//   keycast-cli                       prompt (or, with stdin a pipe, one command per line)
//   keycast-cli SET a 1               one command, then exit
//   keycast-cli --watch 'metrics:*'   stream changes until interrupted

import { VERSION as SERVER_VERSION } from "../../shared/version.js";
import { helpText } from "./help.js";
import { parseOptions, USAGE, UsageError } from "./options.js";
import { emit, LineRunner, Printer, runInteractive, runPipe, write, type Streams } from "./repl.js";
import { ErrorText, textToBytes } from "./format.js";
import { Failure, Session } from "./session.js";
import { runWatch } from "./watch.js";

export type { Streams } from "./repl.js";

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One command from the command line, `-r` times; exit code 1 when it cannot run (or fails, with -e). */
async function runOnce(io: Streams, session: Session, printer: Printer, words: string[], repeat: number, intervalMs: number, errorExit: boolean): Promise<number> {
  for (let i = 0; repeat < 0 || i < repeat; i++) {
    const reply = await session.run(words);
    if (reply instanceof Failure) {
      await write(io.stderr, `${reply.message}\n`);
      return 1;
    }
    if (errorExit && reply instanceof ErrorText) {
      await write(io.stderr, `${reply.bytes}\n`);
      return 1;
    }
    await emit(io, printer.render(words, reply));
    if (intervalMs > 0) await sleep(intervalMs);
  }
  return 0;
}

/** Runs the CLI with these arguments on these streams; resolves to the exit code. */
export async function main(args: readonly string[], io: Streams, signal: AbortSignal): Promise<number> {
  let options;
  try {
    options = parseOptions(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    await write(io.stderr, `${textToBytes(e.message)}\n`);
    return 1;
  }
  if (options.action === "help") {
    await write(io.stdout, USAGE);
    return 0;
  }
  if (options.action === "version") {
    await write(io.stdout, `keycast-cli ${SERVER_VERSION}\n`);
    return 0;
  }
  if (options.watch !== null) return runWatch(io, options, options.watch, signal);

  const printer = new Printer(options.output ?? (io.stdout.isTTY ? "standard" : "raw"), options);
  const session = new Session(options.url, options.db);
  try {
    if (options.command.length > 0) {
      // Words from the shell are text; the server gets their UTF-8 bytes.
      const words = options.command.map(textToBytes);
      const name = words[0]!.toLowerCase();
      if (name === "help" || name === "?") {
        await write(io.stdout, helpText(words.slice(1)));
        return 0;
      }
      const first = await session.client();
      if (first instanceof Failure) {
        await write(io.stderr, `${first.message}\n`);
        return 1;
      }
      return await runOnce(io, session, printer, words, options.repeat, options.intervalMs, options.errorExit);
    }
    const runner = new LineRunner(session, printer, options, io.stdin.isTTY === true);
    if (io.stdin.isTTY) return await runInteractive(io, session, runner, printer);
    return await runPipe(io, runner);
  } finally {
    await session.close();
  }
}

/** The process entry point: real stdio, Ctrl-C, and an exit once everything written is flushed. */
export async function run(): Promise<void> {
  const args = process.argv.slice(2);
  let watching = false;
  try {
    watching = parseOptions(args).watch !== null;
  } catch {
    // main() reports it.
  }
  const stop = new AbortController();
  const interrupt = () => {
    // Ctrl-C ends a watch cleanly (exit 0); anything else, or a second one, ends at once, as redis-cli does.
    if (watching && !stop.signal.aborted) stop.abort();
    else process.exit(130);
  };
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    // The reader went away (`keycast-cli ... | head`): nothing more to say.
    if (e.code === "EPIPE") process.exit(0);
  });
  const io: Streams = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
  const code = await main(args, io, stop.signal);
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}
