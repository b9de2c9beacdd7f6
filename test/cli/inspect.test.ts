// The CLI end to end, as a user runs it (the built dist/, which `npm test` builds first).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bpfIpcacheListFormat } from "../../src/snapshot/formats/bpf-ipcache-list.js";
import { mapGetIpcacheFormat } from "../../src/snapshot/formats/map-get-ipcache.js";
import { mapGetLb4ServicesFormat } from "../../src/snapshot/formats/map-get-lb4-services.js";
import { splitDumps } from "../../src/snapshot/split.js";
import { fixtureText } from "../helpers/fixtures.js";

const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));

function dpemu(...args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("dpemu inspect", () => {
  it("prints JSON in the documented shape for the bundled example", () => {
    const run = dpemu("inspect", "--json");
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as Record<string, unknown> & { services: { frontend: string }[] };
    expect(Object.keys(doc)).toEqual([
      "services",
      "ipcache",
      "ct",
      "nat",
      "ipmasq",
      "config",
      "nodes",
      "warnings",
    ]);
    expect(doc.services.find((s) => s.frontend === "10.96.163.90:80/TCP")).toEqual({
      id: 20,
      frontend: "10.96.163.90:80/TCP",
      type: "ClusterIP",
      flags: ["ClusterIP", "non-routable"],
      revNatId: 20,
      backends: [
        { id: 14, address: "172.20.0.66:80/TCP", state: "active" },
        { id: 16, address: "172.20.1.126:80/TCP", state: "active" },
        { id: 15, address: "172.20.2.1:80/TCP", state: "active" },
      ],
    });
    expect(doc.config).toMatchObject({ kprMode: "SNAT", backendSelection: "Random" });
    // The node-state tables of k8s-ctr, the node the bundled dumps were taken on.
    expect(doc.ipcache).toEqual({ entries: 22 });
    expect(doc.nat).toEqual({ entries: 64 });
    expect(doc.nodes).toEqual([
      expect.objectContaining({ name: "k8s-ctr", selected: true }),
      expect.objectContaining({ name: "k8s-w0", selected: false }),
      expect.objectContaining({ name: "k8s-w1", selected: false }),
    ]);
  });

  it("counts CT, NAT, ip-masq and ipcache entries of the snapshot given, with warnings as {file, line, message}", () => {
    const dir = mkdtempSync(join(tmpdir(), "dpemu-"));
    for (const name of ["bpf-ipcache-list.k8s-ctr.txt", "bpf-nat-list.txt", "service-list.txt"])
      writeFileSync(join(dir, name), fixtureText(`lab-3node/${name}`));
    writeFileSync(join(dir, "bpf-ct-list.txt"), fixtureText("public/ct-list-global.v1.18-ipv6.txt"));
    writeFileSync(join(dir, "bpf-ipmasq-list.txt"), fixtureText("misc/bpf-ipmasq-list.txt"));
    const run = dpemu("inspect", dir, "--json");
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as Record<string, unknown> & {
      warnings: Record<string, unknown>[];
    };
    expect({ ipcache: doc.ipcache, ct: doc.ct, nat: doc.nat, ipmasq: doc.ipmasq }).toEqual({
      ipcache: { entries: 22 },
      ct: { entries: 4 },
      nat: { entries: 64 },
      ipmasq: { entries: 3 },
    });
    // The IPv6 CT entries are counted above and reported, not dropped.
    const v6 = doc.warnings.find((w) => /IPv6 ct entries kept but not emulated/.test(String(w.message)));
    expect(v6).toEqual({
      file: join(dir, "bpf-ct-list.txt"),
      line: 2,
      message: expect.stringMatching(/^4 IPv6/),
    });
    for (const w of doc.warnings) expect(Object.keys(w)).toEqual(["file", "line", "message"]);
  });

  it("prints a readable summary with the services table (the bundled example has no warning)", () => {
    const run = dpemu("inspect");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Services \(20\)$/m);
    expect(run.stdout).toMatch(
      /^20\s+10\.96\.163\.90:80\/TCP\s+ClusterIP\s+non-routable\s+14:172\.20\.0\.66:80\/TCP 16:172\.20\.1\.126:80\/TCP 15:172\.20\.2\.1:80\/TCP$/m,
    );
    expect(run.stdout).not.toMatch(/^Warnings/m);
    expect(run.stdout).toMatch(/^Node state of k8s-ctr$/m);
    expect(run.stdout).toMatch(/^ipcache\s+22\s+0\s+cilium_ipcache_v2\s+bpf-ipcache-list\.k8s-ctr\.txt$/m);
    expect(run.stdout).toMatch(/^nat\s+64\s+0\s+cilium_snat_v4_external\s+bpf-nat-list\.txt$/m);
    expect(run.stdout).toMatch(/^172\.20\.2\.0\/24\s+2\s+192\.168\.20\.100$/m);
  });

  it("bad input exits 2 with one line naming file and line, no stack trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "dpemu-"));
    const file = join(dir, "service-list.txt");
    writeFileSync(
      file,
      fixtureText("lab-3node/service-list.txt").replace(
        "2 => 172.20.0.248:53/UDP",
        "2 => 172.20.0.248:53/UDP (gone)x",
      ),
    );
    const run = dpemu("inspect", file);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:7: expected a \`service list\` row`),
    );
    expect(dpemu("inspect", file, "--lenient").code).toBe(0);
    expect(dpemu("inspect", join(dir, "missing")).code).toBe(2);
  });

  it("a broken line in a state dump exits 2 naming file and line", () => {
    const dir = mkdtempSync(join(tmpdir(), "dpemu-"));
    const file = join(dir, "ipcache.txt");
    writeFileSync(
      file,
      fixtureText("lab-3node/bpf-ipcache-list.k8s-ctr.txt").replace(
        "tunnelendpoint=192.168.20.100",
        "tunnelendpoint=192.168.20",
      ),
    );
    const run = dpemu("inspect", file, "--json");
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:12: expected an ipcache row`),
    );
  });
});

describe("dpemu maps dump", () => {
  it("prints cilium_lb4_services_v2 in cilium-dbg's format, which parses back to the dumped entries", () => {
    const run = dpemu("maps", "dump", "cilium_lb4_services_v2");
    expect(run.code).toBe(0);
    const printed = mapGetLb4ServicesFormat.parse(splitDumps("out", run.stdout)[0]!, {
      lenient: false,
      warn: () => {},
    });
    const dumped = mapGetLb4ServicesFormat.parse(
      splitDumps("in", fixtureText("lab-3node/map-get-cilium_lb4_services_v2.txt"))[0]!,
      { lenient: false, warn: () => {} },
    );
    const key = (e: { frontend: { address: string; port: number; protocol: string }; slot: number }) =>
      `${e.frontend.address}:${e.frontend.port}/${e.frontend.protocol}#${e.slot}`;
    const sort = <T extends Parameters<typeof key>[0]>(xs: readonly T[]) =>
      [...xs].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sort(printed.entries)).toEqual(sort(dumped.entries));
  });

  it("prints the chosen node's ipcache as `map get cilium_ipcache_v2`, which parses back to that node's dump", () => {
    const run = dpemu("maps", "dump", "cilium_ipcache_v2", "--node", "k8s-w1");
    expect(run.code).toBe(0);
    const printed = mapGetIpcacheFormat.parse(splitDumps("out", run.stdout)[0]!, {
      lenient: false,
      warn: () => {},
    });
    const dumped = bpfIpcacheListFormat.parse(
      splitDumps("in", fixtureText("lab-3node/bpf-ipcache-list.k8s-w1.txt"))[0]!,
      { lenient: false, warn: () => {} },
    );
    // Map order is the kernel's hash order in a real dump: compare the entries as sets.
    const sorted = (xs: readonly unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
    expect(sorted(printed.map(({ cache: _cache, ...e }) => e))).toEqual(sorted(dumped));
  });

  it("rejects an unknown map name with exit 2", () => {
    const run = dpemu("maps", "dump", "cilium_nope");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/expected a map name/);
  });
});
