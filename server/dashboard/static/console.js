// The command box: a line typed the way redis-cli reads it, sent on the console's own
// connection (so SELECT there does not move the key list), and the reply printed the way
// redis-cli prints it on a terminal.

import { quote, textBytes } from "./bytes.js";

const HISTORY_KEY = "keycast.dashboard.history";
const HISTORY_MAX = 200;
const OUTPUT_MAX = 300;

function isSpace(ch) {
  return ch === " " || ch === "\t" || ch === "\n" || ch === "\v" || ch === "\f" || ch === "\r";
}

function hex(ch) {
  return ch !== undefined && /^[0-9a-fA-F]$/.test(ch) ? parseInt(ch, 16) : -1;
}

const ESCAPES = { n: 0x0a, r: 0x0d, t: 0x09, b: 0x08, a: 0x07 };

/**
 * The words of a line as byte arrays, split with redis-cli's rules (quotes, backslash escapes,
 * "\xHH" for any byte), or null when the quoting is broken, where redis-cli says
 * "Invalid argument(s)". Text outside escapes is sent as UTF-8.
 */
export function splitLine(line) {
  const words = [];
  const chars = Array.from(line);
  let i = 0;
  for (;;) {
    while (i < chars.length && isSpace(chars[i])) i++;
    if (i >= chars.length) return words;
    const bytes = [];
    const text = (s) => {
      for (const b of textBytes(s)) bytes.push(b);
    };
    let mode = "plain";
    for (;;) {
      const ch = chars[i];
      if (mode === "double") {
        if (ch === undefined) return null;
        if (ch === "\\" && chars[i + 1] === "x" && hex(chars[i + 2]) >= 0 && hex(chars[i + 3]) >= 0) {
          bytes.push(hex(chars[i + 2]) * 16 + hex(chars[i + 3]));
          i += 4;
        } else if (ch === "\\" && i + 1 < chars.length) {
          const e = chars[i + 1];
          if (e in ESCAPES) bytes.push(ESCAPES[e]);
          else text(e);
          i += 2;
        } else if (ch === '"') {
          // A closing quote must end the word.
          if (i + 1 < chars.length && !isSpace(chars[i + 1])) return null;
          i++;
          break;
        } else {
          text(ch);
          i++;
        }
      } else if (mode === "single") {
        if (ch === undefined) return null;
        if (ch === "\\" && chars[i + 1] === "'") {
          bytes.push(0x27);
          i += 2;
        } else if (ch === "'") {
          if (i + 1 < chars.length && !isSpace(chars[i + 1])) return null;
          i++;
          break;
        } else {
          text(ch);
          i++;
        }
      } else {
        if (ch === undefined || ch === " " || ch === "\n" || ch === "\r" || ch === "\t") break;
        if (ch === '"') mode = "double";
        else if (ch === "'") mode = "single";
        else text(ch);
        i++;
      }
    }
    words.push(new Uint8Array(bytes));
  }
}

/** A simple-string reply (+OK): the WebSocket protocol sends it like a bulk string, redis-cli prints it bare. */
class Status {
  constructor(u8) {
    this.u8 = u8;
  }
}

// Commands whose string reply is a simple string in Redis (addReplyStatus / shared.ok).
const STATUS_COMMANDS = new Set([
  "FLUSHALL", "FLUSHDB", "HMSET", "LSET", "LTRIM", "MSET", "PSETEX", "RENAME", "SELECT", "SETEX", "SWAPDB", "TYPE",
  "UNWATCH", "WATCH", "DISCARD", "MULTI", "AUTH", "RESET", "QUIT",
]);
const STATUS_SUBCOMMANDS = new Set(["CONFIG SET", "CONFIG RESETSTAT", "CLIENT SETNAME", "CLIENT SETINFO", "CLIENT NO-EVICT", "CLIENT REPLY"]);

const ascii = new TextDecoder();

/**
 * ASCII words go as text, the rest as bytes: the same bytes either way, but the client only
 * recognises a SELECT it must repeat after a reconnect when the name is text.
 */
function asArg(word) {
  for (let i = 0; i < word.length; i++) if (word[i] > 0x7f) return word;
  return ascii.decode(word);
}

function statusShape(words) {
  const name = ascii.decode(words[0]).toUpperCase();
  const sub = words.length > 1 ? ascii.decode(words[1]).toUpperCase() : "";
  if (STATUS_COMMANDS.has(name) || STATUS_SUBCOMMANDS.has(`${name} ${sub}`)) return "one";
  if (name === "PING" && words.length === 1) return "one";
  if (name === "SET") {
    // SET ... GET answers the old value, a bulk string.
    for (let i = 3; i < words.length; i++) if (ascii.decode(words[i]).toUpperCase() === "GET") return null;
    return "one";
  }
  if (sub === "HELP" && words.length === 2) return "each";
  return null;
}

