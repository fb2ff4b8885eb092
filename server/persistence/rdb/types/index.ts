// Every type's DUMP/RESTORE codec, registered by importing its module. A new type adds a line.
import "./string.js";
import "./list.js";
import "./set.js";
import "./hash.js";
