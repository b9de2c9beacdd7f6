// The summary of a replay: the figures `dpemu replay` prints as a table and writes as JSON under
// stable keys. Everything in it is a function of the input, the snapshot, the algorithm and the
// seed — not of the number of workers — except elapsedSeconds and packetsPerSecond.
import { dropReason } from "../engine/drop-reasons.js";
import type { DatapathStats } from "../datapath/datapath.js";
import type { DatapathState } from "../engine/state.js";
import { CT_STATE_NAMES, OBSERVATION_POINT_NAMES, formatIpv4 } from "../engine/verdict.js";
import type { CaptureFormat, ReadSummary } from "../readers/read-summary.js";
import { nonZeroSkips } from "../readers/skip-counts.js";
import { OBSERVED_VERDICTS } from "./packet-batch.js";
import type { BackendLabel } from "./replay-core.js";
import type { ReplayCounts } from "./replay-totals.js";

export interface ServiceShare {
  revNatId: number;
  /** "IP:PORT/PROTO". */
  frontend: string;
  packets: number;
  /** Of all packets that belonged to a service. */
  packetShare: number;
  /** New service flows (backend selections). */
  flows: number;
  flowShare: number;
}

export interface BackendShare {
  revNatId: number;
  frontend: string;
  /** Backend ID at the end of the replay; null for a backend churn removed. */
  id: number | null;
  /** "IP:PORT". */
  address: string;
  packets: number;
  /** Of the service's packets that reached or came from a backend. */
  packetShare: number;
  flows: number;
  /** Of the service's new flows. */
  flowShare: number;
}

export interface ObservedComparison {
  /** Flows whose Hubble verdict is FORWARDED or DROPPED. */
  compared: number;
  /** Same verdict (and, for drops, the same reason). */
  agree: number;
  disagree: number;
  /** Hubble verdicts the emulator has no counterpart for (TRACED, TRANSLATED, ...). */
  notComparable: number;
  disagreements: { observed: string; emulated: string; dropReason: string | null; flows: number }[];
}

export interface ReplaySummary {
  format: CaptureFormat;
  /** Packets that went through the datapath. */
  packets: number;
  /** Packets read but not replayed, by kind (reader skips and replay skips). */
  skipped: Record<string, number>;
  /** Connections the datapath opened (new CT state, forwarded, tracked). */
  flows: number;
  verdicts: {
    forwarded: number;
    dropped: number;
    observationPoints: Record<string, number>;
    ctStates: Record<string, number>;
  };
  drops: { code: number; reason: string; packets: number }[];
  services: ServiceShare[];
  backends: BackendShare[];
  ct: {
    tcp: { entries: number; max: number };
    any: { entries: number; max: number };
    evictions: number;
    gc: { runs: number; deleted: number };
  };
  nat: { entries: number; max: number; evictions: number; gcDeleted: number };
  /** Hubble input only: emulated verdicts against the observed ones. */
  observed?: ObservedComparison;
  elapsedSeconds: number;
  packetsPerSecond: number;
}

const PROTO_LABEL: Record<number, string> = { 0: "ANY", 1: "ICMP", 6: "TCP", 17: "UDP", 132: "SCTP" };

/** rev-NAT ID → "IP:PORT/PROTO" of the service's external-scope master. */
function frontends(state: DatapathState): Map<number, string> {
  const out = new Map<number, string>();
  for (const s of state.services) {
    if (s.slot !== 0 || (out.has(s.revNatId) && s.scope !== 0)) continue;
    out.set(s.revNatId, `${formatIpv4(s.address)}:${s.port}/${PROTO_LABEL[s.proto] ?? s.proto}`);
  }
  return out;
}

const share = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

