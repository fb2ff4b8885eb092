// keycast keeps every key and value as a "byte string": a JS string with one char per
// byte (latin1). V8 stores such strings one byte per char, Map keys work on them as is,
// and any bytes round-trip exactly. These helpers convert at the transport edges.

const NON_ASCII = /[^\x00-\x7f]/;

/** True when every char is ASCII, so the UTF-8 text and the byte string are the same. */
export function isAscii(s: string): boolean {
  return !NON_ASCII.test(s);
}

/** Text (as decoded from UTF-8) to its byte string. */
export function textToBytes(s: string): string {
  return isAscii(s) ? s : Buffer.from(s, "utf8").toString("latin1");
}

/** Raw bytes to a byte string. */
export function bufferToBytes(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
}

/** A byte string back to raw bytes. */
export function bytesToBuffer(s: string): Buffer {
  return Buffer.from(s, "latin1");
}

/** A byte string as UTF-8 text, for logs and messages. */
export function bytesToText(s: string): string {
  return isAscii(s) ? s : Buffer.from(s, "latin1").toString("utf8");
}
