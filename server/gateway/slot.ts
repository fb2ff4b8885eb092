// Redis Cluster's key → slot mapping: CRC16 (XMODEM) of the key, or of its hash tag (the
// bytes between the first '{' and the next '}', when not empty), modulo 16384. Keys are
// keycast byte strings (one char per byte).

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  TABLE[i] = c;
}

function crc16(s: string, from: number, to: number): number {
  let crc = 0;
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff]!;
  return crc;
}

export const SLOTS = 16384;

export function keySlot(key: string): number {
  const open = key.indexOf("{");
  if (open >= 0) {
    const close = key.indexOf("}", open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & (SLOTS - 1);
  }
  return crc16(key, 0, key.length) & (SLOTS - 1);
}
