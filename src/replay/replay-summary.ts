// The summary of a replay: the figures `dpemu replay` prints as a table and writes as JSON under
// stable keys. Everything in it is a function of the input, the snapshot, the algorithm and the
// seed — not of the number of workers — except elapsedSeconds and packetsPerSecond.
import { dropReason } from "../engine/drop-reasons.js";
import type { DatapathStats } from "../datapath/datapath.js";
import type { DatapathState } from "../engine/state.js";
import { CT_STATE_NAMES, OBSERVATION_POINT_NAMES } from "../engine/verdict.js";
import type { CaptureFormat, ReadSummary } from "../readers/read-summary.js";
import { nonZeroSkips } from "../readers/skip-counts.js";
import { OBSERVED_VERDICTS } from "./packet-batch.js";
import type { BackendLabel } from "./replay-core.js";
import { Disagreement, type ReplayCounts } from "./replay-totals.js";
import { formatIPv4 } from "../model/ipv4.js";
import { protocolName } from "../model/protocol.js";
import type { ShardSpec, ShardSummary } from "./shard.js";

/**
 * Skip kinds the replay decides per packet (the others are the reader's): a shard counts these for
 * its own flows, while every shard counts the reader's for the whole input.
 */
export const REPLAY_SKIP_KINDS = ["synthetic-reply-to-dropped-request", "synthetic-reply-unpaired"] as const;

/** One service's packets and flows in a replay. */
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

/** One backend's packets and flows in a replay. */
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

/** What an emulated verdict can disagree with Hubble on (see ReplayTally's comparison). */
export type DisagreementKind = "verdict" | "drop-reason" | "observation-point" | "translated-destination";

/** How the emulated verdicts agree with the verdicts Hubble observed. */
export interface ObservedComparison {
  /** Flows whose Hubble verdict is FORWARDED or DROPPED. */
  compared: number;
  /**
   * Same verdict; for drops the same reason; for flows Hubble saw leave the node (an exit
   * observation point: to-endpoint, to-overlay, to-network, to-stack), the same observation point and
   * the same destination after translation.
   */
  agree: number;
  /** Flows with at least one disagreement. */
  disagree: number;
  /** Hubble verdicts the emulator has no counterpart for (TRACED, TRANSLATED, ...). */
  notComparable: number;
  /** Disagreements by kind (a flow can disagree on both its observation point and its destination). */
  byKind: Record<DisagreementKind, number>;
  /** `observed` and `emulated` are a verdict (with its drop reason), a drop reason or an observation point. */
  disagreements: { kind: DisagreementKind; observed: string; emulated: string; flows: number }[];
}

/**
 * The summary of a replay: packets and skips, flows, verdicts, drops by reason, shares, occupancy and
 * speed.
 */
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
  /** Set when the replay was stopped (Ctrl-C, a closed output): the figures cover what was read. */
  interrupted?: true;
  /**
   * Map occupancy. `max` is one node's map size; with several workers each holds a map of that size
   * (`capacity` = workers x max, against which `entries`, the sum over the workers, is measured).
   */
  ct: {
    tcp: { entries: number; max: number; capacity: number };
    any: { entries: number; max: number; capacity: number };
    evictions: number;
    gc: { runs: number; deleted: number };
  };
  nat: { entries: number; max: number; capacity: number; evictions: number; gcDeleted: number };
  /** Worker threads the datapath ran in (1: the main thread). */
  workers: number;
  /** Set for one shard of a split run (`--shard K/N`): what merging the shards needs. */
  shard?: ShardSummary;
  /** Hubble input only: emulated verdicts against the observed ones. */
  observed?: ObservedComparison;
  elapsedSeconds: number;
  packetsPerSecond: number;
}

/** rev-NAT ID → "IP:PORT/PROTO" of the service's external-scope master. */
function frontends(state: DatapathState): Map<number, string> {
  const out = new Map<number, string>();
  for (const s of state.services) {
    if (s.slot !== 0 || (out.has(s.revNatId) && s.scope !== 0)) continue;
    out.set(s.revNatId, `${formatIPv4(s.address)}:${s.port}/${protocolName(s.proto) ?? s.proto}`);
  }
  return out;
}

const share = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

