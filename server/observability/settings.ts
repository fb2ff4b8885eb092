// Logging settings. loglevel takes Redis's words (debug, verbose, notice, warning, nothing).

import { defineSetting, SettingError } from "../config.js";
import { LOG_LEVEL_NAMES, pinoLevel, type LogFormat } from "./logger.js";

export const LOGLEVEL = defineSetting<string>({
  name: "loglevel",
  defaultValue: "notice",
  help: "debug, verbose, notice (default), warning or nothing (pino's trace...fatal work too)",
  parse(raw) {
    const v = raw.toLowerCase();
    if (pinoLevel(v) === undefined) throw new SettingError(`argument(s) must be one of the following: ${LOG_LEVEL_NAMES.join(", ")}`);
    return v;
  },
  format: (v) => v,
  apply(state, v) {
    state.logger.level = pinoLevel(v) ?? "info";
  },
});

export const LOGFILE = defineSetting<string>({
  name: "logfile",
  defaultValue: "",
  immutable: true,
  help: 'file the log is appended to; "" logs to standard output',
  parse: (v) => v,
  format: (v) => v,
});

export const LOG_FORMAT = defineSetting<LogFormat>({
  name: "log-format",
  defaultValue: "auto",
  immutable: true,
  help: "json (one object per line), pretty (for people), or auto: pretty on a terminal, json otherwise",
  parse(raw) {
    const v = raw.toLowerCase();
    if (v !== "auto" && v !== "json" && v !== "pretty") throw new SettingError("argument(s) must be one of the following: auto, json, pretty");
    return v;
  },
  format: (v) => v,
});
