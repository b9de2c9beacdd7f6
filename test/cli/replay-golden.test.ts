// The verdict stream of `dpemu replay` byte for byte against golden files written before the stream
// was rewritten for speed (test/cli/golden/README.md): text and JSON lines, filtered and not, from a
// pcap, a synthetic workload and Hubble flows, with one worker and two, to a file and to stdout, and
// (these inputs are small: the CLI formats them in the replay's thread by default) with the lines
// formatted on a thread of their own (--verdict-thread on; filters always run in the replay's thread).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));
const GOLDEN = fileURLToPath(new URL("./golden/", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "dpemu-golden-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Golden file, input, and the verdict options that wrote it. */
const CASES: [string, string, string[]][] = [
  ["lab.verdicts.txt", "lab.pcap", []],
  ["lab.verdicts.jsonl", "lab.pcap", ["-o", "json"]],
  ["lab.filtered.verdicts.jsonl", "lab.pcap", ["-o", "json", "--verdict", "FORWARDED", "--protocol", "udp"]],
  ["synthetic.verdicts.txt", "synthetic.json", []],
  ["synthetic.verdicts.jsonl", "synthetic.json", ["-o", "json"]],
  ["hubble.verdicts.txt", "hubble.jsonl", []],
  ["hubble.verdicts.jsonl", "hubble.jsonl", ["-o", "json"]],
  ["hubble.filtered.verdicts.txt", "hubble.jsonl", ["--ip", "172.20.0.96", "--protocol", "udp,icmp"]],
];

function replay(args: string[]) {
  return spawnSync(process.execPath, [MAIN, "replay", ...args], { encoding: "buffer" });
}

describe("dpemu replay's verdict stream", () => {
  it.each(
    CASES.flatMap(([golden, input, options]) =>
      [1, 2].flatMap((w) =>
        (golden.includes(".filtered.") ? ["auto"] : ["auto", "on"]).map(
          (thread) => [golden, input, options, w, thread] as const,
        ),
      ),
    ),
  )("writes %s from %s (%#, workers %i, formatter thread %s)", (golden, input, options, workers, thread) => {
    const out = join(dir, `${golden}.${workers}.${thread}`);
    const run = replay([
      "--input",
      join(GOLDEN, input),
      "--workers",
      String(workers),
      "--verdicts",
      out,
      "--verdict-thread",
      thread,
      ...options,
    ]);
    expect(run.stderr.toString()).toBe("");
    expect(run.status).toBe(0);
    const expected = readFileSync(join(GOLDEN, golden));
    expect(expected.length).toBeGreaterThan(0);
    expect(readFileSync(out).equals(expected)).toBe(true);
  });

  it.each([
    ["lab.verdicts.jsonl", "lab.pcap", ["-o", "json"], "auto"],
    ["synthetic.verdicts.txt", "synthetic.json", [], "auto"],
    ["lab.verdicts.jsonl", "lab.pcap", ["-o", "json"], "on"],
    ["synthetic.verdicts.txt", "synthetic.json", [], "on"],
  ] as const)(
    "writes %s to stdout, the summary to stderr (%#, formatter thread %s)",
    (golden, input, options, thread) => {
      const run = replay([
        "--input",
        join(GOLDEN, input),
        "--workers",
        "1",
        "--verdicts",
        "-",
        "--verdict-thread",
        thread,
        ...options,
      ]);
      expect(run.status).toBe(0);
      expect(run.stderr.toString()).toMatch(/^Replay summary\n/);
      expect(run.stdout.equals(readFileSync(join(GOLDEN, golden)))).toBe(true);
    },
  );
});
