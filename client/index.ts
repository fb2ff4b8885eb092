// The client for browsers and React Native (global WebSocket). Node uses client/node.ts.
export {
  connect,
  KeycastClient,
  type BytesView,
  type ConnectOptions,
  type ConnectionState,
  type ReconnectOptions,
  type AuthOptions,
  type TokenSource,
  type WebSocketLike,
  type WebSocketConstructor,
} from "./client.js";
export type { KeyEvent, SnapshotEntry, Resync, WatchMessage, WatchOptions, Watch, Subscription } from "./watch.js";
export type { ValueMode, AuthResult } from "../shared/protocol.js";
export { LiveLimitError, exactPattern, type LiveView, type LiveSnapshot, type LiveStatus, type LiveOptions, type LiveEntry, type LiveValue, type ZMember, type StreamEntry } from "./live.js";
export { ReplyError, ConnectionError, BatchError } from "./errors.js";
export type { BatchBuilder, CommandMethods, BytesCommandMethods, ToBytes } from "./types.js";
export type { Key, Value, Arg } from "../shared/command.js";
export type { SetOption } from "../shared/commands/strings.js";
