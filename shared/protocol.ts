// The WebSocket wire protocol: frame types, close codes and limits shared by the server
// and the client. docs/protocol.md describes it for implementers in other languages.

/** The protocol version this code speaks. */
export const PROTOCOL_VERSION = 1;
export const SUPPORTED_VERSIONS: readonly number[] = [1];

/** First element of every frame (a msgpack array). */
export const FrameType = {
  /** client: [0, version, options?]   server: [0, version, info] */
  HELLO: 0,
  /** client: [1, id, commands]        server: [1, id, replies, errorIndexes?] */
  BATCH: 1,
  /** client: [2, id, commands]        server: [1, id, replies, errorIndexes?] */
  ATOMIC: 2,
  /** server: [9, id | null, message]  a frame that could not be run at all */
  ERROR: 9,
} as const;

/** What the server tells about itself in the hello reply. */
export interface HelloInfo {
  server: "keycast";
  version: string;
  protocol: number;
  /** The session id, as CLIENT ID would report it. */
  id: number;
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
} as const;

/** Query parameter that selects the protocol version at connect time: ws://host:port/?v=1 */
export const VERSION_PARAM = "v";
