// The WebSocket wire protocol: frame types, close codes and limits shared by the server
// and the client. docs/protocol.md describes it for implementers in other languages.

/** The protocol version this code speaks. */
export const PROTOCOL_VERSION = 1;
export const SUPPORTED_VERSIONS: readonly number[] = [1];

/** First element of every frame (a msgpack array). */
export const FrameType = {
  /** client: [0, version, options?]   server: [0, version, info] */
  HELLO: 0,
  /** client: [1, id, commands]        server: [1, id, replies, errorIndexes?, blockedIndexes?] */
  BATCH: 1,
  /** client: [2, id, commands]        server: [1, id, replies, errorIndexes?] */
  ATOMIC: 2,
  /** server: [3, [watchId, seq, ...], db, key, event, offset, time, delta, value] */
  EVENT: 3,
  /** client: [4, id, watchId, pattern, options]   server: [4, id, WatchResult] */
  WATCH: 4,
  /** client: [5, id, watchId]                     server: [5, id] */
  UNWATCH: 5,
  /** client: [6, id, subId, "channel" | "pattern", name]   server: [6, id] */
  SUBSCRIBE: 6,
  /** client: [7, id, subId]                       server: [7, id] */
  UNSUBSCRIBE: 7,
  /** server: [8, [subId, ...], channel, message] */
  MESSAGE: 8,
  /** server: [9, id | null, message]  a frame that could not be run at all */
  ERROR: 9,
  /** client: [10, id, {user?, password} | {token}]   server: [10, id, AuthResult] */
  AUTH: 10,
  /** server: [11, batchId, index, reply, isError]  the answer of a command that waited (BLPOP ...) */
  DEFERRED: 11,
} as const;

/** The server's answer to an AUTH frame. */
export interface AuthResult {
  /** The user the connection now runs as. */
  user: string;
  /** When a token authenticated it: when the token expires (ms since 1970), or null. */
  expiresAt: number | null;
}

/** Subprotocol a client offers (and the server selects) on the WebSocket handshake. */
export const SUBPROTOCOL = "keycast";
/** A token can ride in Sec-WebSocket-Protocol as this prefix plus the JWT (never in the URL). */
export const TOKEN_SUBPROTOCOL_PREFIX = "keycast.bearer.";

/** What the server tells about itself in the hello reply. */
export interface HelloInfo {
  server: "keycast";
  version: string;
  protocol: number;
  /** The session id, as CLIENT ID would report it. */
  id: number;
  /** True while the connection must still authenticate (an AUTH frame) before anything else. */
  authRequired?: boolean;
}

/** WebSocket close codes keycast uses, beside the standard ones (1000, 1001, 1003, 1009, 1011). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  /** A text frame: keycast speaks msgpack in binary frames only. */
  UNSUPPORTED_DATA: 1003,
  POLICY: 1008,
  TOO_BIG: 1009,
  INTERNAL: 1011,
  /** The requested protocol version is not one this server speaks. */
  UNSUPPORTED_VERSION: 4000,
  /** Too many frames that could not be decoded. */
  BAD_FRAMES: 4001,
  /** Authentication is required and the client sent something else first, or did not authenticate in time. */
  AUTH_REQUIRED: 4002,
  /** The credentials were refused too many times, or the handshake's token was refused. */
  AUTH_FAILED: 4003,
  /** The token the connection authenticated with expired and was not renewed. */
  TOKEN_EXPIRED: 4004,
  /** The server is at its connection limit (maxclients): try again later. */
  TRY_AGAIN_LATER: 1013,
} as const;

/** Query parameter that selects the protocol version at connect time: ws://host:port/?v=1 */
export const VERSION_PARAM = "v";

/** How much of a change an event carries. */
export type ValueMode = "none" | "delta" | "full";

/** Options of a WATCH frame (a msgpack map). */
export interface WatchOptions {
  /** Database of the keys; default 0. */
  db?: number;
  /** Event names to deliver; default every event but "new". */
  events?: string[];
  /** "none" (default), "delta" (what changed) or "full" (the key's value after the change). */
  value?: ValueMode;
  /** Deliver the current value of every matching key first, atomically with the start of the watch. */
  snapshot?: boolean;
  /** Most keys a pattern snapshot may hold; over it the watch fails. Default: the server's limit. */
  snapshotLimit?: number;
  /** Resume: the position of the last event seen, and the watch's last sequence number. */
  since?: [epoch: string, offset: number, seq: number];
}

/** The server's answer to a WATCH frame. */
export interface WatchResult {
  epoch: string;
  /** Position of the newest event at the time the watch started. */
  offset: number;
  /** With `since`: true when every missed event follows (replayed), false when the client must resync. */
  recovered?: boolean;
  /** With `snapshot` (or after a failed resume of a watch that asked for one): [key, type, value, pttl][] */
  snapshot?: [key: unknown, type: string, value: unknown, pttl: number][];
}
