// Running counts of a replay, updated from verdict records (no verdict objects): verdicts, drops by
// reason, observation points, CT states, flows, packets and new flows per service and per
// (service, backend), and how the emulated verdicts compare with Hubble's. Every count is a sum, so
// the totals of several workers merge into exactly the totals of one (merge order does not matter).
import type { RecordLayout } from "../wasm/datapath.js";
import { PacketStatus, type PacketBatch } from "./packet-batch.js";

/** A backend's address and port in one number (32 + 16 bits, exact in a double). */
export const endpointKey = (address: number, port: number): number => address * 65536 + port;
export const endpointOf = (key: number): [address: number, port: number] => [
  Math.floor(key / 65536),
  key % 65536,
];

/** Key of an observed/emulated disagreement: observed verdict code, emulated drop (0/1), drop reason. */
export const disagreementKey = (observed: number, dropped: boolean, dropReason: number): number =>
  observed * 65536 + (dropped ? 256 + dropReason : 0);

/** The plain-data form that crosses threads (structured clone). */
export interface ReplayCounts {
  packets: number;
  forwarded: number;
  dropped: number;
  /** Count per drop reason code (index). */
  drops: number[];
  /** Count per observation point number (index). */
  observationPoints: number[];
  /** Count per CT state (new, established, reply, related). */
  ctStates: number[];
  flows: number;
  skippedRepliesToDrops: number;
  skippedUnpairedReplies: number;
  servicePackets: Map<number, number>;
  serviceFlows: Map<number, number>;
  /** Per rev-NAT ID: packets (and new flows) per backend address:port (endpointKey). */
  backendPackets: Map<number, Map<number, number>>;
  backendFlows: Map<number, Map<number, number>>;
  observedCompared: number;
  observedAgree: number;
  observedNotComparable: number;
  disagreements: Map<number, number>;
}

export function createReplayCounts(): ReplayCounts {
  return {
    packets: 0,
    forwarded: 0,
    dropped: 0,
    drops: new Array<number>(256).fill(0),
    observationPoints: new Array<number>(256).fill(0),
    ctStates: [0, 0, 0, 0],
    flows: 0,
    skippedRepliesToDrops: 0,
    skippedUnpairedReplies: 0,
    servicePackets: new Map(),
    serviceFlows: new Map(),
    backendPackets: new Map(),
    backendFlows: new Map(),
    observedCompared: 0,
    observedAgree: 0,
    observedNotComparable: 0,
    disagreements: new Map(),
  };
}

function addTo(map: Map<number, number>, key: number, n = 1): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

function addTo2(map: Map<number, Map<number, number>>, outer: number, inner: number, n = 1): void {
  let m = map.get(outer);
  if (m === undefined) map.set(outer, (m = new Map()));
  m.set(inner, (m.get(inner) ?? 0) + n);
}

/** Adds `from` into `into`. */
export function mergeReplayCounts(into: ReplayCounts, from: ReplayCounts): void {
  into.packets += from.packets;
  into.forwarded += from.forwarded;
  into.dropped += from.dropped;
  for (let i = 0; i < 256; i++) {
    into.drops[i]! += from.drops[i]!;
    into.observationPoints[i]! += from.observationPoints[i]!;
  }
  for (let i = 0; i < 4; i++) into.ctStates[i]! += from.ctStates[i]!;
  into.flows += from.flows;
  into.skippedRepliesToDrops += from.skippedRepliesToDrops;
  into.skippedUnpairedReplies += from.skippedUnpairedReplies;
  for (const [k, n] of from.servicePackets) addTo(into.servicePackets, k, n);
  for (const [k, n] of from.serviceFlows) addTo(into.serviceFlows, k, n);
  for (const [svc, m] of from.backendPackets) for (const [k, n] of m) addTo2(into.backendPackets, svc, k, n);
  for (const [svc, m] of from.backendFlows) for (const [k, n] of m) addTo2(into.backendFlows, svc, k, n);
  into.observedCompared += from.observedCompared;
  into.observedAgree += from.observedAgree;
  into.observedNotComparable += from.observedNotComparable;
  for (const [k, n] of from.disagreements) addTo(into.disagreements, k, n);
}

/** Observed verdict codes (PacketBatch.observed) Hubble's FORWARDED and DROPPED have. */
const OBSERVED_FORWARDED = 1;
const OBSERVED_DROPPED = 2;

/** Adds the verdicts of packets [from, to) of a processed batch. */
export function countVerdicts(
  counts: ReplayCounts,
  layout: RecordLayout,
  batch: PacketBatch,
  from: number,
  to: number,
): void {
  const L = layout;
  const v = batch.verdicts;
  const r = batch.records;
  for (let i = from; i < to; i++) {
    const status = batch.status[i]!;
    if (status !== PacketStatus.Processed) {
      if (status === PacketStatus.SkippedReplyToDrop) counts.skippedRepliesToDrops++;
      else counts.skippedUnpairedReplies++;
      continue;
    }
    const at = batch.verdictAt(i);
    const dropped = v.getUint8(at + L.VERDICT_VERDICT) === L.VERDICT_DROPPED;
    const dropReason = v.getUint8(at + L.VERDICT_DROP_REASON);
    const ctState = v.getUint8(at + L.VERDICT_CT_STATE);
    const flags = v.getUint16(at + L.VERDICT_FLAGS, true);
    counts.packets++;
    if (dropped) {
      counts.dropped++;
      counts.drops[dropReason]!++;
    } else counts.forwarded++;
    counts.observationPoints[v.getUint8(at + L.VERDICT_OBS_POINT)]!++;
    counts.ctStates[ctState & 3]!++;
    if (!dropped && ctState === L.CT_NEW && (flags & L.VFLAG_UNTRACKED) === 0) counts.flows++;

    const revNat = v.getUint16(at + L.VERDICT_REV_NAT_ID, true);
    if (revNat !== 0) {
      addTo(counts.servicePackets, revNat);
      // The backend: where a translated request went, or where a reply came from (before reverse NAT).
      let backend = -1;
      if ((flags & L.VFLAG_DNAT) !== 0) {
        backend = endpointKey(
          v.getUint32(at + L.VERDICT_DADDR, true),
          v.getUint16(at + L.VERDICT_DPORT, true),
        );
      } else if ((flags & L.VFLAG_REV_NAT) !== 0) {
        const p = batch.recordAt(i);
        backend = endpointKey(r.getUint32(p + L.PACKET_SADDR, true), r.getUint16(p + L.PACKET_SPORT, true));
      }
      if (backend >= 0) {
        addTo2(counts.backendPackets, revNat, backend);
        if (!dropped && v.getUint8(at + L.VERDICT_SERVICE_CT_STATE) === L.CT_NEW) {
          addTo(counts.serviceFlows, revNat);
          addTo2(counts.backendFlows, revNat, backend);
        }
      }
    }

    const observed = batch.observed[i]!;
    if (observed !== 0) {
      if (observed !== OBSERVED_FORWARDED && observed !== OBSERVED_DROPPED) {
        counts.observedNotComparable++;
      } else {
        counts.observedCompared++;
        const agree = dropped
          ? observed === OBSERVED_DROPPED && batch.observedDrop[i] === dropReason
          : observed === OBSERVED_FORWARDED;
        if (agree) counts.observedAgree++;
        else addTo(counts.disagreements, disagreementKey(observed, dropped, dropReason));
      }
    }
  }
}