export function buildReplaySummary(input: {
  read: ReadSummary;
  counts: ReplayCounts;
  stats: DatapathStats;
  backends: BackendLabel[];
  state: DatapathState;
  elapsedSeconds: number;
}): ReplaySummary {
  const { read, counts: c, stats, state } = input;
  const skipped: Record<string, number> = { ...nonZeroSkips(read.skipped) };
  if (c.skippedRepliesToDrops > 0) skipped["synthetic-reply-to-dropped-request"] = c.skippedRepliesToDrops;
  if (c.skippedUnpairedReplies > 0) skipped["synthetic-reply-unpaired"] = c.skippedUnpairedReplies;

  const names = frontends(state);
  const frontendOf = (revNat: number): string => names.get(revNat) ?? `rev-NAT ${revNat}`;
  let servicePackets = 0;
  let serviceFlows = 0;
  c.services.a.forEach((n) => (servicePackets += n));
  c.services.b.forEach((n) => (serviceFlows += n));
  const services: ServiceShare[] = c.services.hi
    .map((revNatId, k) => {
      const packets = c.services.a[k]!;
      const flows = c.services.b[k]!;
      return {
        revNatId,
        frontend: frontendOf(revNatId),
        packets,
        packetShare: share(packets, servicePackets),
        flows,
        flowShare: share(flows, serviceFlows),
      };
    })
    .sort((x, y) => x.revNatId - y.revNatId);

  const backendIds = new Map<string, number>();
  for (const b of input.backends) backendIds.set(`${b.address}:${b.port}`, b.id);
  const rows = c.backends.hi.map((hi, k) => ({
    revNatId: hi >>> 16,
    port: hi & 0xffff,
    address: c.backends.lo[k]!,
    packets: c.backends.a[k]!,
    flows: c.backends.b[k]!,
  }));
  rows.sort((x, y) => x.revNatId - y.revNatId || x.address - y.address || x.port - y.port);
  const totals = new Map<number, { packets: number; flows: number }>();
  for (const r of rows) {
    const t = totals.get(r.revNatId) ?? { packets: 0, flows: 0 };
    t.packets += r.packets;
    t.flows += r.flows;
    totals.set(r.revNatId, t);
  }
  const backends: BackendShare[] = rows.map((r) => {
    const t = totals.get(r.revNatId)!;
    return {
      revNatId: r.revNatId,
      frontend: frontendOf(r.revNatId),
      id: backendIds.get(`${r.address}:${r.port}`) ?? null,
      address: `${formatIpv4(r.address)}:${r.port}`,
      packets: r.packets,
      packetShare: share(r.packets, t.packets),
      flows: r.flows,
      flowShare: share(r.flows, t.flows),
    };
  });

  const observationPoints: Record<string, number> = {};
  c.observationPoints.forEach((n, point) => {
    if (n > 0) observationPoints[OBSERVATION_POINT_NAMES[point] ?? String(point)] = n;
  });
  const ctStates: Record<string, number> = {};
  CT_STATE_NAMES.forEach((name, i) => (ctStates[name] = c.ctStates[i]!));
  const drops = c.drops
    .map((packets, code) => ({ code, reason: dropReason(code).hubble, packets }))
    .filter((d) => d.packets > 0);

  const summary: ReplaySummary = {
    format: read.format,
    packets: c.packets,
    skipped,
    flows: c.flows,
    verdicts: { forwarded: c.forwarded, dropped: c.dropped, observationPoints, ctStates },
    drops,
    services,
    backends,
    ct: {
      tcp: { entries: stats.ct.tcp, max: stats.ct.tcpMax },
      any: { entries: stats.ct.any, max: stats.ct.anyMax },
      evictions: stats.ct.evictions,
      gc: { runs: stats.gc.runs, deleted: stats.gc.ctDeleted },
    },
    nat: {
      entries: stats.nat.entries,
      max: stats.nat.max,
      evictions: stats.nat.evictions,
      gcDeleted: stats.gc.natDeleted,
    },
    elapsedSeconds: input.elapsedSeconds,
    packetsPerSecond: input.elapsedSeconds > 0 ? c.packets / input.elapsedSeconds : 0,
  };
  if (read.format === "hubble") {
    summary.observed = {
      compared: c.observedCompared,
      agree: c.observedAgree,
      disagree: c.observedCompared - c.observedAgree,
      notComparable: c.observedNotComparable,
      disagreements: c.disagreements.hi
        .map((observed, k) => {
          const lo = c.disagreements.lo[k]!;
          const dropped = lo >= 256;
          return {
            observed: OBSERVED_VERDICTS[observed] ?? String(observed),
            emulated: dropped ? "DROPPED" : "FORWARDED",
            dropReason: dropped ? dropReason(lo - 256).hubble : null,
            flows: c.disagreements.a[k]!,
            order: observed * 65536 + lo,
          };
        })
        .sort((x, y) => y.flows - x.flows || x.order - y.order)
        .map(({ order: _order, ...d }) => d),
    };
  }
  return summary;
}
