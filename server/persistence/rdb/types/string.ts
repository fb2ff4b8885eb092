// Strings: RDB_TYPE_STRING, with the integer and LZF forms of rdb-strings.ts.

import { registerCodec, RDB_TYPE } from "../registry.js";
import { readString, writeString } from "../rdb-strings.js";

registerCodec({
  type: "string",
  loads: [RDB_TYPE.STRING],
  accepts: (v) => typeof v === "string",
  write(w, v, limits) {
    w.byte(RDB_TYPE.STRING);
    writeString(w, v as string, limits.compress);
  },
  read: (r) => readString(r),
});
