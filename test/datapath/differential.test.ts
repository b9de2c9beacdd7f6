// Differential test: the Wasm pipeline and its TypeScript reference twin get the same node, the same
// packets (random tuples, flags, entry points and clock jumps, DSR info as another node attaches
// it, plus replies built from earlier verdicts) in SNAT, DSR (each dispatch) and hybrid mode, and
// the same backend churn between batches; every verdict must be identical, and so must the map
// statistics and every map's entries at the end. Over 100,000 packets per run of the suite.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Datapath, type DatapathOptions } from "../../src/datapath/datapath.js";
import { type DatapathVerdict } from "../../src/engine/verdict.js";
import { EntryPoint, createPacketRecord, type PacketRecord } from "../../src/model/packet.js";
import { type DatapathState, type NodeConfig, type ServiceMapEntry } from "../../src/engine/state.js";
import { DATAPATH_MAP_NAMES } from "../../src/engine/map-records.js";
import { labState } from "./lab-state.js";
import { BackendState } from "../../src/model/backend.js";
import { requireIPv4, parseCidr } from "../../src/model/ipv4.js";
import { IpProto } from "../../src/model/protocol.js";
import { ServiceFlag } from "../../src/model/service-flags.js";
import { FUZZING, pinnedSeed, runs } from "../helpers/property.js";
import { mulberry32 } from "../helpers/mulberry32.js";

const ip = (text: string): number => requireIPv4(text);

function master(
  address: string,
  port: number,
  proto: number,
  revNatId: number,
  flags: number,
  flags2: number,
  count: number,
  scope: 0 | 1 = 0,
): ServiceMapEntry {
  return {
    address: ip(address),
    port,
    proto,
    scope,
    slot: 0,
    backendId: 0,
    count,
    qcount: 0,
    revNatId,
    flags,
    flags2,
    affinityTimeoutSec: 0,
    algorithm: 0,
  };
}

function slots(m: ServiceMapEntry, ids: number[]): ServiceMapEntry[] {
  return ids.map((backendId, i) => ({
    ...m,
    slot: i + 1,
    backendId,
    count: 0,
    qcount: 0,
    flags: 0,
    flags2: 0,
  }));
}

interface Variant {
  seed: number;
  node: Partial<NodeConfig>;
  algorithm: DatapathOptions["algorithm"];
  affinityTimeout: number;
  perServiceMaglev: boolean;
  denySourceRange: boolean;
}

/** The lab node plus frontends that exercise the rarer paths. */
function variantState(v: Variant): DatapathState {
  const s = labState(v.node);
  const webpod = s.services.find((x) => x.revNatId === 20 && x.slot === 0)!;
  if (v.affinityTimeout > 0) {
    webpod.flags |= ServiceFlag.SessionAffinity;
    webpod.affinityTimeoutSec = v.affinityTimeout;
  }
  if (v.perServiceMaglev) s.services.find((x) => x.revNatId === 5 && x.slot === 0)!.algorithm = 2;
  const lb = master(
    "192.168.10.200",
    80,
    IpProto.TCP,
    21,
    ServiceFlag.LoadBalancer | ServiceFlag.Routable | ServiceFlag.SourceRange,
    v.denySourceRange ? ServiceFlag.QuarantinedOrDeny >> 8 : 0,
    3,
  );
  const empty = master("10.96.99.99", 80, IpProto.TCP, 22, 0, 0, 0);
  const wildcard = master("10.96.163.90", 0, IpProto.ANY, 0, 0, 0, 0);
  const ext = master(
    "192.168.10.100",
    30004,
    IpProto.TCP,
    23,
    ServiceFlag.NodePort | ServiceFlag.Routable | ServiceFlag.ExtLocalScope,
    ServiceFlag.TwoScopes >> 8,
    1,
  );
  const int = master(
    "192.168.10.100",
    30004,
    IpProto.TCP,
    23,
    ServiceFlag.NodePort | ServiceFlag.Routable,
    ServiceFlag.TwoScopes >> 8,
    2,
    1,
  );
  s.services.push(
    lb,
    ...slots(lb, [14, 16, 17]),
    empty,
    wildcard,
    ext,
    ...slots(ext, [14]),
    int,
    ...slots(int, [14, 15]),
  );
  s.revNat.push(
    { id: 21, address: ip("192.168.10.200"), port: 80 },
    { id: 22, address: ip("10.96.99.99"), port: 80 },
    { id: 23, address: ip("192.168.10.100"), port: 30004 },
  );
  // A host-network backend on another node: no tunnel endpoint for DSR's Geneve dispatch.
  s.backends.push({
    id: 17,
    address: ip("192.168.20.100"),
    port: 80,
    proto: IpProto.TCP,
    state: BackendState.ACTIVE,
    weight: 100,
  });
  s.sourceRanges.push({ revNatId: 21, ...parseCidr("192.168.0.0/16") });
  return s;
}

