// `cilium node list` under Cluster Mesh (the lab's real outputs) and the mesh's cluster inputs:
// names, IDs, node lists, and clear errors for what cannot be read.
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isNodeList, parseNodeList } from "../../src/mesh/node-list.js";
import { loadMeshCluster, parseMeshClusterSpec } from "../../src/mesh/mesh-inputs.js";
import { formatIPv4 } from "../../src/model/ipv4.js";
import { MESH_LAB } from "./helpers.js";

const show = (text: string) =>
  parseNodeList(text, "node-list.txt").map(
    (e) =>
      `${e.cluster}/${e.node} ${formatIPv4(e.address)} ${e.podCidrs.map((c) => `${formatIPv4(c.prefix)}/${c.prefixLen}`).join(",")} ${e.source}`,
  );

describe("cilium node list", () => {
  it("reads west's list: east's nodes come from clustermesh", () => {
    const text = readFileSync(`${MESH_LAB}/west/node-list.txt`, "utf8");
    expect(isNodeList(text)).toBe(true);
    expect(show(text)).toEqual([
      "east/east-control-plane 172.18.0.5 10.1.0.0/24 clustermesh",
      "east/east-worker 172.18.0.4 10.1.1.0/24 clustermesh",
      "west/west-control-plane 172.18.0.3 10.0.0.0/24 custom-resource",
      "west/west-worker 172.18.0.2 10.0.1.0/24 local",
    ]);
  });

  it("reads tab-aligned rows with IPv6 columns, and rejects a broken row with its line", () => {
    const aligned = [
      "Name                 IPv4 Address   Endpoint CIDR   IPv6 Address   Endpoint CIDR   Source",
      "c1/n1                10.0.0.1       10.8.0.0/24     fd00::1        fd10::/64       local",
    ].join("\n");
    expect(show(aligned)).toEqual(["c1/n1 10.0.0.1 10.8.0.0/24 local"]);
    expect(() => parseNodeList(`${aligned}\nc1/n2 not-an-address local\n`, "x.txt")).toThrow(
      /x\.txt:3: expected a node row/,
    );
    expect(isNodeList("IP PREFIX/ADDRESS   IDENTITY\n")).toBe(false);
  });
});

describe("mesh cluster inputs", () => {
  it("takes name and ID from the agent configuration, or from NAME:ID=DIR", async () => {
    const west = await loadMeshCluster({ path: `${MESH_LAB}/west` });
    expect([west.name, west.id, west.nodeList.length, west.snapshot.nodes.length]).toEqual(["west", 1, 4, 2]);
    const spec = parseMeshClusterSpec(`left:7=${MESH_LAB}/east`);
    expect(spec).toEqual({ name: "left", id: 7, path: `${MESH_LAB}/east` });
    const east = await loadMeshCluster(spec);
    expect([east.name, east.id]).toEqual(["left", 7]);
  });

  it("rejects a bad spec, a missing path and a nameless cluster with one clear line", async () => {
    expect(() => parseMeshClusterSpec("we st=dir")).toThrow(/expected NAME\[:ID\]=DIR/);
    expect(() => parseMeshClusterSpec("west:0=dir")).toThrow(/cluster ID must be 1\.\.511/);
    await expect(loadMeshCluster({ path: "/nonexistent/dpemu-mesh" })).rejects.toThrow(/no such file/);
    const dir = await mkdtemp(join(tmpdir(), "dpemu-mesh-"));
    try {
      await mkdir(join(dir, "c"));
      await writeFile(
        join(dir, "c", "service-list.txt"),
        readFileSync(`${MESH_LAB}/west/service-list.clustermesh-affinity.txt`),
      );
      await expect(loadMeshCluster({ path: join(dir, "c") })).rejects.toThrow(/the cluster has no name/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
