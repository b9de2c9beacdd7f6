// Dumped Maglev tables compared with the computed ones, on Cilium's own published table
// (pkg/maglev maglev_test.go TestReproducible: M=251, four backends weighted 2/13/111/10).
import { describe, expect, it } from "vitest";
import { parseSnapshotFiles, type SnapshotFile } from "../../src/snapshot/parse-files.js";
import { MISMATCHES_LISTED } from "../../src/snapshot/compare-maglev.js";

/** Cilium's expectation, run-length encoded over backend indices 0..3 (see test/lb/maglev-cilium.test.ts). */
const CILIUM_RLE =
  "2(5),3(1),2(3),1(1),2(2),0(1),2(1),3(1),2(1),3(1),2(1),1(1),2(7),1(1),2(14),3(1),2(1)," +
  "1(2),2(12),3(1),2(3),1(1),2(4),3(1),2(8),3(1),2(2),1(1),2(16),1(2),2(3),3(1),2(11),1(2),2(4),3(1),2(3)," +
  "1(1),2(4),3(1),2(1),0(1),1(1),2(8),1(1),2(7),1(1),2(4),3(1),2(1),3(1),2(9),1(2),2(5),1(1),2(7),3(1),2(1)," +
  "3(1),1(1),2(8),1(1),2(4),0(1),2(1),1(1),2(5),3(1),2(3),1(1),2(4),3(1),2(3),1(1),2(12),0(1),3(1),2(3),3(1)," +
  "2(4),3(1),2(2),1(1),2(7)";

/** Cilium's mkAddr(i) backends 1, 3, 4, 5 (IPv4 from u32 i, port i, TCP) with their weights. */
const BACKENDS = [
  { ip: "0.0.0.1", port: 1, weight: 2 },
  { ip: "0.0.0.3", port: 3, weight: 13 },
  { ip: "0.0.0.4", port: 4, weight: 111 },
  { ip: "0.0.0.5", port: 5, weight: 10 },
];
/** Backend IDs in the snapshot (the table holds IDs; Cilium's test used 0..3). */
const IDS = [41, 42, 43, 44];

function expand(rle: string): number[] {
  return rle.split(",").flatMap((run) => {
    const [, index, count] = /^(\d+)\((\d+)\)$/.exec(run)!;
    return Array<number>(Number(count)).fill(IDS[Number(index)]!);
  });
}

/** A node's dumps: services map (IDs, slots), backends map, service list -o json (weights), config, maglev list. */
function snapshot(table: readonly number[], config: string): SnapshotFile[] {
  const frontend = "10.96.50.1:80/TCP";
  const services = [
    "Key   Value   State   Error",
    `${frontend} (0)   0 4[0] (7) [0x0 0x0]`,
    ...IDS.map((id, slot) => `${frontend} (${slot + 1})   ${id} 0[0] (7) [0x0 0x0]`),
  ].join("\n");
  const backends = [
    "Key   Value   State   Error",
    ...IDS.map((id, i) => `${id}   TCP://${BACKENDS[i]!.ip}:${BACKENDS[i]!.port}`),
  ].join("\n");
  const json = JSON.stringify([
    {
      spec: {
        id: 7,
        "frontend-address": { ip: "10.96.50.1", port: 80, protocol: "TCP", scope: "external" },
        "backend-addresses": BACKENDS.map((b) => ({ ...b, protocol: "TCP", state: "active" })),
        flags: { type: "ClusterIP", name: "web", namespace: "default" },
      },
    },
  ]);
  const maglev = `SVC ID   LOOKUP TABLE\n[7]/v4   [${table.join(" ")}]\n`;
  return [
    { name: "services.txt", text: services },
    { name: "backends.txt", text: backends },
    { name: "service-list.json", text: json },
    { name: "config.txt", text: config },
    { name: "maglev.txt", text: maglev },
  ];
}

const MAGLEV_CONFIG = "bpf-lb-algorithm maglev\nbpf-lb-maglev-table-size 251\n";

const maglevWarnings = (files: SnapshotFile[]) =>
  parseSnapshotFiles(files).warnings.filter((w) => /Maglev/.test(w.message));

describe("dumped Maglev tables against computed ones", () => {
  it("Cilium's own table for these backends matches entry by entry", () => {
    const s = parseSnapshotFiles(snapshot(expand(CILIUM_RLE), MAGLEV_CONFIG));
    expect(s.selected.backends.map((b) => [b.id, b.weight])).toEqual(
      IDS.map((id, i) => [id, BACKENDS[i]!.weight]),
    );
    expect(s.selected.maglevComparison).toEqual({ compared: 1, identical: 1 });
    expect(s.warnings).toEqual([]);
  });

  it("reports each differing entry with the service, its index and both backends", () => {
    const table = expand(CILIUM_RLE);
    const changed = [0, 100, 250];
    for (const index of changed) table[index] = table[index] === 41 ? 42 : 41;
    const computed = expand(CILIUM_RLE);
    const warnings = maglevWarnings(snapshot(table, MAGLEV_CONFIG));
    const name = (id: number) => {
      const b = BACKENDS[IDS.indexOf(id)]!;
      return `backend ${id} (${b.ip}:${b.port})`;
    };
    expect(warnings.map((w) => [w.file, w.line, w.message])).toEqual([
      ...changed.map((index) => [
        "maglev.txt",
        1,
        `Maglev table of 10.96.50.1:80/TCP (rev-NAT ID 7), entry ${index}: dumped ${name(table[index]!)}, computed ${name(computed[index]!)}`,
      ]),
      [
        "maglev.txt",
        1,
        "Maglev table of 10.96.50.1:80/TCP (rev-NAT ID 7): 3 of 251 entries differ from the table computed for backends 41, 42, 43, 44; the snapshot does not show bpf-lb-maglev-hash-seed, so Cilium's default JLfvgnHc2kaSUFaI was assumed",
      ],
    ]);
  });

  it("with another seed every table differs; the first entries are listed and the total given", () => {
    const warnings = maglevWarnings(
      snapshot(expand(CILIUM_RLE), `${MAGLEV_CONFIG}bpf-lb-maglev-hash-seed AAAAAAAAAAAAAAAA\n`),
    );
    const listed = warnings.filter((w) => /, entry \d+: /.test(w.message));
    expect(listed).toHaveLength(MISMATCHES_LISTED);
    const total = warnings.find((w) => /entries differ/.test(w.message))!;
    const differing = Number(/: (\d+) of 251 entries differ/.exec(total.message)![1]);
    expect(differing).toBeGreaterThan(MISMATCHES_LISTED);
    expect(total.message).toMatch(/\(first 10 listed\)$/);
  });

  it("compares only when the service uses Maglev, and says why not otherwise", () => {
    const random = maglevWarnings(
      snapshot(expand(CILIUM_RLE), "bpf-lb-algorithm random\ntunnel-protocol vxlan\n"),
    );
    expect(random.map((w) => w.message)).toEqual([
      "1 dumped Maglev tables not compared: their services do not use Maglev as far as the snapshot shows (backend selection Random)",
    ]);
  });

  it("a table that is not a Cilium table size (an abbreviated paste) is reported, not compared", () => {
    const warnings = maglevWarnings(snapshot(expand(CILIUM_RLE).slice(0, 18), MAGLEV_CONFIG));
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(
        /^Maglev table of 10\.96\.50\.1:80\/TCP \(rev-NAT ID 7\) not compared: 18 entries is not a Cilium table size/,
      ),
    ]);
  });
});
