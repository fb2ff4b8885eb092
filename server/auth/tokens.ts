// Signed tokens (JWT) for browsers, verified with `jose`: HS256 with a shared secret, or
// RS256/ES256/EdDSA with a public key (PEM) or a JWKS file. A token either names an ACL user
// (`sub`) or carries its own rules in a claim (`"acl": "+@read ~metrics:*"`); its `exp` is
// when the connection is closed unless it authenticates again. `alg: none`, an algorithm
// other than the configured key's, a bad signature, an expired token or a wrong issuer or
// audience are all refused.

import { createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { createLocalJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JSONWebKeySet } from "jose";
import type { Acl } from "../acl/acl.js";
import { mergeSelectorArgs } from "../acl/acl.js";
import { AclRuleError } from "../acl/selector.js";
import { User } from "../acl/user.js";

export interface TokenOptions {
  /** HS256 shared secret (at least 32 bytes). */
  secret?: string | Uint8Array;
  /** Public key in PEM (RSA, EC P-256/P-384, Ed25519), or a file holding one. */
  publicKey?: string;
  publicKeyFile?: string;
  /** A JWKS document (`{ "keys": [...] }`), or a file holding one. */
  jwks?: JSONWebKeySet;
  jwksFile?: string;
  /** Accepted algorithms; default: the one the key implies (HS256, RS256, ES256/ES384, EdDSA). */
  algorithms?: string[];
  /** Required `iss` and `aud`, when given. */
  issuer?: string;
  audience?: string;
  /** The claim holding ACL rules (a string or an array of rules). Default "acl". */
  aclClaim?: string;
  /** Refuse tokens without `exp`. Default true: a browser token should not be valid forever. */
  requireExpiry?: boolean;
  /** Leeway for `exp` and `nbf`, in seconds. Default 5. */
  clockToleranceSec?: number;
}

/** A token that was refused; the message says why, for the WRONGPASS reply. */
export class TokenError extends Error {}

export interface VerifiedToken {
  user: User;
  /** ms since 1970, or null for a token without `exp`. */
  expiresAt: number | null;
}

/** Rules a token may carry: permissions only, never passwords or user switches. */
const FORBIDDEN = /^(?:[><#!]|on$|off$|nopass$|resetpass$|reset$)/i;

function algorithmsFor(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return ["RS256"];
    case "ec":
      return key.asymmetricKeyDetails?.namedCurve === "secp384r1" ? ["ES384"] : ["ES256"];
    case "ed25519":
      return ["EdDSA"];
    default:
      throw new Error(`keycast: unsupported public key type '${key.asymmetricKeyType}' for tokens`);
  }
}

export class TokenVerifier {
  private readonly key: Uint8Array | KeyObject | JWTVerifyGetKey;
  private readonly algorithms: string[];
  private readonly claim: string;

  constructor(private readonly options: TokenOptions) {
    this.claim = options.aclClaim ?? "acl";
    const pem = options.publicKey ?? (options.publicKeyFile ? readFileSync(options.publicKeyFile, "utf8") : undefined);
    const jwks = options.jwks ?? (options.jwksFile ? (JSON.parse(readFileSync(options.jwksFile, "utf8")) as JSONWebKeySet) : undefined);
    if (options.secret !== undefined) {
      const secret = typeof options.secret === "string" ? new TextEncoder().encode(options.secret) : options.secret;
      if (secret.length < 32) throw new Error("keycast: the token secret must be at least 32 bytes");
      this.key = secret;
      this.algorithms = options.algorithms ?? ["HS256"];
    } else if (pem !== undefined) {
      const key = createPublicKey(pem);
      this.key = key;
      this.algorithms = options.algorithms ?? algorithmsFor(key);
    } else if (jwks !== undefined) {
      this.key = createLocalJWKSet(jwks);
      this.algorithms = options.algorithms ?? ["RS256", "ES256", "ES384", "EdDSA"];
    } else throw new Error("keycast: tokens need a secret, a public key or a JWKS");
    if (this.algorithms.some((a) => a.toLowerCase() === "none")) throw new Error("keycast: 'none' is not a token algorithm");
  }

  async verify(token: string, acl: Acl): Promise<VerifiedToken> {
    let payload: JWTPayload;
    try {
      const opts = {
        algorithms: this.algorithms,
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSec ?? 5,
        requiredClaims: this.options.requireExpiry === false ? [] : ["exp"],
      };
      // jose's overloads split a key from a key-resolving function; both are handled the same.
      payload =
        typeof this.key === "function" ? (await jwtVerify(token, this.key, opts)).payload : (await jwtVerify(token, this.key, opts)).payload;
    } catch (e) {
      throw new TokenError(describe(e));
    }
    const expiresAt = typeof payload.exp === "number" ? payload.exp * 1000 : null;
    const rules = payload[this.claim];
    if (rules !== undefined) return { user: userFromClaim(payload.sub ?? "token", rules), expiresAt };
    if (typeof payload.sub !== "string") throw new TokenError(`the token has neither 'sub' nor '${this.claim}'`);
    const user = acl.users.get(payload.sub);
    if (user === undefined || !user.enabled) throw new TokenError(`the token's user '${payload.sub}' does not exist or is disabled`);
    return { user, expiresAt };
  }
}

function describe(e: unknown): string {
  if (e instanceof errors.JWTExpired) return "the token has expired";
  if (e instanceof errors.JWSSignatureVerificationFailed) return "the token's signature is not valid";
  if (e instanceof errors.JOSEAlgNotAllowed) return "the token's algorithm is not accepted";
  if (e instanceof errors.JWTClaimValidationFailed) return `the token's '${e.claim}' claim is not valid (${e.reason})`;
  if (e instanceof errors.JWKSNoMatchingKey) return "no key of the JWKS matches the token";
  if (e instanceof errors.JOSEError) return `the token is not valid (${e.code})`;
  return "the token is not valid";
}

/** A user that exists only for this connection, with the token's rules. */
function userFromClaim(name: string, claim: unknown): User {
  const list = typeof claim === "string" ? claim.split(" ") : Array.isArray(claim) && claim.every((r) => typeof r === "string") ? (claim as string[]) : null;
  if (list === null) throw new TokenError("the token's ACL claim must be a string or an array of strings");
  const user = new User(name);
  try {
    user.apply("on");
    user.apply("nopass");
    for (const rule of mergeSelectorArgs(list.filter((r) => r !== ""))) {
      if (FORBIDDEN.test(rule)) throw new TokenError(`the token's ACL claim may not contain '${rule}'`);
      user.apply(rule);
    }
  } catch (e) {
    if (e instanceof AclRuleError) throw new TokenError(`the token's ACL claim is not valid: ${e.message}`);
    if (e instanceof TokenError) throw e;
    throw new TokenError(`the token's ACL claim is not valid: ${(e as Error).message}`);
  }
  user.changed();
  return user;
}
