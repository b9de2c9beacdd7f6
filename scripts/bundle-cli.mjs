// Build step: the `dpemu` command as one file per thread in dist/bin/ (the CLI, the replay worker
// and the verdict formatter), bundled by esbuild from the compiled dist/ tree. Node then reads three
// files at start-up instead of resolving and compiling ~300 modules, which was most of the time a
// command took before doing anything. dist/bin/ sits as deep as dist/cli/ and dist/replay/, so each
// bundle's relative URLs (the Wasm file, the bundled example, package.json, the worker scripts by
// their file names) resolve as they do unbundled; the library entry points stay unbundled, but
// replay() starts its worker threads from dist/bin/replay-worker.js too.
import { fileURLToPath, URL } from "node:url";
import { build } from "esbuild";

const root = new URL("../", import.meta.url);
const dist = (path) => fileURLToPath(new URL(`dist/${path}`, root));

await build({
  entryPoints: {
    dpemu: dist("cli/main.js"),
    "replay-worker": dist("replay/replay-worker.js"),
    "verdict-format-worker": dist("cli/verdict-format-worker.js"),
  },
  outdir: dist("bin"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // CommonJS dependencies (commander, ip-num) call require() for Node's modules.
  banner: {
    js: 'import { createRequire as dpemuRequire } from "node:module";\nconst require = dpemuRequire(import.meta.url);',
  },
  logLevel: "warning",
});
