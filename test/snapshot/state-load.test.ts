// The node-state dumps through the whole loader: the lab snapshot (the bundled example, and the
// capture as the fixtures name it) as a user loads it, per-node ipcache views, merged and mixed
// dumps, IPv6 kept and reported.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatPrefix } from "../../src/model/ip-prefix.js";
import type { NodeView, Snapshot } from "../../src/model/snapshot.js";
import { backendText } from "../../src/model/backend.js";
import { frontendText } from "../../src/model/service.js";
import { bpfIpcacheListFormat } from "../../src/snapshot/formats/bpf-ipcache-list.js";
import { loadSnapshot } from "../../src/snapshot/load.js";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import { fixtureText, labSnapshotDir } from "../helpers/fixtures.js";

const SNAPSHOTS = {
  "examples/lab-3node": fileURLToPath(new URL("../../examples/lab-3node", import.meta.url)),
  "lab capture (no status-verbose.txt, with hubble text)": labSnapshotDir(),
};

function ipcacheRoute(view: NodeView, prefix: string) {
  const entry = view.ipcache.find((e) => formatPrefix(e.prefix) === prefix);
  return entry && { identity: entry.identity, tunnelEndpoint: entry.tunnelEndpoint };
}

/** The entries of a node's own `bpf ipcache list` file, read on their own. */
function ipcacheFile(node: string) {
  const file = `lab-3node/bpf-ipcache-list.${node}.txt`;
  return parseSnapshotFiles([{ name: file, text: fixtureText(file) }]).selected.ipcache;
}

describe.each(Object.entries(SNAPSHOTS))("loadSnapshot(%s)", (_label, path) => {
  let snapshot: Snapshot;
  const load = async () => (snapshot ??= await loadSnapshot(path));

  it("names the three nodes from the per-node ipcache files and shows k8s-ctr, where the shared dumps were taken", async () => {
    const s = await load();
    expect(s.nodes.map((n) => n.name)).toEqual(["k8s-ctr", "k8s-w0", "k8s-w1"]);
    expect(s.selected.name).toBe("k8s-ctr");
    // The shared dumps are k8s-ctr's own (its node IP 192.168.10.100 is a NodePort frontend and a
    // reserved:host ipcache entry), so nothing is borrowed and nothing needs --node.
    expect(s.selected.borrowed).toEqual([]);
    expect(s.warnings.map((w) => w.message)).not.toContainEqual(expect.stringMatching(/--node|another node/));
  });

  it("k8s-ctr: 22 ipcache entries, 172.20.2.0/24 through the tunnel to 192.168.20.100", async () => {
    const view = (await load()).selected;
    expect(view.ipcache).toHaveLength(22);
    expect(ipcacheRoute(view, "172.20.2.0/24")).toEqual({ identity: 2, tunnelEndpoint: "192.168.20.100" });
    expect(ipcacheRoute(view, "172.20.1.0/24")).toEqual({ identity: 2, tunnelEndpoint: "192.168.10.101" });
    // Its own pods have no tunnel endpoint; webpod's pods carry identity 8469 on every node.
    expect(ipcacheRoute(view, "172.20.0.66/32")).toEqual({ identity: 8469, tunnelEndpoint: "0.0.0.0" });
    expect(ipcacheRoute(view, "172.20.2.1/32")).toEqual({ identity: 8469, tunnelEndpoint: "192.168.20.100" });
    expect(view.ipcache).toEqual(ipcacheFile("k8s-ctr"));
  });

  it("webpod 10.96.163.90:80/TCP: three backends in slot order, rev-NAT 20", async () => {
    const view = (await load()).selected;
    const webpod = view.services.find((s) => frontendText(s.frontend) === "10.96.163.90:80/TCP")!;
    const backends = new Map(view.backends.map((b) => [b.id, b]));
    expect(webpod.revNatId).toBe(20);
    expect(webpod.backendSlots.map((id) => backendText(backends.get(id)!))).toEqual([
      "172.20.0.66:80/TCP",
      "172.20.1.126:80/TCP",
      "172.20.2.1:80/TCP",
    ]);
  });

  it("k8s-ctr's NAT, socket rev-NAT, endpoints, identities and map list", async () => {
    const view = (await load()).selected;
    expect(view.nat).toHaveLength(64);
    expect(view.socknat).toHaveLength(11);
    // Every socket was connected through a service the services map knows, by its rev-NAT ID.
    const revNat = new Map(view.revNat.map((r) => [r.id, `${r.address}:${r.port}`]));
    for (const e of view.socknat)
      expect(revNat.get(e.revNatId)).toBe(`${e.frontend.address}:${e.frontend.port}`);
    expect(view.endpoints).toHaveLength(11);
    expect(view.identities).toHaveLength(22);
    expect(view.mapList.find((m) => m.name === "cilium_ipcache_v2")?.entries).toBe(view.ipcache.length);
    expect(view.mapList.find((m) => m.name === "cilium_lb4_reverse_sk")?.entries).toBe(9);
    expect(view.ct).toEqual([]);
    expect(view.ipmasq).toEqual([]);
  });

  it("--node k8s-w1 takes k8s-w1's own ipcache and borrows the rest from k8s-ctr, saying so", async () => {
    const s = await loadSnapshot(path, { node: "k8s-w1" });
    const view = s.selected;
    expect(view.name).toBe("k8s-w1");
    expect(view.ipcache).toEqual(ipcacheFile("k8s-w1"));
    expect(ipcacheRoute(view, "172.20.0.0/24")).toEqual({ identity: 2, tunnelEndpoint: "192.168.10.100" });
    expect(ipcacheRoute(view, "172.20.1.0/24")).toBeUndefined();
    expect(ipcacheRoute(view, "192.168.10.101/32")?.identity).toBe(1);
    expect(view.hostAddresses).toEqual(["10.0.2.15", "172.20.1.238", "192.168.10.101"]);
    expect(view.nat).toHaveLength(64);
    expect(view.borrowed.map((d) => d.kind)).toContain("bpf-nat-list");
    expect(s.warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(/^view of k8s-w1 uses dumps taken on k8s-ctr/),
    );
  });

  it("every node's view holds that node's ipcache", async () => {
    const s = await load();
    for (const view of s.nodes) expect(view.ipcache, view.name).toEqual(ipcacheFile(view.name));
  });
});

