// NodePort forwarding to a backend on another node, through two nodes' own datapaths (k8s-ctr is
// the ingress node, k8s-w0 holds the backend; two-node-state.ts): SNAT mode, where replies return
// through the ingress node, and DSR with each dispatch, where the backend's node answers the client
// itself with the service address, plus hybrid mode (DSR for TCP, SNAT for UDP). The hand-over
// between the nodes is what the cluster layer does with a verdict: the inner packet goes on, to the
// IPIP outer destination when there is one, carrying the DSR info the verdict attached.
import { describe, expect, it } from "vitest";
import { Datapath } from "../../src/datapath/datapath.js";
import { TupleFlag, type NodeConfig } from "../../src/engine/state.js";
import type { DatapathVerdict } from "../../src/engine/verdict.js";
import { formatIPv4, requireIPv4 } from "../../src/model/ipv4.js";
import type { PacketRecord } from "../../src/model/packet.js";
import { EntryPoint, IpProto, TcpFlag, dst, pkt, src } from "./scenario-helpers.js";
import { RECORD_LAYOUT } from "../../src/wasm/codec.js";
import { BACKEND_POD, CTR, LB_IP, W0, ctrState, w0State } from "./two-node-state.js";

const CLIENT = "192.168.10.200";
const VFLAG_DSR = RECORD_LAYOUT.VFLAG_DSR;
const OBS = { TO_OVERLAY: 4, TO_NETWORK: 11, TO_ENDPOINT: 101 } as const;

/** The packet the next node receives for a forwarded verdict. */
function handOver(v: DatapathVerdict, entry: EntryPoint, flags: number): PacketRecord {
  const p = pkt(src(v), `${formatIPv4(v.encap === "ipip" ? v.outerDaddr : v.daddr)}:${v.dport}`, {
    flags,
    entry,
  });
  if (v.dsr) {
    p.dsrAddr = v.dsrAddr;
    p.dsrPort = v.dsrPort;
  }
  return p;
}

/** The backend pod's reply to what it received. */
const reply = (v: DatapathVerdict, flags = TcpFlag.SYN | TcpFlag.ACK): PacketRecord =>
  pkt(dst(v), src(v), { flags, entry: EntryPoint.FromEndpoint });