const LOCAL = [
  "172.20.0.96",
  "172.20.0.66",
  "172.20.0.197",
  "172.20.0.248",
  "172.20.0.73",
  "172.20.0.33",
].map(ip);
const REMOTE = [
  "172.20.1.126",
  "172.20.2.1",
  "172.20.1.50",
  "172.20.2.77",
  "192.168.10.101",
  "192.168.20.100",
].map(ip);
const EXTERNAL = ["8.8.8.8", "10.10.1.200", "104.16.100.215", "192.168.10.50", "1.1.1.1"].map(ip);
const NODE = ["192.168.10.100", "10.0.2.15", "172.20.0.253"].map(ip);
const FRONTENDS: [number, number, number][] = [
  [ip("10.96.163.90"), 80, IpProto.TCP],
  [ip("10.96.0.10"), 53, IpProto.UDP],
  [ip("10.96.0.10"), 53, IpProto.TCP],
  [ip("192.168.10.100"), 30003, IpProto.TCP],
  [ip("10.0.2.15"), 30003, IpProto.TCP],
  [ip("0.0.0.0"), 30003, IpProto.TCP],
  [ip("192.168.10.200"), 80, IpProto.TCP],
  [ip("10.96.99.99"), 80, IpProto.TCP],
  [ip("10.96.163.90"), 443, IpProto.TCP],
  [ip("192.168.10.100"), 30004, IpProto.TCP],
  [ip("10.96.0.1"), 443, IpProto.TCP],
];
/** Service addresses a packet from another node may carry as DSR info (the LoadBalancer, NodePort). */
const DSR_FRONTENDS: [number, number][] = [
  [ip("192.168.10.200"), 80],
  [ip("192.168.10.100"), 30003],
];
const TCP_FLAGS = [0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0x00, 0x02, 0x10];
const ICMP_TYPES = [8, 0, 3, 11, 5];

function packet(fields: Partial<PacketRecord>): PacketRecord {
  return { ...createPacketRecord(), ...fields };
}

class PacketSource {
  private now = 1_700_000_000;
  private readonly pending: PacketRecord[] = [];
  private readonly recent: PacketRecord[] = [];
  /** Service flows seen so far: resent after churn to meet removed or draining backends. */
  private readonly serviceFlows: PacketRecord[] = [];