function markStatus(words, reply) {
  const shape = statusShape(words);
  if (shape === "one" && reply instanceof Uint8Array) return new Status(reply);
  if (shape === "each" && Array.isArray(reply)) return reply.map((r) => (r instanceof Uint8Array ? new Status(r) : r));
  return reply;
}

/** A reply as redis-cli prints it on a terminal (RESP2 shapes: a map prints as its flat array). */
export function formatReply(r, prefix = "") {
  if (r instanceof Status) return ascii.decode(r.u8) + "\n";
  if (r instanceof Uint8Array) return quote(r) + "\n";
  if (r === null || r === undefined) return "(nil)\n";
  if (typeof r === "bigint") return `(integer) ${r}\n`;
  if (typeof r === "number") {
    if (Number.isInteger(r)) return `(integer) ${r}\n`;
    // A double reaches a RESP2 client as a bulk string.
    return quote(textBytes(r === Infinity ? "inf" : r === -Infinity ? "-inf" : String(r))) + "\n";
  }
  let items = r;
  if (r instanceof Map) {
    items = [];
    for (const [k, v] of r) items.push(k, v);
  }
  if (!Array.isArray(items)) return quote(textBytes(String(r))) + "\n";
  if (items.length === 0) return "(empty array)\n";
  const width = String(items.length).length;
  const inner = prefix + " ".repeat(width + 2);
  let out = "";
  for (let i = 0; i < items.length; i++) {
    out += (i === 0 ? "" : prefix) + String(i + 1).padStart(width) + ") " + formatReply(items[i], inner);
  }
  return out;
}

function loadHistory() {
  try {
    const h = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? "[]");
    return Array.isArray(h) ? h.filter((x) => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/** Wires the command box. `kc` is the console's own client; `label` the host:port shown in the prompt. */
export function createConsole({ kc, label, form, input, output, promptEl }) {
  const history = loadHistory();
  let cursor = history.length;
  let db = 0;

  const prompt = () => `${label}${db ? `[${db}]` : ""}> `;
  promptEl.textContent = prompt();

  function print(line, reply, cls) {
    const entry = document.createElement("div");
    entry.className = "entry";
    const cmd = document.createElement("div");
    cmd.className = "cmd";
    cmd.textContent = line;
    const out = document.createElement("pre");
    out.className = cls;
    out.textContent = reply;
    entry.append(cmd, out);
    output.append(entry);
    while (output.childElementCount > OUTPUT_MAX) output.firstElementChild.remove();
    output.scrollTop = output.scrollHeight;
  }

  async function run(line) {
    const shown = prompt() + line;
    const words = splitLine(line);
    if (words === null) return print(shown, "Invalid argument(s)\n", "error");
    if (words.length === 0) return;
    const name = ascii.decode(words[0]).toLowerCase();
    if (name === "clear" && words.length === 1) {
      output.textContent = "";
      return;
    }
    try {
      const reply = await kc.bytes.call(...words.map(asArg));
      if (name === "select") {
        db = Number(ascii.decode(words[1]));
        promptEl.textContent = prompt();
      }
      print(shown, formatReply(markStatus(words, reply)), "reply");
    } catch (e) {
      const msg = e && e.name === "ReplyError" ? `(error) ${e.message}` : `Error: ${e && e.message ? e.message : e}`;
      print(shown, msg + "\n", "error");
    }
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const line = input.value;
    input.value = "";
    if (line.trim() !== "" && history[history.length - 1] !== line) {
      history.push(line);
      if (history.length > HISTORY_MAX) history.splice(0, history.length - HISTORY_MAX);
      try {
        localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
      } catch {
        // Private windows may refuse storage; history then lasts the page's life.
      }
    }
    cursor = history.length;
    run(line);
  });

  input.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowUp" && cursor > 0) {
      input.value = history[--cursor];
    } else if (ev.key === "ArrowDown" && cursor < history.length) {
      cursor++;
      input.value = history[cursor] ?? "";
    } else {
      return;
    }
    ev.preventDefault();
    input.setSelectionRange(input.value.length, input.value.length);
  });

  return {
    get db() {
      return db;
    },
    async select(n) {
      await kc.select(n);
      db = n;
      promptEl.textContent = prompt();
    },
    /** Puts a command in the box and runs it, as if typed. */
    type(line) {
      input.value = line;
      form.requestSubmit();
    },
  };
}
