// Splitting and recognition take time linear in the input: each input is read at size N and 8N and
// the times compared (no absolute thresholds; a quadratic step would make the ratio ~64, the bound
// is a generous 32). CPU time of this process, each size timed a few times, the fastest run kept.
import { describe, expect, it } from "vitest";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import { readSegment } from "../../src/snapshot/read-segment.js";
import { splitDumps } from "../../src/snapshot/split.js";

const GROWTH = 8;
const BOUND = 32;
const ROUNDS = 4;

/** CPU time of one run in ms (this process only: other processes on the machine do not count). */
function cpuTime(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Fastest CPU time at 8N over fastest at N, the two sizes interleaved so both see the same noise. */
function ratio(make: (n: number) => string, n: number, read: (text: string) => void): number {
  const small = make(n);
  const large = make(n * GROWTH);
  // Warm up both sizes: the first runs pay for compilation, which is not what is measured.
  read(small);
  read(large);
  let bestSmall = Infinity;
  let bestLarge = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    bestSmall = Math.min(
      bestSmall,
      cpuTime(() => read(small)),
    );
    bestLarge = Math.min(
      bestLarge,
      cpuTime(() => read(large)),
    );
  }
  return bestLarge / Math.max(bestSmall, 1);
}

/** A small `service list` dump per service, `separator` between them. */
function serviceLists(n: number, separator: string): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const host = `${(i >> 8) & 255}.${i & 255}`;
    out.push(
      `ID   Frontend   Service Type   Backend\n${i + 1}   10.96.${host}:80/TCP   ClusterIP   1 => 172.20.${host}:80/TCP (active)\n${separator}`,
    );
  }
  return out.join("");
}

/**
 * `bpf nat list` and `bpf ct list global` rows of `n` connections, one after the other with no
 * blank line or header between them: every row starts a dump of the other format.
 */
function natCtRows(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const tuple = `10.0.${(i >> 8) & 255}.${i & 255}:${1024 + i} -> 104.16.100.215:443`;
    out.push(
      `TCP OUT ${tuple} XLATE_SRC 10.0.${(i >> 8) & 255}.${i & 255}:${1024 + i} Created=665sec ago NeedsCT=1`,
      `TCP OUT ${tuple} expires=16983962 RxPackets=0 RxBytes=21 RxFlagsSeen=0x00 LastRxReport=0 TxPackets=0 TxBytes=0 TxFlagsSeen=0x1b LastTxReport=16899587 Flags=0x0012 [ TxClosing SeenNonSyn ] RevNAT=27 SourceSecurityID=0 IfIndex=0`,
    );
  }
  return `${out.join("\n")}\n`;
}

describe("splitting is linear", () => {
  it("`## Map:` sections with long runs of blank lines between them", () => {
    const make = (n: number) =>
      `## Map: cilium_lb4_affinity\nCache is empty\n${"\n".repeat(n)}## Map: x\nCache is empty\n`;
    const r = ratio(make, 50_000, (text) => splitDumps("map.txt", text));
    console.log(`## Map + blank lines: ${GROWTH}x input, ${r.toFixed(1)}x time`);
    expect(r).toBeLessThan(BOUND);
  });

  it("many small dumps in one file, blank-line separated", () => {
    const r = ratio(
      (n) => serviceLists(n, "\n"),
      400,
      (text) => parseSnapshotFiles([{ name: "many.txt", text }]),
    );
    console.log(`small dumps: ${GROWTH}x input, ${r.toFixed(1)}x time`);
    expect(r).toBeLessThan(BOUND);
  });

  it("many outputs of one command back to back (the header repeats)", () => {
    const r = ratio(
      (n) => serviceLists(n, ""),
      400,
      (text) => parseSnapshotFiles([{ name: "pasted.txt", text }]),
    );
    console.log(`back to back: ${GROWTH}x input, ${r.toFixed(1)}x time`);
    expect(r).toBeLessThan(BOUND);
  });

  it("dumps of two formats back to back, no header repeating: each cut found near where it is", () => {
    const kinds = (text: string) =>
      splitDumps("nat-ct.txt", text).flatMap((segment) =>
        readSegment(segment, { lenient: false, warn: () => {} }).dumps.map((d) => d.registered.format.kind),
      );
    expect(kinds(natCtRows(3))).toEqual([
      "bpf-nat-list",
      "bpf-ct-list",
      "bpf-nat-list",
      "bpf-ct-list",
      "bpf-nat-list",
      "bpf-ct-list",
    ]);
    const r = ratio(natCtRows, 100, (text) => kinds(text));
    console.log(`nat/ct back to back: ${GROWTH}x input, ${r.toFixed(1)}x time`);
    expect(r).toBeLessThan(BOUND);
  });

  it("a long `status --verbose` is checked for another dump's start line by line", () => {
    const make = (n: number) =>
      `KubeProxyReplacement Details:\nStatus: True\n${"  cilium-health-ep   10s ago   never   0   no error\n".repeat(n)}`;
    const r = ratio(make, 500, (text) => parseSnapshotFiles([{ name: "status.txt", text }]));
    console.log(`status --verbose: ${GROWTH}x input, ${r.toFixed(1)}x time`);
    expect(r).toBeLessThan(BOUND);
  });
});
