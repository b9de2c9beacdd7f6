// `npm run fuzz [ROUNDS] [RUNS_FACTOR]`: the property tests with fresh random seeds and many more
// runs than `npm test` gives them. Each round prints its seed; a failing round prints the command
// that reproduces it, and the failure then belongs in a regression test.
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

function propertyTestFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...propertyTestFiles(path));
    else if (entry.name.endsWith(".test.ts") && readFileSync(path, "utf8").includes('from "fast-check"'))
      found.push(path);
  }
  return found.sort();
}

const rounds = Number(process.argv[2] ?? 3);
const factor = Number(process.argv[3] ?? 10);
if (!Number.isSafeInteger(rounds) || rounds < 1 || !Number.isFinite(factor) || factor <= 0) {
  console.error("usage: npm run fuzz [ROUNDS >= 1] [RUNS_FACTOR > 0]");
  process.exit(2);
}
const files = propertyTestFiles("test");
let failed = 0;
for (let round = 1; round <= rounds; round++) {
  const seed = randomInt(0, 2 ** 31);
  console.log(`fuzz round ${round}/${rounds}: seed ${seed}, runs x${factor}, ${files.length} files`);
  const env = { ...process.env, DPEMU_PROPERTY_SEED: String(seed), DPEMU_PROPERTY_RUNS: String(factor) };
  const run = spawnSync("npx", ["vitest", "run", ...files], { stdio: "inherit", env });
  if (run.status !== 0) {
    failed++;
    console.error(
      `fuzz: round ${round} failed with seed ${seed}; reproduce with ` +
        `DPEMU_PROPERTY_SEED=${seed} DPEMU_PROPERTY_RUNS=${factor} npx vitest run ${files.join(" ")}`,
    );
  }
}
console.log(`fuzz: ${rounds - failed} of ${rounds} rounds passed`);
process.exit(failed === 0 ? 0 : 1);
