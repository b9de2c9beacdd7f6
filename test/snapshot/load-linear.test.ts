// Loading is linear in the input: every format, with its rows repeated and one rejected row after
// each, loads (lenient) and fails on its first rejected row (strict) in time proportional to its
// size. Timed as a ratio against the same input 8x smaller, never against a clock.
import { describe, expect, it } from "vitest";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import { allFixtures, fixtureText } from "../helpers/fixtures.js";

const DUMPS = allFixtures()
  .filter((f) => !/hubble|pcap|router-lab|source/.test(f))
  .map((f) => ({ name: f, lines: fixtureText(f).split("\n") }));

/** A dump's first line (a header or first row) then its other lines `copies` times, each followed by garbage. */
function damaged(lines: readonly string[], copies: number): string {
  const [first = "", ...rest] = lines.filter((l) => l.trim() !== "" && !l.startsWith("# source"));
  const out = [first];
  for (let i = 0; i < copies; i++)
    for (const line of rest.slice(0, 20)) out.push(line, `@@ rejected ${i} @@`);
  return out.join("\n");
}

/** Milliseconds to load every damaged dump leniently and strictly. */
function loadAll(copies: number): number {
  const files = DUMPS.map((d) => ({ name: d.name, text: damaged(d.lines, copies) }));
  const start = performance.now();
  for (const file of files) {
    for (const lenient of [true, false]) {
      try {
        parseSnapshotFiles([file], { lenient });
      } catch {
        // Strict loading stops at the first rejected row (and JSON fails as a whole): only the
        // time matters here.
      }
    }
  }
  return performance.now() - start;
}

describe("loading time", () => {
  it("grows linearly with rejected rows: 8x the rows, well under 20x the time", () => {
    loadAll(10); // warm-up: JIT and caches
    const small = loadAll(30);
    const large = loadAll(240);
    console.log(`damaged dumps: x30 in ${small.toFixed(0)} ms, x240 in ${large.toFixed(0)} ms`);
    expect(large / small).toBeLessThan(20);
  }, 300_000);
});
