// Loading whole snapshots: directories, archives built here from the fixtures, mixed files,
// several nodes, consistency warnings and bad input.
import { readdirSync, readFileSync } from "node:fs";
import { gzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/snapshot/errors.js";
import { loadSnapshot } from "../../src/snapshot/load.js";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import type { NodeView, Snapshot } from "../../src/model/snapshot.js";
import { fixtureText, labSnapshotDir } from "../helpers/fixtures.js";

const LAB = labSnapshotDir();

/** A ustar archive of the given files (what cilium-bugtool writes, minus ownership details). */
function tar(files: Record<string, Uint8Array>): Uint8Array {
  const blocks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const [path, data] of Object.entries(files)) {
    const header = new Uint8Array(512);
    header.set(enc.encode(path).subarray(0, 100), 0);
    header.set(enc.encode("0000644\0"), 100);
    header.set(enc.encode(`${data.length.toString(8).padStart(11, "0")}\0`), 124);
    header.set(enc.encode("00000000000\0"), 136);
    header.set(enc.encode("        "), 148);
    header[156] = "0".charCodeAt(0);
    header.set(enc.encode("ustar\0" + "00"), 257);
    const sum = header.reduce((a, b) => a + b, 0);
    header.set(enc.encode(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
    blocks.push(header, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function labFiles(): Record<string, Uint8Array> {
  return Object.fromEntries(
    readdirSync(LAB).map((name) => [name, new Uint8Array(readFileSync(`${LAB}/${name}`))]),
  );
}

/** What a node view holds, whatever the files were packed in. */
function viewEssence(view: NodeView) {
  return {
    services: view.services,
    backends: view.backends,
    revNat: view.revNat,
    maglevTables: view.maglevTables,
    config: view.config,
    ipcache: view.ipcache,
    identities: view.identities,
    ct: view.ct,
    nat: view.nat,
    ipmasq: view.ipmasq,
    socknat: view.socknat,
    endpoints: view.endpoints,
    mapList: view.mapList,
    hostAddresses: view.hostAddresses,
  };
}

/** The parts of a snapshot that must not depend on how the files were packed. */
function essence(s: Snapshot) {
  return {
    nodes: s.nodes.map((n) => n.name),
    selected: s.selected.name,
    views: s.nodes.map(viewEssence),
    // Unread files are listed one by one for a directory, summed up for an archive.
    warnings: s.warnings
      .map((w) => w.message)
      .filter((m) => !m.startsWith("unrecognised content") && !m.includes("archive files")),
  };
}

describe("loadSnapshot on the lab directory", () => {
  it("joins the services map with bpf lb list and service list: webpod 10.96.163.90:80/TCP, rev-NAT 20, three backends", async () => {
    const s = await loadSnapshot(LAB);
    const view = s.selected;
    expect(view.services).toHaveLength(20);
    const webpod = view.services.find((x) => x.frontend.address === "10.96.163.90")!;
    expect(webpod).toMatchObject({
      id: 20,
      revNatId: 20,
      type: "ClusterIP",
      count: 3,
      qcount: 0,
      flagNames: ["ClusterIP", "non-routable"],
    });
    const backends = new Map(view.backends.map((b) => [b.id, b]));
    expect(webpod.backendSlots.map((id) => `${backends.get(id)?.address}:${backends.get(id)?.port}`)).toEqual(
      ["172.20.0.66:80", "172.20.1.126:80", "172.20.2.1:80"],
    );
    expect(webpod.backendSlots).toEqual([14, 16, 15]);
    // Backend IDs come from the services map (16 entries in cilium_lb4_backends_v3 per map list).
    expect(view.backends).toHaveLength(16);
    expect(view.derivedIds).toBe(false);
    // NodePort 30002: one ID per frontend (0.0.0.0 surrogate and each node IP).
    expect(
      view.services.filter((x) => x.frontend.port === 30002).map((x) => [x.frontend.address, x.id, x.flags]),
    ).toEqual([
      ["0.0.0.0", 9, 0x02],
      ["10.0.2.15", 10, 0x42],
      ["192.168.10.100", 11, 0x42],
    ]);
    expect(view.revNat.find((r) => r.id === 20)).toEqual({
      id: 20,
      address: "10.96.163.90",
      port: 80,
      family: 4,
    });
    // NodePort frontends and the node's reserved:host ipcache entries.
    expect(view.hostAddresses).toEqual(["10.0.2.15", "172.20.0.253", "192.168.10.100"]);
  });

  it("reports files it cannot read as warnings, never silently", async () => {
    const s = await loadSnapshot(LAB);
    const unread = s.warnings.filter((w) => w.message.startsWith("unrecognised content"));
    expect(unread.map((w) => w.file.split("/").pop())).toContain("hubble-observe.overlay.txt");
  });
});

describe("archives", () => {
  it("a sysdump-shaped .zip (bugtool tree per agent) loads each agent's dumps as that node's view", async () => {
    const dir = await loadSnapshot(LAB);
    const files = labFiles();
    // One bugtool tree per agent pod: the per-node ipcache dumps in their agents' trees, all other
    // dumps (taken on k8s-ctr) in k8s-ctr's agent's tree.
    const agents: Record<string, string> = {
      "k8s-ctr": "cilium-4xk2p",
      "k8s-w1": "cilium-9qz7m",
      "k8s-w0": "cilium-b8r5t",
    };
    const tree = (agent: string) =>
      `cilium-sysdump-20260101-120000/cilium-bugtool-${agent}-20260101-120000.123+0000-UTC/cmd/`;
    const members: Record<string, Uint8Array> = {};
    for (const [name, data] of Object.entries(files)) {
      const node = /^bpf-ipcache-list\.(.+)\.txt$/.exec(name)?.[1] ?? "k8s-ctr";
      const agent = agents[node]!;
      members[`${tree(agent)}${name.replace(/\.k8s-\w+\.txt$/, ".md")}`] = data;
    }
    const s = parseSnapshotFiles([{ name: "sysdump.zip", bytes: zipSync(members) }], {
      node: agents["k8s-ctr"]!,
    });
    expect(s.nodes.map((n) => n.name)).toEqual(["cilium-4xk2p", "cilium-9qz7m", "cilium-b8r5t"]);
    const ctr = dir.nodes.find((n) => n.name === "k8s-ctr")!;
    expect(viewEssence(s.selected)).toEqual(viewEssence(ctr));
    for (const [node, agent] of Object.entries(agents)) {
      const fromZip = s.nodes.find((n) => n.name === agent)!;
      const fromDir = dir.nodes.find((n) => n.name === node)!;
      expect(fromZip.ipcache, node).toEqual(fromDir.ipcache);
      expect(fromZip.ipcache.length, node).toBeGreaterThan(0);
      expect(fromZip.borrowed, node).toEqual([]);
    }
    expect(s.warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(
        /^1 archive files hold no dump dpemu reads \(e\.g\. hubble-observe\.overlay\.txt\)/,
      ),
    );
  });

  it("a bugtool-shaped .tar.gz loads the same as the directory", async () => {
    const dir = await loadSnapshot(LAB);
    const files = labFiles();
    const archive = gzipSync(
      tar(
        Object.fromEntries(
          Object.entries(files).map(([n, d]) => [`cilium-bugtool-20260101-120000/cmd/${n}`, d]),
        ),
      ),
    );
    const s = parseSnapshotFiles([{ name: "bugtool.tar.gz", bytes: archive }]);
    expect(essence(s)).toEqual(essence(dir));
  });

  it("a corrupt archive is bad input naming the file", () => {
    const broken = gzipSync(new TextEncoder().encode("not a tar archive at all".repeat(40)));
    expect(() => parseSnapshotFiles([{ name: "broken.tar.gz", bytes: broken }])).toThrow(InputError);
  });
});

describe("one file holding several pasted dumps", () => {
  const pasted = [
    "root@k8s-ctr:~# kubectl exec -n kube-system ds/cilium -- cilium-dbg service list",
    fixtureText("lab-3node/service-list.txt").replace(/ {3,}/g, "  ").replace(/\n/g, "\r\n"),
    "$ cilium-dbg bpf lb list | grep 10.96.163.90",
    "```",
    fixtureText("lab-3node/bpf-lb-list.webpod.txt").replace(/ +/g, " "),
    "```",
    "...",
    "# cilium-dbg status --verbose",
    fixtureText("misc/status-verbose.kpr-dsr-maglev.txt"),
  ].join("\n");

  it("finds each dump by content, whatever the prompts, fences, CRLF and collapsed columns", () => {
    const s = parseSnapshotFiles([{ name: "notes.md", text: pasted }]);
    expect(s.warnings).toEqual([]);
    const webpod = s.selected.services.find((x) => x.id === 20)!;
    expect(webpod.backendSlots).toHaveLength(3);
    expect(s.selected.config).toMatchObject({
      kprMode: "DSR",
      backendSelection: "Maglev",
      maglevTableSize: 16381,
    });
    // Only service list and lb list: backend IDs are derived, consistently across services.
    expect(s.selected.derivedIds).toBe(true);
    const dns = s.selected.services.filter(
      (x) => x.frontend.address === "10.96.0.10" && x.frontend.port === 53,
    );
    expect(new Set(dns.flatMap((x) => x.backendSlots)).size).toBe(4);
  });

  it("an unparseable line inside a recognised dump names file and line; --lenient skips it", () => {
    const bad = pasted.replace("3 => 172.20.2.1:80/TCP (active)", "3 => 172.20.2.1:80/TCP (sleeping)");
    const line = bad.split("\n").findIndex((l) => l.includes("sleeping")) + 1;
    expect(() => parseSnapshotFiles([{ name: "notes.md", text: bad }])).toThrow(
      new RegExp(`^notes\\.md:${line}: expected a \`service list\` row`),
    );
    const lenient = parseSnapshotFiles([{ name: "notes.md", text: bad }], { lenient: true });
    expect(lenient.warnings.map((w) => [w.file, w.line])).toContainEqual(["notes.md", line]);
  });
});

describe("nodes", () => {
  const svc = (frontendIp: string) =>
    `ID   Frontend                 Service Type   Backend\n1    ${frontendIp}:30001/TCP   NodePort       1 => 172.20.0.71:9090/TCP (active)\n`;

  it("names nodes from per-node file suffixes and picks the one asked for", () => {
    const files = [
      { name: "d/service-list.k8s-a.txt", text: svc("10.0.0.1") },
      { name: "d/service-list.k8s-b.txt", text: svc("10.0.0.2") },
    ];
    const s = parseSnapshotFiles(files, { node: "k8s-b" });
    expect(s.nodes.map((n) => n.name)).toEqual(["k8s-a", "k8s-b"]);
    expect(s.selected.services[0]!.frontend.address).toBe("10.0.0.2");
    expect(() => parseSnapshotFiles(files, { node: "k8s-c" })).toThrow(/--node "k8s-c"/);
    const unchosen = parseSnapshotFiles(files);
    expect(unchosen.warnings.some((w) => w.message.includes("choose with --node"))).toBe(true);
  });

  it("shared dumps belong to the node whose addresses they show, and that node is the default view", () => {
    const files = [
      { name: "d/service-list.k8s-a.txt", text: svc("10.0.0.1") },
      { name: "d/service-list.k8s-b.txt", text: svc("10.0.0.2") },
      // status --verbose without a node in its name; its KPR devices are k8s-b's addresses.
      {
        name: "d/status.txt",
        text: "KubeProxyReplacement Details:\n  Devices:   eth0 10.0.0.2 (Direct Routing)\n  Mode:   DSR\n",
      },
    ];
    const s = parseSnapshotFiles(files);
    expect(s.selected.name).toBe("k8s-b");
    expect(s.selected.config.kprMode).toBe("DSR");
    expect(s.warnings).toEqual([]);
    const a = s.nodes.find((n) => n.name === "k8s-a")!;
    expect(a.borrowed.map((d) => d.file)).toEqual(["d/status.txt"]);
  });

  it("a lone descriptive suffix is not a node", async () => {
    const s = await loadSnapshot(LAB);
    expect(s.nodes.map((n) => n.name)).not.toContain("webpod");
  });
});

describe("consistency warnings", () => {
  const map = (rows: string[]) => ["Key   Value   State   Error", ...rows].join("\n");

  it("reports a slot pointing at an unknown backend, a count that disagrees with the slots, and a backend without service", () => {
    const services = map([
      "10.96.0.50:80/TCP (0)   0 2[0] (7) [0x0 0x0]",
      "10.96.0.50:80/TCP (1)   41 0[0] (7) [0x0 0x0]",
    ]);
    const backends = [
      "Key   Value   State   Error",
      "41    TCP://10.1.0.1:8080",
      "42    TCP://10.1.0.2:8080",
    ].join("\n");
    const s = parseSnapshotFiles([
      { name: "services.txt", text: services },
      { name: "backends.txt", text: backends },
      { name: "lb.txt", text: "10.96.0.50:80/TCP (2)   backend 43 not found\n" },
    ]);
    const messages = s.warnings.map((w) => `${w.file}: ${w.message}`);
    expect(messages).toContainEqual(
      expect.stringMatching(/services\.txt: 10\.96\.0\.50:80\/TCP: count 2 \+ qcount 0 but 1 backend slots/),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/slot 2 points at backend 43, which no dump describes/),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/backends\.txt: backend 42 \(10\.1\.0\.2\) belongs to no service/),
    );
  });

  it("keeps IPv6 entries and reports them as not emulated", () => {
    const text =
      "ID   Frontend              Service Type   Backend\n1    [fd00::10]:80/TCP     ClusterIP      1 => [fd00::1:5]:8080/TCP (active)\n";
    const s = parseSnapshotFiles([{ name: "v6.txt", text }]);
    expect(s.selected.services[0]).toMatchObject({ family: 6, frontend: { address: "fd00::10" } });
    expect(
      s.warnings.some((w) => /1 IPv6 services and 1 IPv6 backends kept but not emulated/.test(w.message)),
    ).toBe(true);
  });
});
