// Start-up security: users (ACL file, rules, requirepass), tokens, TLS files, limits, and
// protected mode, which refuses to serve a non-loopback address with no authentication.

import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { AclError, aclOf } from "../acl/acl.js";
import { ACLFILE, REQUIREPASS } from "../acl/settings.js";
import { configOf, type Setting } from "../config.js";
import {
  AUTH_TIMEOUT,
  MAX_COMMANDS_BURST,
  MAX_COMMANDS_PER_SECOND,
  MAXCLIENTS,
  MAXCLIENTS_PER_ADDRESS,
  TIMEOUT,
} from "../limits/settings.js";
import type { ServerState } from "../state.js";
import {
  ALLOWED_ORIGINS,
  HANDSHAKE_TIMEOUT,
  JWT_AUDIENCE,
  JWT_ISSUER,
  JWT_JWKS_FILE,
  JWT_PUBLIC_KEY_FILE,
  JWT_SECRET_FILE,
  PROTECTED_MODE,
  TLS_CERT_FILE,
  TLS_KEY_FILE,
  TLS_PORT,
} from "./settings.js";
import { TokenVerifier, type TokenOptions } from "./tokens.js";

export interface SecurityOptions {
  /** Password of the default user (Redis's requirepass). */
  requirepass?: string;
  /** ACL file in Redis's format (`user alice on >pw ~cache:* +@read`), loaded at start; ACL LOAD/SAVE use it. */
  aclfile?: string;
  /** Users as ACL rule lines, like redis.conf's `user` directives: "alice on >pw ~* +@all". */
  users?: readonly string[];
  /** Signed tokens (JWT) for browsers. */
  tokens?: TokenOptions;
  /** Origins allowed to open a WebSocket from a browser ("https://app.example.com", "https://*.example.com", "*"). */
  allowedOrigins?: readonly string[];
  /** TLS for both listeners: the WebSocket port serves wss://, and tlsPort RESP over TLS. */
  tls?: { certFile?: string; keyFile?: string; cert?: string | Buffer; key?: string | Buffer };
  /** RESP over TLS (Redis's tls-port); needs `tls`. */
  tlsPort?: number;
  /** Redis's protected-mode: refuse a non-loopback bind without authentication. Default true. */
  protectedMode?: boolean;
  /** Connections in total (maxclients) and per remote address. */
  maxClients?: number;
  maxClientsPerAddress?: number;
  /** Idle seconds before a client is closed (Redis's timeout); 0 = never. */
  timeout?: number;
  /** Seconds to authenticate when authentication is required. Default 10. */
  authTimeout?: number;
  /** Commands per second per connection, and the burst; 0 = no limit. */
  maxCommandsPerSecond?: number;
  maxCommandsBurst?: number;
  /** The WebSocket upgrade request, and the TLS handshake, must complete within this (ms). Default 10,000. */
  handshakeTimeoutMs?: number;
}

export interface PreparedSecurity {
  tokens: TokenVerifier | null;
  /** RESP over TLS: the port asked for, or null. */
  tlsPort: number | null;
  tls: { cert: string | Buffer; key: string | Buffer } | null;
  allowedOrigins: readonly string[] | null;
  handshakeTimeoutMs: number;
}

/** A start-up setting that cannot work; the message is for the operator. */
export class SecurityConfigError extends Error {}

function isLoopbackBind(host: string): boolean {
  return host === "localhost" || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));
}

function setIf<T>(state: ServerState, setting: Setting<T>, value: T | undefined): void {
  if (value !== undefined) configOf(state).set(setting, value);
}

function readPem(what: string, file: string | undefined, inline: string | Buffer | undefined): string | Buffer {
  if (inline !== undefined) return inline;
  if (file === undefined) throw new SecurityConfigError(`TLS needs both tls-cert-file and tls-key-file (${what} is missing)`);
  try {
    return readFileSync(file);
  } catch (e) {
    throw new SecurityConfigError(`cannot read ${what} '${file}': ${(e as Error).message}`);
  }
}

