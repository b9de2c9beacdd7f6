// `dpemu maps dump` end to end (the built dist/): engines, notes on what is not loaded, bad input.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bpfNatListFormat } from "../../src/snapshot/formats/bpf-nat-list.js";
import { splitDumps } from "../../src/snapshot/split.js";
import { FIXTURES, fixtureText } from "../helpers/fixtures.js";

const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));

function dpemu(...args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const parseNat = (text: string) =>
  bpfNatListFormat.parse(splitDumps("nat", text)[0]!, { lenient: false, warn: () => {} });

describe("dpemu maps dump", () => {
  it("prints the node's emulated SNAT map, which parses back to the dumped entries", () => {
    const run = dpemu("maps", "dump", "cilium_snat_v4_external");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    // Map order is the kernel's hash order in a real dump: compare the entries as sets.
    const sorted = (xs: readonly unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
    expect(sorted(parseNat(run.stdout))).toEqual(sorted(parseNat(fixtureText("lab-3node/bpf-nat-list.txt"))));
  });

  it("reads the same maps from the TypeScript reference engine with --engine reference", () => {
    for (const map of ["cilium_lb4_services_v2", "cilium_ipcache_v2", "cilium_snat_v4_external"]) {
      const wasm = dpemu("maps", "dump", map, "--node", "k8s-ctr");
      const reference = dpemu("maps", "dump", map, "--node", "k8s-ctr", "--engine", "reference");
      expect(reference.code).toBe(0);
      expect(reference.stdout.length).toBeGreaterThan(0);
      expect(reference).toEqual(wasm);
    }
  });

  it("says on stderr what the emulated map does not hold: another node's SNAT state", () => {
    const run = dpemu("maps", "dump", "cilium_snat_v4_external", "--node", "k8s-w1");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    // The snapshot's warnings summary line (the view borrows k8s-ctr's dumps), then the map's note.
    expect(run.stderr).toMatch(/^dpemu: the snapshot loaded with \d+ warnings? \(/);
    expect(run.stderr.split("\n").slice(1)).toEqual([
      "note: 64 NAT entries dumped on k8s-ctr not loaded: SNAT state belongs to the node it was dumped on",
      "",
    ]);
  });

  it("says on stderr how many IPv6 entries are not emulated", () => {
    const run = dpemu("maps", "dump", "cilium_ct4_global", `${FIXTURES}public/ct-list-global.v1.18-ipv6.txt`);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      /^dpemu: the snapshot loaded with 1 warning \(.*4 IPv6 ct entries kept but not emulated/,
    );
    expect(run.stderr.split("\n").slice(1)).toEqual(["note: 4 IPv6 CT entries not emulated", ""]);
  });

  it("prints socket-LB reverse NAT from the snapshot and says it is not a datapath map", () => {
    const run = dpemu("maps", "dump", "cilium_lb4_reverse_sk");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Socket Cookie +Backend -> Frontend/);
    expect(run.stderr).toMatch(
      /^note: cilium_lb4_reverse_sk holds socket-LB state.*printed from the snapshot as dumped\n$/,
    );
  });

  it("rejects an unknown engine or node with exit 2 and one line", () => {
    const engine = dpemu("maps", "dump", "cilium_lb4_services_v2", "--engine", "fast");
    expect(engine.code).toBe(2);
    expect(engine.stderr).toBe('dpemu maps dump: --engine must be wasm or reference, got "fast"\n');
    const node = dpemu("maps", "dump", "cilium_lb4_services_v2", "--node", "k8s-w9");
    expect(node.code).toBe(2);
    expect(node.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(node.stderr).toMatch(/expected one of the snapshot's nodes .* found --node "k8s-w9"/);
  });
});
