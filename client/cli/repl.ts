// Lines typed at the prompt or read from a pipe, handled as redis-cli handles them: quoting,
// a leading repeat count ("3 INCR n"), quit/exit, clear, connect, help. Piped lines are
// pipelined (sent without waiting for the previous reply) and printed in order.

import { readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { formatRaw, formatTTY, textToBytes, type CliReply } from "./format.js";
import { helpText } from "./help.js";
import type { CliOptions } from "./options.js";
import { Failure, type Session } from "./session.js";
import { splitArgs } from "../../shared/splitargs.js";

/** What one command prints: on stdout, and on stderr (byte strings). */
export interface Output {
  out: string;
  err: string;
}

export interface Streams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

const NOTHING: Output = { out: "", err: "" };

/** Commands redis-cli prints raw even on a terminal: their reply is text meant to be read as is. */
function printsVerbatim(argv: readonly string[]): boolean {
  const name = argv[0]!.toUpperCase();
  const sub = argv.length > 1 ? argv[1]!.toUpperCase() : "";
  return name === "INFO" || name === "LOLWUT" || (name === "CLIENT" && (sub === "LIST" || sub === "INFO")) || (name === "MEMORY" && sub === "DOCTOR");
}

export class Printer {
  constructor(
    readonly mode: "standard" | "raw",
    private readonly options: CliOptions,
  ) {}

  render(argv: readonly string[], r: CliReply | Failure): Output {
    if (r instanceof Failure) return { out: "", err: `${r.message}\n` };
    if (printsVerbatim(argv)) return { out: formatRaw(r, this.options.itemDelimiter), err: "" };
    if (this.mode === "standard") return { out: formatTTY(r), err: "" };
    return { out: formatRaw(r, this.options.itemDelimiter) + this.options.replyDelimiter, err: "" };
  }
}

/** Writes a byte string, waiting when the stream is full (a slow reader of a long pipe). */
export function write(stream: NodeJS.WritableStream, s: string): Promise<void> | void {
  if (s === "") return;
  if (stream.write(Buffer.from(s, "latin1"))) return;
  return new Promise((resolve) => stream.once("drain", resolve));
}

export async function emit(io: Streams, o: Output): Promise<void> {
  await write(io.stdout, o.out);
  await write(io.stderr, o.err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** strtol(word, &end, 10) with *end == '\0': redis-cli's test for a repeat count. */
function repeatCount(word: string): number | null {
  if (word === "") return 0;
  if (!/^[ \t\n\v\f\r]*[+-]?\d+$/.test(word)) return null;
  return Number(word.trim());
}

export class LineRunner {
  constructor(
    private readonly session: Session,
    private readonly printer: Printer,
    private readonly options: CliOptions,
    private readonly tty: boolean,
  ) {}

  /** Handles one line (a byte string): what it prints, in order, or "quit". */
  line(line: string): Promise<Output>[] | "quit" {
    const argv = splitArgs(line);
    if (argv === null) return [Promise.resolve({ out: "Invalid argument(s)\n", err: "" })];
    if (argv.length === 0) return [];
    let words = argv;
    let repeat = 1;
    const count = argv.length > 1 ? repeatCount(argv[0]!) : null;
    if (count !== null) {
      if (count <= 0 || count > 2 ** 63 - 1) return [Promise.resolve({ out: "Invalid redis-cli repeat command option value.\n", err: "" })];
      repeat = count;
      words = argv.slice(1);
    }
    const name = words[0]!.toLowerCase();
    if (name === "quit" || name === "exit") return "quit";
    if (name === "help" || name === "?") return [Promise.resolve({ out: helpText(words.slice(1)), err: "" })];
    if (name === "clear" && words.length === 1) return this.tty ? [Promise.resolve({ out: "\x1b[H\x1b[2J", err: "" })] : [];
    if (name === "connect" && words.length === 3) return [this.connect(words[1]!, words[2]!)];
    if (this.options.intervalMs > 0 && repeat > 1) return [this.repeatSlowly(words, repeat)];
    const out: Promise<Output>[] = [];
    for (let i = 0; i < repeat; i++) out.push(this.session.run(words).then((r) => this.printer.render(words, r)));
    return out;
  }

  private async repeatSlowly(words: string[], repeat: number): Promise<Output> {
    let out = "";
    let err = "";
    for (let i = 0; i < repeat; i++) {
      const o = this.printer.render(words, await this.session.run(words));
      out += o.out;
      err += o.err;
      await sleep(this.options.intervalMs);
    }
    return { out, err };
  }

  private async connect(host: string, port: string): Promise<Output> {
    const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
    await this.session.switchTo(`ws://${h}:${Number(port) || 0}`);
    const c = await this.session.client();
    return c instanceof Failure ? { out: "", err: `${c.message}\n` } : NOTHING;
  }
}

async function* byteLines(stream: NodeJS.ReadableStream): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream) {
    // latin1 maps each byte to one char, so a chunk may end anywhere, even inside a UTF-8 sequence.
    const text = rest + (typeof chunk === "string" ? textToBytes(chunk) : Buffer.from(chunk).toString("latin1"));
    const parts = text.split("\n");
    rest = parts.pop()!;
    for (const p of parts) yield p;
  }
  if (rest !== "") yield rest;
}

/** Commands read in flight before their replies are printed, when reading a pipe. */
const PIPELINE_WINDOW = 512;

/** Commands from a pipe: each line a command, printed in order. Exit code 0, as redis-cli. */
export async function runPipe(io: Streams, runner: LineRunner): Promise<number> {
  const queue: Promise<Output>[] = [];
  for await (const line of byteLines(io.stdin)) {
    const outputs = runner.line(line);
    if (outputs === "quit") break;
    for (const o of outputs) queue.push(o);
    while (queue.length > PIPELINE_WINDOW) await emit(io, await queue.shift()!);
  }
  while (queue.length > 0) await emit(io, await queue.shift()!);
  return 0;
}

function historyFile(env: NodeJS.ProcessEnv): string | null {
  const f = env.KEYCASTCLI_HISTFILE ?? join(homedir(), ".keycastcli_history");
  return f === "" || f === "/dev/null" ? null : f;
}

function loadHistory(file: string | null): string[] {
  if (!file) return [];
  try {
    return readFileSync(file, "utf8").split("\n").filter((l) => l !== "").reverse();
  } catch {
    return [];
  }
}

function saveHistory(file: string | null, history: readonly string[]): void {
  if (!file) return;
  try {
    writeFileSync(file, `${[...history].reverse().join("\n")}\n`, { mode: 0o600 });
  } catch {
    // A history that cannot be written is not worth interrupting the session for.
  }
}

/** Lines with passwords stay out of the history file, as in redis-cli. */
function isSecret(line: string): boolean {
  const argv = splitArgs(line);
  if (!argv || argv.length === 0) return false;
  const i = argv.length > 1 && /^\d+$/.test(argv[0]!) ? 1 : 0;
  const name = (argv[i] ?? "").toLowerCase();
  return name === "auth" || (name === "acl" && (argv[i + 1] ?? "").toLowerCase() === "setuser");
}

/** The interactive prompt: `127.0.0.1:7379> `, `[2]` after SELECT 2, `not connected> ` when down. */
export async function runInteractive(io: Streams, session: Session, runner: LineRunner, printer: Printer): Promise<number> {
  const file = historyFile(io.env);
  const rl = createInterface({ input: io.stdin, output: io.stdout, terminal: true, history: loadHistory(file), historySize: 1000 });
  rl.on("SIGINT", () => rl.close());
  // Called with readline's own history array (newest first) each time a line is added to it.
  rl.on("history", (history: string[]) => {
    if (history.length > 0 && isSecret(textToBytes(history[0]!))) history.shift();
    else saveHistory(file, history);
  });
  const first = await session.client();
  if (first instanceof Failure) await write(io.stderr, `${first.message}\n`);
  const prompt = () => {
    if (!session.connected) return "not connected> ";
    const u = new URL(session.url);
    const port = u.port || (u.protocol === "wss:" ? "443" : "80");
    return `${u.hostname}:${port}${session.db !== 0 ? `[${session.db}]` : ""}> `;
  };
  rl.setPrompt(prompt());
  rl.prompt();
  for await (const text of rl) {
    const line = textToBytes(text);
    const outputs = runner.line(line);
    if (outputs === "quit") break;
    const started = Date.now();
    for (const o of outputs) await emit(io, await o);
    const elapsed = Date.now() - started;
    if (elapsed >= 500 && printer.mode === "standard" && outputs.length > 0) await write(io.stdout, `(${(elapsed / 1000).toFixed(2)}s)\n`);
    rl.setPrompt(prompt());
    rl.prompt();
  }
  rl.close();
  return 0;
}