/** Token options from the jwt-* settings, or undefined when none is set. */
function tokenSettings(state: ServerState): TokenOptions | undefined {
  const config = configOf(state);
  const secretFile = config.get(JWT_SECRET_FILE);
  const publicKeyFile = config.get(JWT_PUBLIC_KEY_FILE);
  const jwksFile = config.get(JWT_JWKS_FILE);
  if (secretFile === "" && publicKeyFile === "" && jwksFile === "") return undefined;
  const o: TokenOptions = {};
  if (secretFile !== "") {
    try {
      o.secret = readFileSync(secretFile, "utf8").trim();
    } catch (e) {
      throw new SecurityConfigError(`cannot read jwt-secret-file '${secretFile}': ${(e as Error).message}`);
    }
  } else if (publicKeyFile !== "") o.publicKeyFile = publicKeyFile;
  else o.jwksFile = jwksFile;
  if (config.get(JWT_ISSUER) !== "") o.issuer = config.get(JWT_ISSUER);
  if (config.get(JWT_AUDIENCE) !== "") o.audience = config.get(JWT_AUDIENCE);
  return o;
}

/**
 * Applies the options (and the security settings already applied to the state) to a new
 * server; throws SecurityConfigError with a clear message.
 */
export function prepareSecurity(state: ServerState, options: SecurityOptions, host: string): PreparedSecurity {
  const acl = aclOf(state);
  const config = configOf(state);
  try {
    if (options.aclfile !== undefined && options.aclfile !== "") {
      acl.file = options.aclfile;
      config.set(ACLFILE, options.aclfile);
    }
    if (acl.file !== null) acl.load();
    for (const line of options.users ?? []) {
      const words = line.trim().split(/\s+/);
      if (words[0] === "user") words.shift();
      acl.setUser(words[0]!, words.slice(1));
    }
  } catch (e) {
    if (e instanceof AclError) throw new SecurityConfigError(e.message.replace(/^ERR /, ""));
    throw e;
  }
  if (options.requirepass !== undefined) configOf(state).set(REQUIREPASS, REQUIREPASS.parse(options.requirepass));
  setIf(state, MAXCLIENTS, options.maxClients);
  setIf(state, MAXCLIENTS_PER_ADDRESS, options.maxClientsPerAddress);
  setIf(state, TIMEOUT, options.timeout);
  setIf(state, AUTH_TIMEOUT, options.authTimeout);
  setIf(state, MAX_COMMANDS_PER_SECOND, options.maxCommandsPerSecond);
  setIf(state, MAX_COMMANDS_BURST, options.maxCommandsBurst);

  let tokens: TokenVerifier | null = null;
  const tokenOptions = options.tokens ?? tokenSettings(state);
  if (tokenOptions !== undefined) {
    try {
      tokens = new TokenVerifier(tokenOptions);
    } catch (e) {
      throw new SecurityConfigError((e as Error).message.replace(/^keycast: /, ""));
    }
  }
  let tls: PreparedSecurity["tls"] = null;
  const certFile = config.get(TLS_CERT_FILE);
  const keyFile = config.get(TLS_KEY_FILE);
  const tlsOptions = options.tls ?? (certFile !== "" || keyFile !== "" ? { certFile: certFile || undefined, keyFile: keyFile || undefined } : undefined);
  const tlsPortSetting = config.get(TLS_PORT);
  const tlsPort = options.tlsPort ?? (tlsPortSetting === "" ? null : Number(tlsPortSetting));
  if (tlsOptions !== undefined) {
    tls = { cert: readPem("the certificate", tlsOptions.certFile, tlsOptions.cert), key: readPem("the key", tlsOptions.keyFile, tlsOptions.key) };
  } else if (tlsPort !== null) throw new SecurityConfigError("tls-port needs tls-cert-file and tls-key-file");

  const originsSetting = config.get(ALLOWED_ORIGINS).trim();
  const allowedOrigins = options.allowedOrigins ?? (originsSetting === "" ? null : originsSetting.split(/\s+/));
  const protectedMode = options.protectedMode ?? config.get(PROTECTED_MODE);
  if (protectedMode && !isLoopbackBind(host) && acl.authRequired === false) {
    throw new SecurityConfigError(
      `refusing to listen on ${host} without authentication (protected mode): anyone who can reach this address could read and change every key. ` +
        "Set a password (--requirepass), or users in an ACL file with 'user default off' (--aclfile), " +
        "or, only on a network you trust, start with --protected-mode no.",
    );
  }
  return { tokens, tls, tlsPort, allowedOrigins, handshakeTimeoutMs: options.handshakeTimeoutMs ?? config.get(HANDSHAKE_TIMEOUT) * 1000 };
}
