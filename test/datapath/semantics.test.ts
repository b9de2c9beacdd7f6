// Cilium's datapath rules one by one (docs/datapath.md), on the hand-built lab node, for both
// engines: conntrack lifetimes and closing, garbage collection with the SNAT pairs of expired flows,
// NAT port exhaustion, graceful termination, session affinity, hairpin, wildcard and source-range
// entries, and the protocols the pipeline refuses.
import { describe, expect, it } from "vitest";
import { Datapath } from "../../src/datapath/datapath.js";
import { type DatapathState, type NodeConfig } from "../../src/engine/state.js";
import { labState } from "./lab-state.js";
import { EntryPoint, IpProto, TcpFlag, dst, pkt, replyTo } from "./scenario-helpers.js";
import { BackendState } from "../../src/model/backend.js";
import { requireIPv4, formatIPv4, parseCidr } from "../../src/model/ipv4.js";
import { ServiceFlag } from "../../src/model/service-flags.js";

const T0 = 1_700_000_000;
const WEBPOD = "10.96.163.90:80";
const CURL = "172.20.0.96";

describe.each(["wasm", "reference"] as const)("datapath semantics (%s)", (engine) => {
  const make = (state: DatapathState, seed = 1) => Datapath.create(state, { engine, seed });
  const lab = (overrides: Partial<NodeConfig> = {}) => labState(overrides);

  it("gives a new TCP flow the SYN timeout, established ones the TCP timeout, closed ones the close timeout", async () => {
    const dp = await make(lab({ gcIntervalSec: 1 }));
    const out = "8.8.8.8:443";
    const [syn] = dp.processBatch([pkt(`${CURL}:30000`, out, { seconds: T0 })]);
    expect(syn!.ctState).toBe("new");
    // 59 s later the entry is still there (SYN timeout 60 s); 61 s after its last refresh it is gone.
    expect(
      dp.processBatch([pkt(`${CURL}:30000`, out, { seconds: T0 + 59, flags: TcpFlag.ACK })])[0]!.ctState,
    ).toBe("established");
    // The ACK moved it to the established timeout (8000 s).
    expect(
      dp.processBatch([pkt(`${CURL}:30000`, out, { seconds: T0 + 5000, flags: TcpFlag.ACK })])[0]!.ctState,
    ).toBe("established");
    // FIN from both sides: closing, 10 s to live.
    dp.processBatch([pkt(`${CURL}:30000`, out, { seconds: T0 + 5001, flags: TcpFlag.FIN | TcpFlag.ACK })]);
    dp.processBatch([
      replyTo(syn!, EntryPoint.FromNetwork, { seconds: T0 + 5001, flags: TcpFlag.FIN | TcpFlag.ACK }),
    ]);
    const before = dp.stats();
    dp.gc(T0 + 5012);
    const after = dp.stats();
    expect(after.ct.tcp).toBeLessThan(before.ct.tcp);
    // The next packet of that tuple starts a new connection.
    expect(dp.processBatch([pkt(`${CURL}:30000`, out, { seconds: T0 + 5013 })])[0]!.ctState).toBe("new");
  });

  it("lets a SYN reopen a closing entry as a new connection", async () => {
    const dp = await make(lab());
    const out = "8.8.8.8:443";
    dp.processBatch([pkt(`${CURL}:30001`, out, { seconds: T0 })]);
    dp.processBatch([pkt(`${CURL}:30001`, out, { seconds: T0 + 1, flags: TcpFlag.RST })]);
    expect(dp.processBatch([pkt(`${CURL}:30001`, out, { seconds: T0 + 2 })])[0]!.ctState).toBe("new");
  });

  it("expires UDP entries after the non-TCP timeout and collects their SNAT mappings with them", async () => {
    const dp = await make(lab({ gcIntervalSec: 1000 }));
    const [v] = dp.processBatch([pkt(`${CURL}:5353`, "1.1.1.1:53", { proto: IpProto.UDP, seconds: T0 })]);
    expect(formatIPv4(v!.saddr)).toBe("192.168.10.100");
    const mapped = dp.stats();
    expect(mapped.nat.entries).toBe(2);
    dp.gc(T0 + 59);
    expect(dp.stats().nat.entries).toBe(2);
    dp.gc(T0 + 61);
    const collected = dp.stats();
    expect(collected.nat.entries).toBe(0);
    expect(collected.gc.natDeleted).toBe(2);
    expect(collected.ct.any).toBe(0);
  });

  it("runs the garbage collector on the packet clock", async () => {
    const dp = await make(lab({ gcIntervalSec: 30 }));
    dp.processBatch([pkt(`${CURL}:5353`, "1.1.1.1:53", { proto: IpProto.UDP, seconds: T0 })]);
    expect(dp.stats().ct.any).toBeGreaterThan(0);
    dp.processBatch([pkt(`${CURL}:1`, "172.20.0.66:80", { proto: IpProto.UDP, seconds: T0 + 100 })]);
    const s = dp.stats();
    expect(s.gc.runs).toBe(2);
    expect(s.nat.entries).toBe(0);
  });

  it("drops with NO_MAPPING_FOR_NAT_MASQUERADE when the NAT port range is exhausted", async () => {
    const dp = await make(lab({ natPortMin: 65534, natPortMax: 65535, snatCollisionRetries: 8 }));
    const pods = ["172.20.0.96", "172.20.0.66", "172.20.0.197"];
    const verdicts = pods.map(
      (p, i) => dp.processBatch([pkt(`${p}:${20000 + i}`, "8.8.8.8:443", { seconds: T0 })])[0]!,
    );
    expect(verdicts.slice(0, 2).map((v) => v.verdict)).toEqual(["FORWARDED", "FORWARDED"]);
    expect(new Set(verdicts.slice(0, 2).map((v) => v.sport))).toEqual(new Set([65534, 65535]));
    expect(verdicts[2]!.verdict).toBe("DROPPED");
    expect(verdicts[2]!.dropReason).toBe(167);
  });

  it("keeps draining flows on a terminating backend and sends new flows elsewhere", async () => {
    const dp = await make(lab());
    const flows = Array.from({ length: 30 }, (_, i) => pkt(`${CURL}:${31000 + i}`, WEBPOD, { seconds: T0 }));
    const first = dp.processBatch(flows);
    const victim = first[0]!.backendId;
    await dp.setBackendState(victim, BackendState.TERMINATING);
    const again = dp.processBatch(flows.map((p) => ({ ...p, tcpFlags: TcpFlag.ACK, seconds: T0 + 1 })));
    again.forEach((v, i) => expect(v.backendId).toBe(first[i]!.backendId));
    const fresh = dp.processBatch(
      Array.from({ length: 50 }, (_, i) => pkt(`${CURL}:${32000 + i}`, WEBPOD, { seconds: T0 + 2 })),
    );
    for (const v of fresh) expect(v.backendId).not.toBe(victim);
  });

  it("sticks a client to its backend with session affinity until the affinity timeout", async () => {
    const state = lab();
    const webpod = state.services.find((s) => s.revNatId === 20 && s.slot === 0)!;
    webpod.flags |= ServiceFlag.SessionAffinity;
    webpod.affinityTimeoutSec = 100;
    const dp = await make(state);
    const picks = Array.from(
      { length: 20 },
      (_, i) => dp.processBatch([pkt(`${CURL}:${33000 + i}`, WEBPOD, { seconds: T0 + i })])[0]!,
    );
    expect(new Set(picks.map((v) => v.backendId)).size).toBe(1);
    expect(picks.slice(1).every((v) => (v.flags & dp.layout.VFLAG_AFFINITY) !== 0)).toBe(true);
    const later = Array.from(
      { length: 20 },
      (_, i) => dp.processBatch([pkt(`${CURL}:${34000 + i}`, WEBPOD, { seconds: T0 + 1000 + i * 200 })])[0]!,
    );
    expect(new Set(later.map((v) => v.backendId)).size).toBeGreaterThan(1);
  });

  it("rewrites the source of a pod reaching itself through a service (hairpin)", async () => {
    const dp = await make(lab());
    const own = "172.20.0.66";
    const v = dp
      .processBatch(Array.from({ length: 20 }, (_, i) => pkt(`${own}:${35000 + i}`, WEBPOD, { seconds: T0 })))
      .find((x) => dst(x) === "172.20.0.66:80")!;
    expect(formatIPv4(v.saddr)).toBe("169.254.42.1");
    expect(v.flags & dp.layout.VFLAG_LOOPBACK).not.toBe(0);
    expect(v.observationPoint).toBe(101);
  });

  it("drops at the wildcard entry of a service address and outside the source ranges", async () => {
    const state = lab();
    const base = {
      address: requireIPv4("192.168.10.200"),
      proto: IpProto.TCP,
      scope: 0 as const,
      revNatId: 21,
      affinityTimeoutSec: 0,
      algorithm: 0 as const,
    };
    state.services.push(
      {
        ...base,
        port: 80,
        slot: 0,
        backendId: 0,
        count: 1,
        qcount: 0,
        flags: ServiceFlag.LoadBalancer | ServiceFlag.Routable | ServiceFlag.SourceRange,
        flags2: 0,
      },
      { ...base, port: 80, slot: 1, backendId: 14, count: 0, qcount: 0, flags: 0, flags2: 0 },
      {
        ...base,
        port: 0,
        proto: IpProto.ANY,
        revNatId: 0,
        slot: 0,
        backendId: 0,
        count: 0,
        qcount: 0,
        flags: ServiceFlag.LoadBalancer | ServiceFlag.Routable,
        flags2: 0,
      },
    );
    state.revNat.push({ id: 21, address: base.address, port: 80 });
    state.sourceRanges.push({ revNatId: 21, ...parseCidr("192.168.10.0/24") });
    const dp = await make(state);
    const fromNet = (from: string, to: string) =>
      dp.processBatch([pkt(from, to, { entry: EntryPoint.FromNetwork, seconds: T0 })])[0]!;
    expect(dst(fromNet("192.168.10.50:1000", "192.168.10.200:80"))).toBe("172.20.0.66:80");
    expect(fromNet("8.8.8.8:1000", "192.168.10.200:80").dropReason).toBe(177);
    const wildcard = fromNet("192.168.10.50:1001", "192.168.10.200:8080");
    expect(wildcard.dropReason).toBe(158);
    expect(wildcard.flags & dp.layout.VFLAG_WILDCARD).not.toBe(0);
    // Denying mode turns the list around.
    state.services[state.services.length - 3]!.flags2 = ServiceFlag.QuarantinedOrDeny >> 8;
    const deny = await make(state);
    expect(
      deny.processBatch([
        pkt("8.8.8.8:1000", "192.168.10.200:80", { entry: EntryPoint.FromNetwork, seconds: T0 }),
      ])[0]!.verdict,
    ).toBe("FORWARDED");
  });

  it("refuses unknown sources and protocols, and leaves ICMP to a ClusterIP untranslated", async () => {
    const dp = await make(lab());
    expect(
      dp.processBatch([pkt("10.1.2.3:1000", WEBPOD, { entry: EntryPoint.FromEndpoint })])[0]!.dropReason,
    ).toBe(132);
    expect(dp.processBatch([pkt(`${CURL}:0`, "172.20.0.66:0", { proto: 47 })])[0]!.dropReason).toBe(137);
    const icmp = dp.processBatch([
      pkt(`${CURL}:7`, "10.96.163.90", { proto: IpProto.ICMP, icmpType: 8 }),
    ])[0]!;
    expect(icmp.verdict).toBe("FORWARDED");
    expect(dst(icmp)).toBe("10.96.163.90:0");
    expect(icmp.flags & dp.layout.VFLAG_SERVICE).toBe(0);
  });

  it("stays within the CT and NAT map sizes, evicting, when flows outnumber them", async () => {
    const dp = await make(lab({ ctTcpMax: 16, ctAnyMax: 16, natMax: 16 }));
    dp.processBatch(
      Array.from({ length: 40 }, (_, i) => pkt(`${CURL}:${36000 + i}`, "8.8.8.8:443", { seconds: T0 })),
    );
    const s = dp.stats();
    expect(s.ct.tcp).toBe(16);
    expect(s.ct.evictions).toBeGreaterThan(0);
    // Each SNATed flow holds two NAT entries (egress and reverse).
    expect(s.nat.entries).toBeLessThanOrEqual(16);
    expect(s.nat.evictions).toBeGreaterThan(0);
  });
});
