// `npm run bench [suite...] [-- --save]`: runs every bench/*.bench.ts suite (or the ones named on the
// command line) in turn, each in its own process so one suite's heap and JIT state do not colour the
// next. Figures are printed; only `--save` writes them to the tracked bench/results/<suite>.json.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const args = process.argv.slice(2);
const save = args.includes("--save");
const wanted = args.filter((a) => a !== "--save");
const suites = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
if (suites.length === 0) {
  console.error(`no benchmark suite matches ${wanted.join(", ")}`);
  process.exit(2);
}
let failed = 0;
for (const suite of suites) {
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", `${dir}${suite}`, ...(save ? ["--save"] : [])],
    { stdio: "inherit" },
  );
  if (run.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
