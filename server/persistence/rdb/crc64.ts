// CRC-64/Jones as Redis computes it (src/crc64.c): the reflected polynomial 0xad93d23594c935a9,
// initial value 0, no final xor, so crc64("123456789") = 0xe9c6d914c4b8d9ca. DUMP payloads end
// with it, little-endian. The 64-bit state is kept as two uint32 halves: BigInt per byte would
// cost an allocation per step.

// The polynomial, bit-reversed: 0x95ac9329ac4bc9b5.
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let hi = 0;
  let lo = i;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | (hi << 31)) >>> 0;
    hi = hi >>> 1;
    if (carry) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  TABLE_HI[i] = hi;
  TABLE_LO[i] = lo;
}

/** The CRC of bytes[start, end) as [high, low] uint32 halves. */
export function crc64Parts(bytes: Uint8Array, start = 0, end = bytes.length): [number, number] {
  let hi = 0;
  let lo = 0;
  for (let i = start; i < end; i++) {
    const t = (lo ^ bytes[i]!) & 0xff;
    lo = (TABLE_LO[t]! ^ ((lo >>> 8) | (hi << 24))) >>> 0;
    hi = (TABLE_HI[t]! ^ (hi >>> 8)) >>> 0;
  }
  return [hi, lo];
}

/** The CRC as a bigint (tests, diagnostics). */
export function crc64(bytes: Uint8Array): bigint {
  const [hi, lo] = crc64Parts(bytes);
  return (BigInt(hi) << 32n) | BigInt(lo);
}