  constructor(private readonly r: () => number) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.r() * items.length)]!;
  }

  private port(): number {
    const x = this.r();
    if (x < 0.4) return this.pick([40000, 40001, 50000, 1234, 33000]);
    if (x < 0.7) return 32768 + Math.floor(this.r() * 32768);
    return Math.floor(this.r() * 65536);
  }

  /** Queues replies to some forwarded packets, as the other side would send them. */
  answer(sent: readonly PacketRecord[], verdicts: readonly DatapathVerdict[]): void {
    verdicts.forEach((v, i) => {
      if (v.serviceCt !== null && this.serviceFlows.length < 256) this.serviceFlows.push(sent[i]!);
      if (v.verdict !== "FORWARDED" || this.r() > 0.5) return;
      const entry =
        v.observationPoint === 101
          ? EntryPoint.FromEndpoint
          : v.observationPoint === 4
            ? EntryPoint.FromOverlay
            : EntryPoint.FromNetwork;
      const p = sent[i]!;
      this.pending.push(
        packet({
          saddr: v.daddr,
          daddr: v.saddr,
          sport: v.dport,
          dport: v.sport,
          proto: p.proto,
          tcpFlags: p.proto === IpProto.TCP ? this.pick(TCP_FLAGS) : 0,
          icmpType: p.icmpType === 8 ? 0 : p.icmpType,
          ipLength: 60,
          entry,
        }),
      );
    });
  }

  private fresh(): PacketRecord {
    if (this.serviceFlows.length > 0 && this.r() < 0.05) {
      const again = this.pick(this.serviceFlows);
      return { ...again, tcpFlags: again.proto === IpProto.TCP ? this.pick(TCP_FLAGS) : 0 };
    }
    if (this.recent.length > 0 && this.r() < 0.15) {
      // The same flow again: keeps connections (and their service CT entries) alive across churn.
      const again = this.pick(this.recent);
      return { ...again, tcpFlags: again.proto === IpProto.TCP ? this.pick(TCP_FLAGS) : 0 };
    }
    if (this.r() < 0.05) {
      // Many pods' flows to one external destination: exhausts a narrow NAT port range.
      return packet({
        saddr: this.pick(LOCAL),
        daddr: ip("8.8.8.8"),
        sport: Math.floor(this.r() * 65536),
        dport: 443,
        proto: IpProto.TCP,
        tcpFlags: 0x02,
        ipLength: 60,
        entry: EntryPoint.FromEndpoint,
      });
    }
    const r = this.r();
    let entry: EntryPoint =
      r < 0.5
        ? EntryPoint.FromEndpoint
        : r < 0.8
          ? EntryPoint.FromNetwork
          : r < 0.95
            ? EntryPoint.FromOverlay
            : EntryPoint.Unknown;
    const proto = this.pick([
      IpProto.TCP,
      IpProto.TCP,
      IpProto.TCP,
      IpProto.UDP,
      IpProto.UDP,
      IpProto.ICMP,
      47,
    ]);
    let saddr =
      entry === EntryPoint.FromEndpoint
        ? this.pick(this.r() < 0.95 ? LOCAL : EXTERNAL)
        : this.pick([...REMOTE, ...EXTERNAL, ...(entry === EntryPoint.Unknown ? LOCAL : [])]);
    let daddr: number;
    let dport = this.port();
    const d = this.r();
    if (d < 0.45) {
      const [a, port, fproto] = this.pick(FRONTENDS);
      daddr = a;
      dport = port;
      if (fproto === IpProto.UDP && proto === IpProto.TCP && this.r() < 0.5) entry = EntryPoint.FromEndpoint;
    } else if (d < 0.6) daddr = this.pick(LOCAL);
    else if (d < 0.75) daddr = this.pick(REMOTE);
    else if (d < 0.9) daddr = this.pick(EXTERNAL);
    else daddr = this.pick(NODE);
    if (entry === EntryPoint.FromEndpoint && saddr === daddr) saddr = this.pick(LOCAL);
    if (proto === IpProto.ICMP) {
      const icmpType = this.pick(ICMP_TYPES);
      const id = Math.floor(this.r() * 65536);
      return packet({
        saddr,
        daddr,
        sport: icmpType === 8 ? id : 0,
        dport: icmpType === 0 ? id : 0,
        proto,
        icmpType,
        ipLength: 84,
        entry,
      });
    }
    const p = packet({
      saddr,
      daddr,
      sport: this.port(),
      dport,
      proto,
      tcpFlags: proto === IpProto.TCP ? this.pick(TCP_FLAGS) : 0,
      ipLength: 40 + Math.floor(this.r() * 1400),
      entry,
    });
    if (entry !== EntryPoint.FromEndpoint && this.r() < 0.3) {
      // A request another node sent here by DSR, for a local backend.
      [p.dsrAddr, p.dsrPort] = this.pick(DSR_FRONTENDS);
      p.daddr = this.pick(LOCAL);
    }
    return p;
  }

  batch(n: number): PacketRecord[] {
    const out: PacketRecord[] = [];
    for (let i = 0; i < n; i++) {
      const p = this.pending.length > 0 && this.r() < 0.4 ? this.pending.shift()! : this.fresh();
      const jump = this.r();
      this.now +=
        jump < 0.9 ? Math.floor(this.r() * 3) : jump < 0.99 ? 10 + Math.floor(this.r() * 400) : 20000;
      p.seconds = this.now;
      p.nanoseconds = Math.floor(this.r() * 1e9);
      out.push(p);
      if (this.recent.length < 64) this.recent.push(p);
      else this.recent[Math.floor(this.r() * 64)] = p;
    }
    return out;
  }
}

/** The same backend change on both datapaths. */
async function churn(r: () => number, dps: Datapath[]): Promise<void> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
  const service = pick([20, 21, 5, 6, 3, 23]);
  const current = dps[0]!.serviceBackends(service);
  const action = r();
  if (action < 0.35 && current.length > 0) {
    const id = pick(current);
    for (const dp of dps) await dp.removeBackend(service, id);
  } else if (action < 0.7) {
    const address = pick([
      "172.20.0.66",
      "172.20.1.126",
      "172.20.2.1",
      "172.20.0.197",
      "172.20.2.50",
      "172.20.0.96",
    ]);
    const port = pick([80, 8080, 0]);
    const taken = current.some((id) => {
      const b = dps[0]!.backend(id)!;
      return b.address === ip(address) && b.port === port;
    });
    if (taken) return;
    for (const dp of dps) await dp.addBackend(service, { address, port });
  } else if (current.length > 0) {
    const id = pick(current);
    const state = pick([
      BackendState.TERMINATING,
      BackendState.ACTIVE,
      BackendState.QUARANTINED,
      BackendState.MAINTENANCE,
    ]);
    for (const dp of dps) await dp.setBackendState(id, state);
  }
}

function firstDifference(a: readonly DatapathVerdict[], b: readonly DatapathVerdict[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return i;
  }
  return -1;
}