describe("state dumps in one pasted file", () => {
  it("cuts the v1.8 capture into its NAT lines and the CT line pasted right after them", () => {
    const file = "public/bpf-nat-list.v1.8-icmp.txt";
    const s = parseSnapshotFiles([{ name: file, text: fixtureText(file) }]);
    expect(s.warnings).toEqual([]);
    expect(s.selected.dumps.map((d) => [d.kind, d.line])).toEqual([
      ["bpf-nat-list", 2],
      ["bpf-ct-list", 4],
    ]);
    expect(s.selected.nat.map((e) => e.direction)).toEqual(["IN", "OUT"]);
    expect(s.selected.ct).toHaveLength(1);
    expect(s.selected.ct[0]).toMatchObject({ protocol: "ICMP", direction: "OUT", txBytes: 50n });
  });

  it("a bad line that starts no other dump is still an error naming file and line", () => {
    const file = "public/bpf-nat-list.v1.8-icmp.txt";
    const text = fixtureText(file).replace("XLATE_SRC 192.168.34.11:38193", "XLATE_SRC 192.168.34.11");
    expect(() => parseSnapshotFiles([{ name: file, text }])).toThrow(
      /^public\/bpf-nat-list\.v1\.8-icmp\.txt:3: /,
    );
    const lenient = parseSnapshotFiles([{ name: file, text }], { lenient: true });
    expect(lenient.warnings.map((w) => w.line)).toEqual([3]);
    // The CT line after the bad one is still read as the CT dump it starts.
    expect(lenient.selected.nat).toHaveLength(1);
    expect(lenient.selected.ct).toHaveLength(1);
  });

  it("keeps `map list --verbose` as one dump across its blank lines, between other dumps", () => {
    const ipcache = fixtureText("lab-3node/bpf-ipcache-list.k8s-ctr.txt").split("\n").slice(1, 4);
    const text = [
      "root@k8s-ctr:~# cilium-dbg map list --verbose",
      "## Map: cilium_ipcache_v2",
      "Key   Value   State   Error",
      ...ipcache.map((row) => `${row}   sync`),
      "",
      "## Map: cilium_lb4_affinity",
      "Cache is empty",
      "",
      "",
      "## Map: cilium_node_map_v2",
      "Cache is disabled",
      "",
      "root@k8s-ctr:~# cilium-dbg bpf nat list",
      fixtureText("lab-3node/bpf-nat-list.txt"),
    ].join("\n");
    const s = parseSnapshotFiles([{ name: "notes.txt", text }]);
    expect(s.warnings).toEqual([]);
    expect(s.selected.dumps.map((d) => [d.kind, d.line])).toEqual([
      ["map-list-verbose", 2],
      ["bpf-nat-list", 16],
    ]);
    expect(s.selected.mapList.map((m) => [m.name, m.entries, m.rows?.length])).toEqual([
      ["cilium_ipcache_v2", 3, 3],
      ["cilium_lb4_affinity", 0, 0],
      ["cilium_node_map_v2", null, 0],
    ]);
    expect(s.selected.nat).toHaveLength(64);
  });
});

