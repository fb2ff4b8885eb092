// The client for Node: the same as the browser build, with `ws` as the WebSocket.
import WebSocket from "ws";
import { connect as connectWith, type ConnectOptions, type KeycastClient, type WebSocketConstructor } from "./client.js";

export * from "./index.js";

export function connect(url: string, options: ConnectOptions = {}): Promise<KeycastClient> {
  return connectWith(url, { WebSocket: WebSocket as unknown as WebSocketConstructor, binaryType: "nodebuffer", ...options });
}