const variantArb: fc.Arbitrary<Variant> = fc.record({
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
  node: fc.record({
    routingMode: fc.constantFrom("tunnel" as const, "native" as const),
    hostRouting: fc.constantFrom("bpf" as const, "legacy" as const),
    masquerade: fc.boolean(),
    ipMasqAgent: fc.boolean(),
    lbAlgorithm: fc.constantFrom("random" as const, "maglev" as const),
    kprMode: fc.constantFrom("snat" as const, "dsr" as const, "hybrid" as const),
    dsrDispatch: fc.constantFrom("opt" as const, "ipip" as const, "geneve" as const),
    tunnelProtocol: fc.constantFrom("vxlan" as const, "geneve" as const),
    ctTcpMax: fc.constantFrom(64, 512, 4096),
    ctAnyMax: fc.constantFrom(64, 512, 4096),
    natMax: fc.constantFrom(32, 512, 4096),
    affinityMax: fc.constantFrom(8, 1024),
    natPortMin: fc.constantFrom(32768, 65528),
    snatCollisionRetries: fc.constantFrom(32, 4),
    gcIntervalSec: fc.constantFrom(30, 300),
    maglevTableSize: fc.constantFrom(251, 1021),
    ciliumVersion: fc.constantFrom("1.18.0", "1.16.3"),
    ctTimeouts: fc.record({
      regularTcp: fc.constantFrom(8000, 100),
      regularAny: fc.constantFrom(60, 5),
      serviceTcp: fc.constantFrom(8000, 100),
      serviceAny: fc.constantFrom(60, 5),
      tcpSyn: fc.constantFrom(60, 3),
      tcpClose: fc.constantFrom(10, 1),
      serviceCloseRebalance: fc.constantFrom(60, 2),
    }),
  }),
  algorithm: fc.constantFrom(undefined, "random" as const, "maglev" as const),
  affinityTimeout: fc.constantFrom(0, 0, 30, 10800),
  perServiceMaglev: fc.boolean(),
  denySourceRange: fc.boolean(),
});

const RUNS = 25;
const BATCHES = 5;
const BATCH = 820;

describe("Wasm datapath vs TypeScript reference", () => {
  it(`gives identical verdicts for ${RUNS * BATCHES * BATCH}+ random packets with backend churn`, async () => {
    let packets = 0;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(variantArb, async (v) => {
        const state = variantState(v);
        const options = { seed: v.seed, algorithm: v.algorithm };
        const wasm = await Datapath.create(state, { ...options, engine: "wasm" });
        const ref = await Datapath.create(state, { ...options, engine: "reference" });
        const r = mulberry32(v.seed);
        const source = new PacketSource(r);
        try {
          for (let b = 0; b < BATCHES; b++) {
            if (b > 0) await churn(r, [wasm, ref]);
            const batch = source.batch(BATCH);
            const vw = wasm.processBatch(batch);
            const vr = ref.processBatch(batch);
            const at = firstDifference(vw, vr);
            if (at >= 0) {
              expect({ packet: batch[at], wasm: vw[at] }, `batch ${b} packet ${at}`).toEqual({
                packet: batch[at],
                wasm: vr[at],
              });
            }
            packets += batch.length;
            for (const x of vw) {
              seen.add(x.verdict === "DROPPED" ? `drop ${x.dropReason}` : `to ${x.observationPoint}`);
              seen.add(`ct ${x.ctState}`);
              for (let bit = 1; bit < 0x10000; bit <<= 1) if (x.flags & bit) seen.add(`flag ${bit}`);
              if (x.serviceCt) seen.add(`service ${x.serviceCt}`);
              seen.add(`encap ${x.encap}${x.dsr ? " dsr" : ""}`);
            }
            source.answer(batch, vw);
          }
          expect(wasm.stats()).toEqual(ref.stats());
          // And every map holds the same entries, byte for byte.
          for (const name of DATAPATH_MAP_NAMES) expect(wasm.readMap(name), name).toEqual(ref.readMap(name));
        } finally {
          wasm.dispose();
          ref.dispose();
        }
      }),
      { numRuns: runs(RUNS), seed: pinnedSeed(20260522), endOnFailure: true },
    );
    expect(packets).toBeGreaterThanOrEqual(100_000);
    // The random mix must reach every outcome, or equality proves little: checked for the pinned
    // seed; a fuzz run's seed tests equality only (at few runs it may miss a rare outcome).
    if (FUZZING) return;
    const expected = ["drop 132", "drop 137", "drop 158", "drop 160", "drop 167", "drop 174", "drop 177"];
    for (const encap of ["none", "none dsr", "vxlan", "geneve", "geneve dsr", "ipip dsr"])
      expected.push(`encap ${encap}`);
    for (const point of [3, 4, 11, 101]) expected.push(`to ${point}`);
    for (const state of ["new", "established", "reply", "related"]) expected.push(`ct ${state}`);
    for (let bit = 1; bit <= 0x2000; bit <<= 1) expected.push(`flag ${bit}`);
    expect(expected.filter((outcome) => !seen.has(outcome))).toEqual([]);
  });
});
