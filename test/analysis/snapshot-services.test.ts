// Which services `dpemu compare` takes from a real snapshot (the lab fixture, node k8s-ctr's dumps).
import { beforeAll, describe, expect, it } from "vitest";
import { maglevTableCount, servicesToCompare } from "../../src/analysis/snapshot-services.js";
import type { NodeView } from "../../src/model/snapshot.js";
import { loadSnapshot } from "../../src/snapshot/load.js";
import { labSnapshotDir } from "../helpers/fixtures.js";

let view: NodeView;

beforeAll(async () => {
  view = (await loadSnapshot(labSnapshotDir())).selected;
});

describe("services from a snapshot", () => {
  it("by default takes the IPv4 frontends with at least two active backends, backends in slot order", () => {
    const services = servicesToCompare(view);
    expect(services.map((s) => [s.id, s.frontend])).toEqual([
      [5, "10.96.0.10:53/TCP"],
      [6, "10.96.0.10:53/UDP"],
      [7, "10.96.0.10:9153/TCP"],
      [20, "10.96.163.90:80/TCP"],
    ]);
    const webpod = services[3]!;
    expect(webpod.port).toBe(80);
    expect(webpod.protocol).toBe(6);
    // service-list.txt: slot 1 => 172.20.0.66, 2 => 172.20.1.126, 3 => 172.20.2.1.
    expect(webpod.backends.map((b) => `${b.address}:${b.port}/${b.protocol}`)).toEqual([
      "172.20.0.66:80/TCP",
      "172.20.1.126:80/TCP",
      "172.20.2.1:80/TCP",
    ]);
    expect(services[1]!.protocol).toBe(17);
  });

  it("--service matches an ID, a frontend, or IP:PORT across protocols", () => {
    expect(servicesToCompare(view, ["19"]).map((s) => s.frontend)).toEqual(["10.96.0.1:443/TCP"]);
    expect(servicesToCompare(view, ["10.96.163.90:80/TCP"]).map((s) => s.id)).toEqual([20]);
    expect(servicesToCompare(view, ["10.96.0.10:53"]).map((s) => s.id)).toEqual([5, 6]);
    expect(() => servicesToCompare(view, ["10.1.2.3:80"])).toThrow(/matches no IPv4 service/);
  });

  it("counts the Maglev tables Cilium builds: external frontends, not ClusterIPs or 0.0.0.0 surrogates", () => {
    // NodePorts 30001-30003 on 10.0.2.15 and 192.168.10.100.
    expect(maglevTableCount(view)).toBe(6);
  });
});
