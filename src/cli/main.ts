#!/usr/bin/env node
// The `dpemu` command: one file per subcommand under src/cli/, registered here.
import { createRequire } from "node:module";
import { compareCommand } from "./compare.js";
import { cliCommand } from "./errors.js";
import { inspectCommand } from "./inspect.js";
import { mapsCommand } from "./maps.js";
import { maglevCommand } from "./maglev.js";
import { traceCommand } from "./trace.js";
import { replayCommand } from "./replay.js";
import { summaryCommand } from "./summary.js";
import { watchStdout } from "./output.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

const program = cliCommand("dpemu")
  .description("Emulate Cilium's load-balancing datapath from cilium-dbg dumps, in WebAssembly")
  .version(version);

program.addCommand(inspectCommand());
program.addCommand(mapsCommand());
program.addCommand(maglevCommand());
program.addCommand(compareCommand());
program.addCommand(traceCommand());
program.addCommand(replayCommand());
program.addCommand(summaryCommand());

// `dpemu ... | head -1` ends quietly; `> /dev/full` is one line, exit 3 (src/cli/output.ts).
watchStdout();
await program.parseAsync(process.argv);
