// The client for browsers and React Native (global WebSocket). Node uses client/node.ts.
export { connect, KeycastClient, type ConnectOptions, type WebSocketLike, type WebSocketConstructor } from "./client.js";
export { ReplyError, ConnectionError, BatchError } from "./errors.js";
export type { BatchBuilder, CommandMethods, BytesCommandMethods, ToBytes } from "./types.js";
export type { Key, Value, Arg } from "../shared/command.js";
export type { SetOption } from "../shared/commands/strings.js";
