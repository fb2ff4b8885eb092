// Start-up settings of who may connect, with Redis's names where Redis has them
// (protected-mode, tls-port, tls-cert-file, tls-key-file): config file, environment and
// flags reach them like every other setting. startServer's options, when given, win.

import { defineSetting, SettingError, yesNoSetting, type Setting } from "../config.js";

function startupText(name: string, help: string): Setting<string> {
  return defineSetting({ name, defaultValue: "", parse: (v) => v, format: (v) => v, immutable: true, help });
}

export const PROTECTED_MODE = yesNoSetting("protected-mode", true, "refuse to listen on a non-loopback address while no authentication is configured", {
  immutable: true,
});
export const TLS_CERT_FILE = startupText("tls-cert-file", "certificate (PEM) for wss:// and tls-port; with tls-key-file, the WebSocket port serves TLS only");
export const TLS_KEY_FILE = startupText("tls-key-file", "private key (PEM) of tls-cert-file");
export const TLS_PORT = defineSetting<string>({
  name: "tls-port",
  defaultValue: "",
  help: "port for the Redis protocol over TLS (needs tls-cert-file and tls-key-file); empty = none",
  immutable: true,
  parse(raw) {
    if (raw !== "" && (!/^\d+$/.test(raw) || Number(raw) > 65535)) throw new SettingError("argument must be a port number from 0 to 65535");
    return raw;
  },
  format: (v) => v,
});
export const ALLOWED_ORIGINS = startupText(
  "allowed-origins",
  "space-separated browser Origins that may open a WebSocket (https://app.example.com, https://*.example.com, *); empty = loopback and same-origin pages, or any once authentication is required",
);
export const HANDSHAKE_TIMEOUT = defineSetting<number>({
  name: "handshake-timeout",
  defaultValue: 10,
  help: "seconds for a WebSocket upgrade request, or a TLS handshake, to complete",
  immutable: true,
  parse(raw) {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > 3600) throw new SettingError("argument must be between 1 and 3600 inclusive");
    return n;
  },
  format: String,
});
export const JWT_SECRET_FILE = startupText("jwt-secret-file", "file holding the HS256 secret (at least 32 bytes) that signs tokens");
export const JWT_PUBLIC_KEY_FILE = startupText("jwt-public-key-file", "public key (PEM: RSA, EC or Ed25519) that verifies tokens");
export const JWT_JWKS_FILE = startupText("jwt-jwks-file", "JWKS file whose keys verify tokens (chosen by kid)");
export const JWT_ISSUER = startupText("jwt-issuer", "required 'iss' of tokens; empty = not checked");
export const JWT_AUDIENCE = startupText("jwt-audience", "required 'aud' of tokens; empty = not checked");
