// The lab scenarios on the bundled example snapshot (examples/lab-3node) as the loader reads it,
// plus the ip-masq-agent list captured on the same study's cluster.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixturePath } from "../helpers/fixtures.js";
import { datapathStateFromSnapshot } from "../../src/load/from-snapshot.js";
import type { Snapshot } from "../../src/model/snapshot.js";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import { labScenarios } from "./lab-scenarios.js";
import { formatIPv4 } from "../../src/model/ipv4.js";

const LAB = "examples/lab-3node";
const IPMASQ = "test/fixtures/misc/bpf-ipmasq-list.txt";
const DSR_STATUS = fixturePath("misc/status-verbose.kpr-dsr-maglev.txt");

let loaded: Promise<Snapshot> | undefined;
async function snapshot(): Promise<Snapshot> {
  loaded ??= (async () => {
    const names = (await readdir(LAB)).sort().map((n) => join(LAB, n));
    const files = await Promise.all(
      [...names, IPMASQ].map(async (name) => ({ name, bytes: new Uint8Array(await readFile(name)) })),
    );
    return parseSnapshotFiles(files, { source: LAB });
  })();
  return loaded;
}

labScenarios("examples/lab-3node", async (overrides = {}) => {
  const { name, ...config } = overrides;
  const { state } = datapathStateFromSnapshot(await snapshot(), {
    node: name ?? "k8s-ctr",
    dumpTime: 1_700_000_000,
    config: { ctTcpMax: 4096, ctAnyMax: 4096, natMax: 4096, affinityMax: 1024, ...config },
  });
  return state;
});

describe("datapathStateFromSnapshot on examples/lab-3node", () => {
  it("infers k8s-ctr's node facts from the dumps of all three nodes", async () => {
    const { state, notes } = datapathStateFromSnapshot(await snapshot(), {
      node: "k8s-ctr",
      dumpTime: 1_700_000_000,
    });
    expect(formatIPv4(state.node.masqueradeAddress)).toBe("192.168.10.100");
    expect(formatIPv4(state.node.routerAddress)).toBe("172.20.0.253");
    expect(state.node.routingMode).toBe("tunnel");
    expect(state.node.nativeRoutingCidr).toEqual({ prefix: 0xac140000, prefixLen: 24 });
    expect(state.node.addresses.map(formatIPv4).sort()).toEqual([
      "10.0.2.15",
      "172.20.0.253",
      "192.168.10.100",
    ]);
    expect(state.services.filter((s) => s.slot === 0)).toHaveLength(20);
    expect(state.ipcache).toHaveLength(22);
    expect(state.endpoints.filter((e) => !e.isHost)).toHaveLength(10);
    expect(state.nat.length).toBeGreaterThan(0);
    expect(notes.join("\n")).toContain("node address 192.168.10.100");
  });

  it("leaves k8s-ctr's pods out of k8s-w0's local endpoints", async () => {
    const { state, notes } = datapathStateFromSnapshot(await snapshot(), {
      node: "k8s-w0",
      dumpTime: 1_700_000_000,
    });
    expect(formatIPv4(state.node.masqueradeAddress)).toBe("192.168.20.100");
    expect(state.endpoints.filter((e) => !e.isHost).map((e) => formatIPv4(e.address))).not.toContain(
      "172.20.0.96",
    );
    expect(state.nat).toHaveLength(0);
    expect(notes.join("\n")).toContain("endpoints of the borrowed endpoint list are remote");
  });

  it("loads the DSR status of the same lab as DSR with Geneve dispatch, with no not-emulated note", async () => {
    const lab = await snapshot();
    const names = (await readdir(LAB)).filter((n) => n !== "status-verbose.txt").sort();
    const files = await Promise.all(
      [...names.map((n) => join(LAB, n)), IPMASQ, DSR_STATUS].map(async (name) => ({
        name,
        bytes: new Uint8Array(await readFile(name)),
      })),
    );
    const dsr = parseSnapshotFiles(files, { source: LAB });
    const { state, notes } = datapathStateFromSnapshot(dsr, { node: "k8s-ctr", dumpTime: 1_700_000_000 });
    expect(state.node).toMatchObject({ kprMode: "dsr", dsrDispatch: "geneve" });
    expect(notes.filter((n) => /DSR/.test(n) && /not emulated/.test(n))).toEqual([]);
    // The SNAT lab, for contrast, keeps SNAT mode.
    const snat = datapathStateFromSnapshot(lab, { node: "k8s-ctr", dumpTime: 1_700_000_000 });
    expect(snat.state.node.kprMode).toBe("snat");
  });
});
