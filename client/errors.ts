// Errors the client raises. A command's promise rejects with ReplyError carrying Redis's
// exact message; a connection problem rejects with ConnectionError.

/** The server answered a command with an error ("WRONGTYPE ...", "ERR syntax error"). */
export class ReplyError extends Error {
  /** The first word of the message: "ERR", "WRONGTYPE", "EXECABORT", "NOPERM", ... */
  readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = "ReplyError";
    this.code = message.split(" ", 1)[0] ?? "ERR";
  }
}

/** The connection failed, closed, or never opened; the command may or may not have run. */
export class ConnectionError extends Error {
  constructor(
    message: string,
    /** The WebSocket close code, when the server closed the connection. */
    readonly closeCode?: number,
  ) {
    super(message);
    this.name = "ConnectionError";
  }
}

/** A batch in which one or more commands failed. `replies` holds every reply, with ReplyErrors in place. */
export class BatchError extends Error {
  constructor(readonly replies: unknown[]) {
    const first = replies.find((r): r is ReplyError => r instanceof ReplyError);
    super(first ? first.message : "batch failed");
    this.name = "BatchError";
  }
}
