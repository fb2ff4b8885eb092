#!/usr/bin/env node
import { run } from "../dist/client/cli/main.js";

await run();
