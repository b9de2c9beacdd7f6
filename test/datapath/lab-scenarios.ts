// The lab-3node scenarios of issue 5, written once and run against any way of building node
// k8s-ctr's DatapathState (by hand, or loaded from examples/lab-3node) and against both engines.
import { describe, expect, it } from "vitest";
import { Datapath } from "../../src/datapath/datapath.js";
import { dropReason } from "../../src/engine/drop-reasons.js";
import type { DatapathState, NodeConfig } from "../../src/engine/state.js";
import { formatIpv4 } from "../../src/engine/verdict.js";
import { EntryPoint, IpProto, TcpFlag, dst, pkt, replyTo, src } from "./scenario-helpers.js";

const WEBPOD = "10.96.163.90:80";
const WEBPOD_BACKENDS = ["172.20.0.66:80", "172.20.1.126:80", "172.20.2.1:80"];
const CURL = "172.20.0.96";

export type LabStateSource = (overrides?: Partial<NodeConfig>) => Promise<DatapathState>;

export function labScenarios(name: string, labState: LabStateSource): void {
  describe.each(["wasm", "reference"] as const)(`lab-3node k8s-ctr (${name}, %s)`, (engine) => {
    const make = async (overrides: Partial<NodeConfig> = {}, algorithm?: "maglev" | "random", seed = 1) =>
      Datapath.create(await labState(overrides), { engine, algorithm, seed });

    it("sends curl-pod to one of the three webpod backends and reverse-translates every reply", async () => {
      const dp = await make();
      const seen = new Set<string>();
      for (let port = 40000; port < 40060; port++) {
        const [v] = dp.processBatch([pkt(`${CURL}:${port}`, WEBPOD)]);
        expect(v!.verdict).toBe("FORWARDED");
        expect(v!.revNatId).toBe(20);
        expect(src(v!)).toBe(`${CURL}:${port}`);
        expect(WEBPOD_BACKENDS).toContain(dst(v!));
        seen.add(dst(v!));
        // Local backend: delivered to its endpoint; remote: into the tunnel towards its node.
        if (dst(v!) === "172.20.0.66:80") expect(v!.observationPoint).toBe(101);
        else {
          expect(v!.observationPoint).toBe(4);
          expect(formatIpv4(v!.tunnelEndpoint)).toBe(
            dst(v!).startsWith("172.20.1.") ? "192.168.10.101" : "192.168.20.100",
          );
        }
        const local = dst(v!) === "172.20.0.66:80";
        const [r] = dp.processBatch([replyTo(v!, local ? EntryPoint.FromEndpoint : EntryPoint.FromOverlay)]);
        expect(r!.verdict).toBe("FORWARDED");
        expect(r!.observationPoint).toBe(101);
        expect(r!.ctState).toBe("reply");
        expect(src(r!)).toBe(WEBPOD);
        expect(dst(r!)).toBe(`${CURL}:${port}`);
      }
      expect([...seen].sort()).toEqual([...WEBPOD_BACKENDS].sort());
    });

    it("keeps a flow on its backend when the siblings change, and steers new flows off a removed backend", async () => {
      const dp = await make();
      const [first] = dp.processBatch([pkt(`${CURL}:41000`, WEBPOD)]);
      const chosen = first!.backendId;
      const others = dp.serviceBackends(WEBPOD).filter((id) => id !== chosen);
      await dp.removeBackend(WEBPOD, others[0]!);
      await dp.addBackend(WEBPOD, { address: "172.20.2.99", port: 80 });
      const [again] = dp.processBatch([pkt(`${CURL}:41000`, WEBPOD, { flags: TcpFlag.ACK })]);
      expect(again!.backendId).toBe(chosen);
      expect(again!.serviceCt).toBe("existing");
      await dp.removeBackend(WEBPOD, chosen);
      const fresh = dp.processBatch(
        Array.from({ length: 200 }, (_, i) => pkt(`${CURL}:${42000 + i}`, WEBPOD)),
      );
      for (const v of fresh) {
        expect(v.serviceCt).toBe("new");
        expect(v.backendId).not.toBe(chosen);
        expect(dp.serviceBackends(WEBPOD)).toContain(v.backendId);
      }
      // The removed backend's own flow is re-balanced on its next packet.
      const [orphan] = dp.processBatch([pkt(`${CURL}:41000`, WEBPOD, { flags: TcpFlag.ACK })]);
      expect(orphan!.backendId).not.toBe(chosen);
    });

    it("re-weights a backend: Maglev steers new flows by the new weight, established flows stay", async () => {
      const dp = await make({}, "maglev");
      const flows = (first: number, flags: number) =>
        Array.from({ length: 600 }, (_, i) => pkt(`${CURL}:${first + i}`, WEBPOD, { flags }));
      const established = dp.processBatch(flows(43000, TcpFlag.SYN)).map((v) => v.backendId);
      const heavy = dp.serviceBackends(WEBPOD)[0]!;
      await dp.setBackendWeight(heavy, 400);
      expect(dp.backend(heavy)!.weight).toBe(400);
      expect(dp.processBatch(flows(43000, TcpFlag.ACK)).map((v) => v.backendId)).toEqual(established);
      // 400 of 600 weight units: two thirds of the table, against a third before.
      const share = (ids: number[]) => ids.filter((id) => id === heavy).length / ids.length;
      expect(share(established)).toBeLessThan(0.45);
      expect(share(dp.processBatch(flows(50000, TcpFlag.SYN)).map((v) => v.backendId))).toBeGreaterThan(0.58);
      await expect(dp.setBackendWeight(9999, 100)).rejects.toThrow(/unknown backend 9999/);
      await expect(dp.setBackendWeight(heavy, 70000)).rejects.toThrow(/weight must be an integer 0\.\.65535/);
    });

    it("masquerades pod traffic to 10.10.1.200 to 192.168.10.100 and translates the reply back", async () => {
      const dp = await make({ ipMasqAgent: false });
      const [v] = dp.processBatch([pkt(`${CURL}:45000`, "10.10.1.200:443")]);
      expect(v!.verdict).toBe("FORWARDED");
      expect(formatIpv4(v!.saddr)).toBe("192.168.10.100");
      expect(v!.sport).toBeGreaterThanOrEqual(32768);
      expect(v!.observationPoint).toBe(11);
      const [r] = dp.processBatch([replyTo(v!, EntryPoint.FromNetwork)]);
      expect(dst(r!)).toBe(`${CURL}:45000`);
      expect(r!.observationPoint).toBe(101);
      expect(r!.ctState).toBe("reply");
    });

    it("does not masquerade towards the ip-masq-agent CIDRs", async () => {
      const dp = await make({ ipMasqAgent: true });
      const [v] = dp.processBatch([pkt(`${CURL}:45001`, "10.10.1.200:443")]);
      expect(src(v!)).toBe(`${CURL}:45001`);
      const [other] = dp.processBatch([pkt(`${CURL}:45002`, "10.10.3.200:443")]);
      expect(formatIpv4(other!.saddr)).toBe("192.168.10.100");
    });

    it("sends pod-to-pod traffic to 172.20.2.1 into the overlay towards 192.168.20.100", async () => {
      const dp = await make();
      const [v] = dp.processBatch([pkt(`${CURL}:46000`, "172.20.2.1:80")]);
      expect(v!.observationPoint).toBe(4);
      expect(formatIpv4(v!.tunnelEndpoint)).toBe("192.168.20.100");
      expect(v!.dstIdentity).toBe(8469);
      expect(v!.srcIdentity).toBe(63446);
      expect(src(v!)).toBe(`${CURL}:46000`);
    });

    it.each(["192.168.10.100", "10.0.2.15"])("serves NodePort 30003 on node address %s", async (node) => {
      const dp = await make();
      const client = "192.168.10.50:50000";
      const [v] = dp.processBatch([pkt(client, `${node}:30003`, { entry: EntryPoint.FromNetwork })]);
      expect(v!.verdict).toBe("FORWARDED");
      expect(dst(v!)).toBe("172.20.0.73:8081");
      expect(v!.observationPoint).toBe(101);
      expect(dp.frontendOf(v!.revNatId)).toBe(`${node}:30003/TCP`);
      const [r] = dp.processBatch([replyTo(v!, EntryPoint.FromEndpoint)]);
      expect(src(r!)).toBe(`${node}:30003`);
      expect(dst(r!)).toBe(client);
      expect(r!.observationPoint).toBe(11);
    });

    it("load-balances kube-dns over UDP and answers from 10.96.0.10:53", async () => {
      const dp = await make();
      const [v] = dp.processBatch([pkt(`${CURL}:53000`, "10.96.0.10:53", { proto: IpProto.UDP })]);
      expect(v!.revNatId).toBe(6);
      expect(["172.20.0.197:53", "172.20.0.248:53"]).toContain(dst(v!));
      const [r] = dp.processBatch([replyTo(v!, EntryPoint.FromEndpoint, { proto: IpProto.UDP })]);
      expect(src(r!)).toBe("10.96.0.10:53");
      expect(dst(r!)).toBe(`${CURL}:53000`);
    });

    it("does not translate a ClusterIP reached from outside the cluster", async () => {
      const dp = await make();
      const [v] = dp.processBatch([pkt("192.168.10.50:50001", WEBPOD, { entry: EntryPoint.FromNetwork })]);
      expect(v!.verdict).toBe("DROPPED");
      expect(dropReason(v!.dropReason).hubble).toBe("IS_A_CLUSTERIP");
      expect(v!.dropReason).toBe(174);
      expect(dst(v!)).toBe(WEBPOD);
    });

    it("drops new flows to a service without backends with Cilium's reason", async () => {
      const dp = await make();
      for (const id of dp.serviceBackends(WEBPOD)) await dp.removeBackend(WEBPOD, id);
      const [v] = dp.processBatch([pkt(`${CURL}:47000`, WEBPOD)]);
      expect(v!.verdict).toBe("DROPPED");
      expect(v!.dropReason).toBe(158);
      expect(dropReason(v!.dropReason).hubble).toBe("SERVICE_BACKEND_NOT_FOUND");
    });

    it("gives the same Maglev backend for the same flow on every run and every node", async () => {
      const flows = Array.from({ length: 40 }, (_, i) => pkt(`192.168.10.50:${51000 + i}`, WEBPOD));
      const picks: number[][] = [];
      for (const [seed, node] of [
        [1, "k8s-ctr"],
        [99, "k8s-ctr"],
        [7, "k8s-w0"],
        [3, "k8s-w1"],
      ] as const) {
        const state = await labState({ name: node });
        // The same client talking to the service from each node's own pods.
        state.endpoints.push({ address: flows[0]!.saddr, endpointId: 4000, identity: 12345, isHost: false });
        const dp = await Datapath.create(state, { engine, algorithm: "maglev", seed });
        picks.push(dp.processBatch(flows).map((v) => v.backendId));
      }
      for (const p of picks) expect(p).toEqual(picks[0]);
      expect(new Set(picks[0]).size).toBe(3);
    });
  });
}