describe.each(["wasm", "reference"] as const)("cross-node NodePort forwarding (%s)", (engine) => {
  const nodes = async (config: Partial<NodeConfig>) => ({
    ctr: await Datapath.create(ctrState(config), { engine }),
    w0: await Datapath.create(w0State(config), { engine }),
  });

  it("SNAT mode: the ingress node SNATs into the VXLAN tunnel and reverse-translates the reply", async () => {
    const { ctr, w0 } = await nodes({ kprMode: "snat" });
    const [req] = ctr.processBatch([
      pkt(`${CLIENT}:40000`, `${LB_IP}:80`, { entry: EntryPoint.FromNetwork }),
    ]);
    expect(req).toMatchObject({ verdict: "FORWARDED", observationPoint: OBS.TO_OVERLAY, encap: "vxlan" });
    expect(formatIPv4(req!.saddr)).toBe("172.20.0.253");
    expect(dst(req!)).toBe(`${BACKEND_POD}:8080`);
    expect([formatIPv4(req!.outerSaddr), formatIPv4(req!.outerDaddr)]).toEqual([CTR, W0]);
    expect(req).toMatchObject({ encapOverhead: 50, dsr: false, dsrAddr: 0, dsrPort: 0 });

    const [atW0] = w0.processBatch([handOver(req!, EntryPoint.FromOverlay, TcpFlag.SYN)]);
    expect(atW0).toMatchObject({ observationPoint: OBS.TO_ENDPOINT, dstEndpointId: 1431 });
    const [back] = w0.processBatch([reply(atW0!)]);
    // The reply goes back to the ingress node's cilium_host address, through the tunnel.
    expect(back).toMatchObject({ observationPoint: OBS.TO_OVERLAY, encap: "vxlan", ctState: "reply" });
    expect(formatIPv4(back!.outerDaddr)).toBe(CTR);
    const [out] = ctr.processBatch([handOver(back!, EntryPoint.FromOverlay, TcpFlag.SYN | TcpFlag.ACK)]);
    expect(out).toMatchObject({ observationPoint: OBS.TO_NETWORK, encap: "none", encapOverhead: 0 });
    expect([src(out!), dst(out!)]).toEqual([`${LB_IP}:80`, `${CLIENT}:40000`]);
  });

  it("DSR with Geneve: the option rides on the SYN only, and the backend's node answers the client", async () => {
    const { ctr, w0 } = await nodes({ kprMode: "dsr", dsrDispatch: "geneve", tunnelProtocol: "geneve" });
    const syn = pkt(`${CLIENT}:40001`, `${LB_IP}:80`, { entry: EntryPoint.FromNetwork });
    const [req] = ctr.processBatch([syn]);
    expect(req).toMatchObject({ verdict: "FORWARDED", observationPoint: OBS.TO_OVERLAY, encap: "geneve" });
    // No SNAT: the client's address goes through; the service address rides in the option.
    expect([src(req!), dst(req!)]).toEqual([`${CLIENT}:40001`, `${BACKEND_POD}:8080`]);
    expect(req).toMatchObject({ dsr: true, dsrAddr: requireIPv4(LB_IP), dsrPort: 80, encapOverhead: 62 });
    expect(formatIPv4(req!.tunnelEndpoint)).toBe(W0);
    // Replies never come back to the ingress node: it keeps the service entry that pins the
    // backend, but no conntrack entry for the connection itself.
    const ct = ctr.readMap("ctTcp") as { tuple: { flags: number } }[];
    expect(ct.map((e) => e.tuple.flags)).toEqual([TupleFlag.SERVICE]);

    const [atW0] = w0.processBatch([handOver(req!, EntryPoint.FromOverlay, TcpFlag.SYN)]);
    expect(atW0).toMatchObject({ observationPoint: OBS.TO_ENDPOINT, dstEndpointId: 1431 });
    expect(atW0!.flags & VFLAG_DSR).not.toBe(0);
    const [back] = w0.processBatch([reply(atW0!)]);
    expect(back).toMatchObject({ verdict: "FORWARDED", observationPoint: OBS.TO_NETWORK, encap: "none" });
    expect([src(back!), dst(back!)]).toEqual([`${LB_IP}:80`, `${CLIENT}:40001`]);
    expect(back!.flags & VFLAG_DSR).not.toBe(0);

    // The ACK carries no option: the same backend, and the backend's node still knows the flow.
    const [ack] = ctr.processBatch([{ ...syn, tcpFlags: TcpFlag.ACK }]);
    expect(ack).toMatchObject({ dsr: false, encapOverhead: 50, backendId: req!.backendId });
    const [ackAtW0] = w0.processBatch([handOver(ack!, EntryPoint.FromOverlay, TcpFlag.ACK)]);
    expect(ackAtW0).toMatchObject({ observationPoint: OBS.TO_ENDPOINT, ctState: "established" });
    const [data] = w0.processBatch([reply(atW0!, TcpFlag.ACK | TcpFlag.PSH)]);
    expect(src(data!)).toBe(`${LB_IP}:80`);
  });

  it("DSR with the IPv4 option: natively routed, 8 bytes of option on the SYN", async () => {
    const native = { kprMode: "dsr", dsrDispatch: "opt", routingMode: "native" } as const;
    const { ctr, w0 } = await nodes(native);
    const [req] = ctr.processBatch([
      pkt(`${CLIENT}:40002`, `${LB_IP}:80`, { entry: EntryPoint.FromNetwork }),
    ]);
    expect(req).toMatchObject({
      observationPoint: OBS.TO_NETWORK,
      encap: "none",
      encapOverhead: 8,
      dsr: true,
    });
    expect(dst(req!)).toBe(`${BACKEND_POD}:8080`);
    const [atW0] = w0.processBatch([handOver(req!, EntryPoint.FromNetwork, TcpFlag.SYN)]);
    expect(atW0).toMatchObject({ observationPoint: OBS.TO_ENDPOINT });
    const [back] = w0.processBatch([reply(atW0!)]);
    expect([src(back!), dst(back!)]).toEqual([`${LB_IP}:80`, `${CLIENT}:40002`]);
    expect(back!.observationPoint).toBe(OBS.TO_NETWORK);
  });

  it("DSR with IPIP: the inner header keeps the service address, the outer one targets the backend", async () => {
    const { ctr, w0 } = await nodes({ kprMode: "dsr", dsrDispatch: "ipip", routingMode: "native" });
    const [req] = ctr.processBatch([
      pkt(`${CLIENT}:40003`, `${LB_IP}:80`, { entry: EntryPoint.FromNetwork }),
    ]);
    expect(req).toMatchObject({
      observationPoint: OBS.TO_NETWORK,
      encap: "ipip",
      encapOverhead: 20,
      dsr: true,
    });
    expect([src(req!), dst(req!)]).toEqual([`${CLIENT}:40003`, `${LB_IP}:8080`]);
    expect([formatIPv4(req!.outerSaddr), formatIPv4(req!.outerDaddr)]).toEqual([CTR, BACKEND_POD]);
    const [atW0] = w0.processBatch([handOver(req!, EntryPoint.FromNetwork, TcpFlag.SYN)]);
    expect(atW0).toMatchObject({ observationPoint: OBS.TO_ENDPOINT });
    const [back] = w0.processBatch([reply(atW0!)]);
    expect([src(back!), dst(back!)]).toEqual([`${LB_IP}:80`, `${CLIENT}:40003`]);
  });

  it("hybrid mode: DSR for TCP, SNAT for UDP", async () => {
    const { ctr, w0 } = await nodes({ kprMode: "hybrid", dsrDispatch: "geneve", tunnelProtocol: "geneve" });
    const [tcp, udp] = ctr.processBatch([
      pkt(`${CLIENT}:40004`, `${LB_IP}:80`, { entry: EntryPoint.FromNetwork }),
      pkt(`${CLIENT}:40004`, `${LB_IP}:53`, { entry: EntryPoint.FromNetwork, proto: IpProto.UDP }),
    ]);
    expect(tcp).toMatchObject({ encap: "geneve", dsr: true, encapOverhead: 62 });
    expect(src(tcp!)).toBe(`${CLIENT}:40004`);
    expect(udp).toMatchObject({ encap: "geneve", dsr: false, encapOverhead: 50 });
    expect(formatIPv4(udp!.saddr)).toBe("172.20.0.253");
    expect(dst(udp!)).toBe(`${BACKEND_POD}:5353`);
    // The UDP reply goes back through the ingress node, which restores the service address.
    const udpIn = handOver(udp!, EntryPoint.FromOverlay, 0);
    udpIn.proto = IpProto.UDP;
    const [atW0] = w0.processBatch([udpIn]);
    const back = pkt(dst(atW0!), src(atW0!), { proto: IpProto.UDP, entry: EntryPoint.FromEndpoint });
    const [viaTunnel] = w0.processBatch([back]);
    expect(formatIPv4(viaTunnel!.outerDaddr)).toBe(CTR);
    const home = handOver(viaTunnel!, EntryPoint.FromOverlay, 0);
    home.proto = IpProto.UDP;
    const [out] = ctr.processBatch([home]);
    expect([src(out!), dst(out!)]).toEqual([`${LB_IP}:53`, `${CLIENT}:40004`]);
  });

  it("DSR with Geneve drops a request whose remote backend has no tunnel endpoint", async () => {
    const { ctr } = await nodes({ kprMode: "dsr", dsrDispatch: "geneve" });
    await ctr.addBackend(`${LB_IP}:80`, { address: "10.10.1.7", port: 8080 });
    const verdicts = ctr.processBatch(
      Array.from({ length: 64 }, (_, i) =>
        pkt(`${CLIENT}:${41000 + i}`, `${LB_IP}:80`, { entry: EntryPoint.FromNetwork }),
      ),
    );
    const toWorld = verdicts.filter((v) => formatIPv4(v.daddr) === "10.10.1.7");
    expect(toWorld.length).toBeGreaterThan(0);
    for (const v of toWorld) expect(v).toMatchObject({ verdict: "DROPPED", dropReason: 160 });
  });

  it("collects the backend node's DSR state with its conntrack entry", async () => {
    const { ctr, w0 } = await nodes({ kprMode: "dsr", dsrDispatch: "geneve", gcIntervalSec: 30 });
    const [req] = ctr.processBatch([
      pkt(`${CLIENT}:40005`, `${LB_IP}:80`, { entry: EntryPoint.FromNetwork }),
    ]);
    const p = handOver(req!, EntryPoint.FromOverlay, TcpFlag.SYN);
    w0.processBatch([p]);
    expect(w0.readMap("nat").length).toBe(1);
    // Long after the SYN timeout, the next collection deletes the flow's entries and the DSR mapping.
    w0.processBatch([
      pkt("8.8.8.8:1", `${W0}:1`, { entry: EntryPoint.FromNetwork, seconds: p.seconds + 4000 }),
    ]);
    expect(w0.readMap("nat")).toEqual([]);
  });
});
