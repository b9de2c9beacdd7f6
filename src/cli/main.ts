#!/usr/bin/env node
// The `dpemu` command: one file per subcommand under src/cli/, registered here.
import { Command } from "commander";
import { createRequire } from "node:module";
import { registerCompare } from "./compare.js";
import { registerInspect } from "./inspect.js";
import { registerMaps } from "./maps.js";
import { maglevCommand } from "./maglev.js";
import { registerTrace } from "./trace.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

const program = new Command()
  .name("dpemu")
  .description("Emulate Cilium's load-balancing datapath from cilium-dbg dumps, in WebAssembly")
  .version(version);

registerInspect(program);
registerMaps(program);
program.addCommand(maglevCommand());
registerCompare(program);
registerTrace(program);

await program.parseAsync(process.argv);
