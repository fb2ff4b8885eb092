// Password hashes. A password set with ">password" is kept only as a salted scrypt hash, so an
// ACL file or an ACL LIST that leaks does not give passwords away to a cheap brute force. A
// "#<sha256 hex>" hash, Redis's own form, is accepted too, so Redis ACL files load unchanged.
// Every comparison is constant-time.

import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual } from "node:crypto";

/** scrypt's cost: about 50 ms and 16 MiB per check, on a thread of libuv's pool. */
const N = 16384;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const MAXMEM = 64 * 1024 * 1024;

export interface Sha256Hash {
  readonly kind: "sha256";
  readonly digest: Buffer;
  /** As ACL LIST shows it, without the leading '#'. */
  readonly text: string;
}

export interface ScryptHash {
  readonly kind: "scrypt";
  readonly n: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
  readonly text: string;
}

export type PasswordHash = Sha256Hash | ScryptHash;

const SHA256_HEX = /^[0-9a-f]{64}$/;
const SCRYPT_TEXT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

export const BAD_HASH = "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";

/** Hashes a password for storage (synchronously: ACL SETUSER and start-up only). */
export function hashPassword(password: string): ScryptHash {
  const salt = randomBytes(SALT_BYTES);
  const key = scryptSync(Buffer.from(password, "latin1"), salt, KEY_BYTES, { N, r: R, p: P, maxmem: MAXMEM });
  return scryptHash(N, R, P, salt, key);
}

function scryptHash(n: number, r: number, p: number, salt: Buffer, key: Buffer): ScryptHash {
  return { kind: "scrypt", n, r, p, salt, key, text: `scrypt$${n}$${r}$${p}$${salt.toString("base64url")}$${key.toString("base64url")}` };
}

export function sha256Hex(password: string): string {
  return createHash("sha256").update(Buffer.from(password, "latin1")).digest("hex");
}

/** Reads "#..." without the '#': Redis's 64 hex digits of SHA-256, or keycast's scrypt form. Null when neither. */
export function parseHash(text: string): PasswordHash | null {
  if (SHA256_HEX.test(text)) return { kind: "sha256", digest: Buffer.from(text, "hex"), text };
  const m = SCRYPT_TEXT.exec(text);
  if (m === null) return null;
  const [n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Bounds keep a hostile ACL file from asking for a hash that takes minutes or gigabytes.
  if (n < 2 || n > 1 << 20 || (n & (n - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  const salt = Buffer.from(m[4]!, "base64url");
  const key = Buffer.from(m[5]!, "base64url");
  if (salt.length < 8 || key.length < 16 || key.length > 64) return null;
  return scryptHash(n, r, p, salt, key);
}

/** Is this password the one hashed? Constant-time; scrypt runs on libuv's thread pool. */
export function verifyPassword(hash: PasswordHash, password: string): Promise<boolean> {
  const pw = Buffer.from(password, "latin1");
  if (hash.kind === "sha256") return Promise.resolve(timingSafeEqual(createHash("sha256").update(pw).digest(), hash.digest));
  return new Promise((resolve) => {
    scrypt(pw, hash.salt, hash.key.length, { N: hash.n, r: hash.r, p: hash.p, maxmem: MAXMEM }, (err, key) => {
      resolve(err === null && timingSafeEqual(key, hash.key));
    });
  });
}

/**
 * The same check, blocking: for the rare paths that cannot wait (ACL SETUSER "<password",
 * an AUTH whose credentials the transport could not check ahead). Costs ~50 ms per scrypt hash.
 */
export function verifyPasswordSync(hash: PasswordHash, password: string): boolean {
  const pw = Buffer.from(password, "latin1");
  if (hash.kind === "sha256") return timingSafeEqual(createHash("sha256").update(pw).digest(), hash.digest);
  const key = scryptSync(pw, hash.salt, hash.key.length, { N: hash.n, r: hash.r, p: hash.p, maxmem: MAXMEM });
  return timingSafeEqual(key, hash.key);
}
