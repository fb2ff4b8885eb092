// The CLI's connection to the server, redis-cli style: made on demand, never reconnected
// behind the user's back (a dropped connection is made again by the next command, in the same
// database), and with the network's own reason when it cannot be made.

import WebSocket from "ws";
import type { Arg } from "../../shared/command.js";
import { connect, type ConnectOptions, type KeycastClient, type WebSocketConstructor } from "../client.js";
import { ConnectionError, ReplyError } from "../errors.js";
import { ErrorText, textToBytes, type CliReply } from "./format.js";
import { markStatuses } from "./status.js";

/** The connection could not be made, or broke while a command was in flight: what to print on stderr. */
export class Failure {
  constructor(readonly message: string) {}
}

function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === "ECONNREFUSED") return "Connection refused";
  if (err.code === "ENOTFOUND" || err.code === "EAI_AGAIN") return "Name or service not known";
  if (err.code === "ECONNRESET") return "Connection reset by peer";
  return String(err.message ?? e).replace(/^keycast: /, "");
}

/**
 * Connects with `ws`, keeping the socket's error (the client itself only sees a close), so that
 * "Connection refused" can be told from a server that is not keycast.
 */
export async function open(url: string, options: ConnectOptions): Promise<KeycastClient> {
  let socketError: Error | null = null;
  const Recording = class extends WebSocket {
    constructor(address: string) {
      super(address);
      this.on("error", (e) => {
        socketError ??= e;
      });
    }
  };
  try {
    return await connect(url, { WebSocket: Recording as unknown as WebSocketConstructor, binaryType: "nodebuffer", ...options });
  } catch (e) {
    if (e instanceof ReplyError) throw e;
    throw new Failure(`Could not connect to keycast at ${url}: ${describe(socketError ?? e)}`);
  }
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** A word (byte string) as the client sends it: text when ASCII (same bytes, and cheaper), bytes otherwise. */
export function toArg(word: string): Arg {
  return isAscii(word) ? word : new Uint8Array(Buffer.from(word, "latin1"));
}

export class Session {
  private kc: KeycastClient | null = null;
  private pending: Promise<KeycastClient | Failure> | null = null;

  constructor(
    public url: string,
    /** The database the prompt shows, and that a new connection selects. */
    public db: number,
  ) {}

  get connected(): boolean {
    return this.kc !== null && this.kc.state === "open";
  }

  /** The connection, made now if there is none; a Failure when it cannot be made. */
  client(): Promise<KeycastClient | Failure> {
    if (this.kc && this.kc.state !== "closed") return Promise.resolve(this.kc);
    this.kc = null;
    this.pending ??= open(this.url, { db: this.db, reconnect: false }).then(
      (kc) => {
        this.pending = null;
        this.kc = kc;
        return kc;
      },
      (e: unknown) => {
        this.pending = null;
        if (e instanceof Failure) return e;
        if (e instanceof ReplyError) return new Failure(`(error) ${e.message}`);
        throw e;
      },
    );
    return this.pending;
  }

  /** Runs one command (words as byte strings); a reply, an error reply, or a Failure. */
  async run(argv: readonly string[]): Promise<CliReply | Failure> {
    const kc = await this.client();
    if (kc instanceof Failure) return kc;
    const args = argv.map(toArg);
    try {
      const reply = (await kc.bytes.call(...args)) as CliReply;
      if (argv.length === 2 && argv[0]!.toUpperCase() === "SELECT") this.db = Number(argv[1]);
      return markStatuses(argv, reply);
    } catch (e) {
      if (e instanceof ReplyError) return new ErrorText(textToBytes(e.message));
      if (e instanceof ConnectionError) return new Failure(`Error: ${describe(e)}`);
      throw e;
    }
  }

  /** Drops the connection, for `connect host port`. */
  async switchTo(url: string): Promise<void> {
    const old = this.kc;
    this.kc = null;
    this.url = url;
    this.db = 0;
    await old?.close();
  }

  async close(): Promise<void> {
    const kc = this.kc ?? (this.pending ? await this.pending : null);
    this.kc = null;
    if (kc && !(kc instanceof Failure)) await kc.close();
  }
}
