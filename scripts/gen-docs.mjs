// npm run docs: regenerates docs/commands.md from the built command table.
import { writeFileSync } from "node:fs";
import { commandGroups } from "../dist/shared/commands/index.js";
import { renderCommandsDoc } from "../dist/shared/docs.js";

writeFileSync(new URL("../docs/commands.md", import.meta.url), renderCommandsDoc(commandGroups));
console.log("wrote docs/commands.md");