/** What buildReplaySummary summarises. */
export interface ReplaySummaryInput {
  read: ReadSummary;
  counts: ReplayCounts;
  stats: DatapathStats;
  backends: BackendLabel[];
  state: DatapathState;
  /** Worker threads (each with the node's full map capacities). */
  workers: number;
  /** The shard this replay was, and the packets it left to the other shards. */
  shard?: ShardSpec & { otherShards: number };
  interrupted: boolean;
  elapsedSeconds: number;
}

/** The reader's skips and the replay's own (synthetic replies it could not pair). */
function skippedCounts(read: ReadSummary, c: ReplayCounts): Record<string, number> {
  const skipped: Record<string, number> = { ...nonZeroSkips(read.skipped) };
  const [toDrops, unpaired] = REPLAY_SKIP_KINDS;
  if (c.skippedRepliesToDrops > 0) skipped[toDrops] = c.skippedRepliesToDrops;
  if (c.skippedUnpairedReplies > 0) skipped[unpaired] = c.skippedUnpairedReplies;
  return skipped;
}

/** Each service's packets and new flows, and its share of all services'. */
function serviceShares(c: ReplayCounts, frontendOf: (revNat: number) => string): ServiceShare[] {
  let servicePackets = 0;
  let serviceFlows = 0;
  c.services.a.forEach((n) => (servicePackets += n));
  c.services.b.forEach((n) => (serviceFlows += n));
  return c.services.hi
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
}

/** Each (service, backend)'s packets and new flows, and its share within the service. */
function backendShares(
  c: ReplayCounts,
  labels: BackendLabel[],
  frontendOf: (revNat: number) => string,
): BackendShare[] {
  const backendIds = new Map<string, number>();
  for (const b of labels) backendIds.set(`${b.address}:${b.port}`, b.id);
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
  return rows.map((r) => {
    const t = totals.get(r.revNatId)!;
    return {
      revNatId: r.revNatId,
      frontend: frontendOf(r.revNatId),
      id: backendIds.get(`${r.address}:${r.port}`) ?? null,
      address: `${formatIPv4(r.address)}:${r.port}`,
      packets: r.packets,
      packetShare: share(r.packets, t.packets),
      flows: r.flows,
      flowShare: share(r.flows, t.flows),
    };
  });
}

/** Verdicts by observation point and CT state, and drops by reason. */
function verdictTallies(c: ReplayCounts): Pick<ReplaySummary, "verdicts" | "drops"> {
  const observationPoints: Record<string, number> = {};
  c.observationPoints.forEach((n, point) => {
    if (n > 0) observationPoints[OBSERVATION_POINT_NAMES[point] ?? String(point)] = n;
  });
  const ctStates: Record<string, number> = {};
  CT_STATE_NAMES.forEach((name, i) => (ctStates[name] = c.ctStates[i]!));
  const drops = c.drops
    .map((packets, code) => ({ code, reason: dropReason(code).hubble, packets }))
    .filter((d) => d.packets > 0);
  return { verdicts: { forwarded: c.forwarded, dropped: c.dropped, observationPoints, ctStates }, drops };
}

/** Map occupancy against the workers' summed capacity, evictions and garbage collection. */
function mapOccupancy(stats: DatapathStats, workers: number): Pick<ReplaySummary, "ct" | "nat"> {
  return {
    ct: {
      tcp: { entries: stats.ct.tcp, max: stats.ct.tcpMax, capacity: stats.ct.tcpMax * workers },
      any: { entries: stats.ct.any, max: stats.ct.anyMax, capacity: stats.ct.anyMax * workers },
      evictions: stats.ct.evictions,
      gc: { runs: stats.gc.runs, deleted: stats.gc.ctDeleted },
    },
    nat: {
      entries: stats.nat.entries,
      max: stats.nat.max,
      capacity: stats.nat.max * workers,
      evictions: stats.nat.evictions,
      gcDeleted: stats.gc.natDeleted,
    },
  };
}