describe("several dumps of one map on one node", () => {
  const listed = fixtureText("lab-3node/bpf-ipcache-list.k8s-ctr.txt");
  const entries = bpfIpcacheListFormat.parse(
    { file: "x", firstLine: 1, lines: listed.split("\n") },
    { lenient: false, warn: () => {} },
  );

  it("`bpf ipcache list` and `map get cilium_ipcache_v2` merge by prefix; the agent's cache state is kept", () => {
    const mapGet = [
      "Key   Value   State   Error",
      ...listed
        .split("\n")
        .slice(1, 3)
        .map((r) => `${r}   sync`),
    ].join("\n");
    const s = parseSnapshotFiles([
      { name: "a-list.txt", text: listed },
      { name: "b-get.txt", text: mapGet },
    ]);
    expect(s.warnings).toEqual([]);
    expect(s.selected.ipcache).toHaveLength(entries.length);
    expect(s.selected.ipcache[0]?.cache).toEqual({ state: "sync", error: "" });
    expect(s.selected.ipcache[2]?.cache).toBeUndefined();
  });

  it("reports where two dumps disagree and keeps the later one's entry", () => {
    const changed = listed.replace(
      "172.20.2.0/24       identity=2 encryptkey=0 tunnelendpoint=192.168.20.100",
      "172.20.2.0/24       identity=2 encryptkey=0 tunnelendpoint=192.168.20.111",
    );
    const s = parseSnapshotFiles([
      { name: "a.txt", text: listed },
      { name: "b.txt", text: changed },
    ]);
    expect(s.selected.ipcache).toHaveLength(entries.length);
    expect(ipcacheRoute(s.selected, "172.20.2.0/24")?.tunnelEndpoint).toBe("192.168.20.111");
    expect(s.warnings).toEqual([
      {
        file: "b.txt",
        line: 1,
        message:
          "1 ipcache entry (e.g. 172.20.2.0/24) differ from the dump at a.txt:1; using this later dump's",
      },
    ]);
  });
});

describe("IPv6 entries", () => {
  it("are kept in every table and reported as not emulated, counted, with the dump they came from", () => {
    const ct = "public/ct-list-global.v1.18-ipv6.txt";
    const ipmasq = `IP PREFIX/ADDRESS\n10.10.1.0/24\nfd00:10::/64\n169.254.0.0/16\nfe80::/10\n`;
    const ipcache =
      "IP PREFIX/ADDRESS   IDENTITY\nfd00::/64   identity=2 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>\n10.0.0.0/8   identity=2 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>\n";
    const s = parseSnapshotFiles([
      { name: ct, text: fixtureText(ct) },
      { name: "ipmasq.txt", text: ipmasq },
      { name: "ipcache.txt", text: ipcache },
    ]);
    const v6ct = s.selected.ct.filter((e) => e.family === "ipv6");
    expect(v6ct.length).toBeGreaterThan(0);
    expect(s.selected.ipmasq).toHaveLength(4);
    expect(s.selected.ipcache).toHaveLength(2);
    const reported = s.warnings.filter((w) => w.message.includes("kept but not emulated"));
    expect(reported).toEqual([
      {
        file: "ipcache.txt",
        line: 1,
        message: "1 IPv6 ipcache entries kept but not emulated (dpemu emulates IPv4), e.g. fd00::/64",
      },
      {
        file: ct,
        line: 2,
        message: expect.stringMatching(
          new RegExp(
            `^${v6ct.length} IPv6 ct entries kept but not emulated \\(dpemu emulates IPv4\\), e\\.g\\. \\[`,
          ),
        ),
      },
      {
        file: "ipmasq.txt",
        line: 1,
        message: "2 IPv6 ipmasq entries kept but not emulated (dpemu emulates IPv4), e.g. fd00:10::/64",
      },
    ]);
  });
});