/** The summary of a replay from its counts, the datapath's statistics and what the reader saw. */
export function buildReplaySummary(input: ReplaySummaryInput): ReplaySummary {
  const { read, counts: c, workers } = input;
  const names = frontends(input.state);
  const frontendOf = (revNat: number): string => names.get(revNat) ?? `rev-NAT ${revNat}`;
  const { verdicts, drops } = verdictTallies(c);
  const summary: ReplaySummary = {
    format: read.format,
    ...(input.interrupted ? { interrupted: true as const } : {}),
    packets: c.packets,
    skipped: skippedCounts(read, c),
    flows: c.flows,
    verdicts,
    drops,
    services: serviceShares(c, frontendOf),
    backends: backendShares(c, input.backends, frontendOf),
    ...mapOccupancy(input.stats, workers),
    workers,
    ...(input.shard !== undefined
      ? {
          shard: {
            index: input.shard.index,
            count: input.shard.count,
            run: input.shard.run ?? "",
            packetsRead: read.packets,
            otherShards: input.shard.otherShards,
          },
        }
      : {}),
    elapsedSeconds: input.elapsedSeconds,
    packetsPerSecond: input.elapsedSeconds > 0 ? c.packets / input.elapsedSeconds : 0,
  };
  if (read.format === "hubble") summary.observed = observedComparison(c);
  return summary;
}

const KIND_NAMES: Record<number, DisagreementKind> = {
  [Disagreement.Verdict]: "verdict",
  [Disagreement.DropReason]: "drop-reason",
  [Disagreement.ObservationPoint]: "observation-point",
  [Disagreement.TranslatedDestination]: "translated-destination",
};

const pointName = (point: number): string => OBSERVATION_POINT_NAMES[point] ?? hubblePointName(point);

/** Hubble's exit points the emulator never reaches, by number (flow.proto). */
function hubblePointName(point: number): string {
  return { 1: "TO_PROXY", 2: "TO_HOST", 13: "TO_CRYPTO" }[point] ?? `point ${point}`;
}

/** A verdict as printed: FORWARDED, or DROPPED with its reason. */
const verdictText = (verdict: string, drop: number): string =>
  verdict === "DROPPED" ? `DROPPED ${dropReason(drop).hubble}` : verdict;

const KIND_ORDER: readonly DisagreementKind[] = Object.values(KIND_NAMES);
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The order of ObservedComparison.disagreements: most flows first, then by kind, observed and
 * emulated text — a function of the rows alone, so merged shards sort alike.
 */
export function compareDisagreements(
  x: ObservedComparison["disagreements"][number],
  y: ObservedComparison["disagreements"][number],
): number {
  return (
    y.flows - x.flows ||
    KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind) ||
    byText(x.observed, y.observed) ||
    byText(x.emulated, y.emulated)
  );
}

function observedComparison(c: ReplayCounts): ObservedComparison {
  const byKind: Record<DisagreementKind, number> = {
    verdict: 0,
    "drop-reason": 0,
    "observation-point": 0,
    "translated-destination": 0,
  };
  const disagreements = c.disagreements.hi
    .map((hi, k) => {
      const kindCode = hi >>> 24;
      const observed = hi & 0xffffff;
      const emulated = c.disagreements.lo[k]!;
      const flows = c.disagreements.a[k]!;
      const kind = KIND_NAMES[kindCode] ?? "verdict";
      byKind[kind] += flows;
      let texts: [string, string];
      if (kindCode === Disagreement.Verdict) {
        const verdict = OBSERVED_VERDICTS[observed >>> 16] ?? String(observed >>> 16);
        texts = [
          verdictText(verdict, observed & 0xffff),
          emulated >= 256 ? verdictText("DROPPED", emulated - 256) : "FORWARDED",
        ];
      } else if (kindCode === Disagreement.DropReason) {
        texts = [dropReason(observed).hubble, dropReason(emulated).hubble];
      } else if (kindCode === Disagreement.ObservationPoint) {
        texts = [pointName(observed), pointName(emulated)];
      } else {
        texts = [`${pointName(observed)} with the destination as read`, "destination translated"];
      }
      return { kind, observed: texts[0], emulated: texts[1], flows };
    })
    .sort(compareDisagreements);
  return {
    compared: c.observedCompared,
    agree: c.observedAgree,
    disagree: c.observedCompared - c.observedAgree,
    notComparable: c.observedNotComparable,
    byKind,
    disagreements,
  };
}
