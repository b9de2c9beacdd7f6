// Running counts of a replay, updated from verdict records (no verdict objects, no allocation per
// packet): verdicts, drops by reason, observation points, CT states, flows, packets and new flows per
// service and per (service, backend), and how the emulated verdicts compare with Hubble's. Every count
// is a sum, so the counts of several workers merge into exactly the counts of one, in any order.
import {
  RECORD_LAYOUT as K,
  packetDaddr,
  packetDport,
  packetSaddr,
  packetSport,
  verdictCtState,
  verdictDaddr,
  verdictDport,
  verdictDropReason,
  verdictDropped,
  verdictFlags,
  verdictNewServiceFlow,
  verdictObservationPoint,
  verdictRevNatId,
} from "../wasm/codec.js";
import { PacketStatus, type PacketBatch } from "./packet-batch.js";
import { PairTable, type PairTableEntries } from "./pair-table.js";

/** The plain-data form of the counts (crosses threads by structured clone). */
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
  /** hi = rev-NAT ID, lo = 0; a = packets, b = new flows. */
  services: PairTableEntries;
  /** hi = rev-NAT ID << 16 | backend port, lo = backend address; a = packets, b = new flows. */
  backends: PairTableEntries;
  observedCompared: number;
  observedAgree: number;
  observedNotComparable: number;
  /** hi = kind << 24 | what Hubble showed, lo = what the emulator did (see disagreementKey); a = flows. */
  disagreements: PairTableEntries;
}

// Hoisted out of K: a module constant folds into the hot loop, a K.X load does not (codec.ts).
const { CT_NEW, VFLAG_UNTRACKED, VFLAG_DNAT, VFLAG_REV_NAT } = K;

/** Observed verdict codes (PacketBatch.observed) of Hubble's FORWARDED and DROPPED. */
const OBSERVED_FORWARDED = 1;
const OBSERVED_DROPPED = 2;

/**
 * How an emulated verdict can disagree with Hubble's. The disagreements table keys each by
 * hi = kind << 24 | observed, lo = emulated:
 * - Verdict: observed = Hubble's verdict code << 16 | its drop code; emulated = 0 (forwarded) or
 *   256 + drop reason;
 * - DropReason (both dropped): observed = Hubble's drop code; emulated = the emulated reason;
 * - ObservationPoint (both forwarded, Hubble at an exit point): the two observation points;
 * - TranslatedDestination (both forwarded, Hubble at an exit point, where the packet's destination
 *   is the one after any translation): observed = Hubble's point, emulated = 0.
 */
export const Disagreement = {
  Verdict: 1,
  DropReason: 2,
  ObservationPoint: 3,
  TranslatedDestination: 4,
} as const;

/** Exit observation points the emulator decides between: TO_STACK, TO_OVERLAY, TO_NETWORK, TO_ENDPOINT. */
const EXIT_POINTS = new Uint8Array(256);
for (const point of [3, 4, 11, 101]) EXIT_POINTS[point] = 1;

/** The live counts of one replay core. */
export class ReplayTally {
  packets = 0;
  forwarded = 0;
  dropped = 0;
  readonly drops = new Float64Array(256);
  readonly observationPoints = new Float64Array(256);
  readonly ctStates = new Float64Array(4);
  flows = 0;
  skippedRepliesToDrops = 0;
  skippedUnpairedReplies = 0;
  /** Packets and new flows by rev-NAT ID (a u16: indexed, not hashed, on the per-packet path). */
  private readonly servicePackets = new Float64Array(65536);
  private readonly serviceFlows = new Float64Array(65536);
  readonly backends = new PairTable();
  observedCompared = 0;
  observedAgree = 0;
  observedNotComparable = 0;
  readonly disagreements = new PairTable();

  /** Adds the verdicts of packets [from, to) of a processed batch. */
  count(batch: PacketBatch, from: number, to: number): void {
    const v = batch.verdicts;
    const { drops, observationPoints, ctStates } = this;
    // Running sums in locals, stored once per batch: the loop's calls need not spill them.
    let packets = 0;
    let dropped = 0;
    let flows = 0;
    for (let i = from; i < to; i++) {
      const status = batch.status[i]!;
      if (status !== PacketStatus.Processed) {
        if (status === PacketStatus.SkippedReplyToDrop) this.skippedRepliesToDrops++;
        else this.skippedUnpairedReplies++;
        continue;
      }
      const at = batch.verdictAt(i);
      const isDrop = verdictDropped(v, at);
      const dropReason = verdictDropReason(v, at);
      const ctState = verdictCtState(v, at);
      const flags = verdictFlags(v, at);
      packets++;
      if (isDrop) {
        dropped++;
        drops[dropReason]!++;
      }
      observationPoints[verdictObservationPoint(v, at)]!++;
      ctStates[ctState & 3]!++;
      if (!isDrop && ctState === CT_NEW && (flags & VFLAG_UNTRACKED) === 0) flows++;
      const revNat = verdictRevNatId(v, at);
      if (revNat !== 0) this.countService(batch, i, revNat, flags, isDrop);
      const observed = batch.observed[i]!;
      if (observed !== 0) this.countObserved(batch, i, observed, isDrop, dropReason);
    }
    this.packets += packets;
    this.dropped += dropped;
    this.forwarded += packets - dropped;
    this.flows += flows;
  }

  /** A service packet: its service's and its backend's packets and new flows. */
  private countService(batch: PacketBatch, i: number, revNat: number, flags: number, dropped: boolean): void {
    const v = batch.verdicts;
    const at = batch.verdictAt(i);
    this.servicePackets[revNat]!++;
    // The backend: where a translated request went, or where a reply came from (before reverse NAT).
    let backend = -1;
    if ((flags & VFLAG_DNAT) !== 0) {
      backend = this.backends.slot((revNat << 16) | verdictDport(v, at), verdictDaddr(v, at));
    } else if ((flags & VFLAG_REV_NAT) !== 0) {
      const r = batch.records;
      const p = batch.recordAt(i);
      backend = this.backends.slot((revNat << 16) | packetSport(r, p), packetSaddr(r, p));
    }
    if (backend < 0) return;
    this.backends.addA(backend, 1);
    if (!dropped && verdictNewServiceFlow(v, at)) {
      this.serviceFlows[revNat]!++;
      this.backends.addB(backend, 1);
    }
  }

  /** A packet Hubble observed: compared when Hubble's verdict is FORWARDED or DROPPED. */
  private countObserved(
    batch: PacketBatch,
    i: number,
    observed: number,
    dropped: boolean,
    dropReason: number,
  ): void {
    if (observed !== OBSERVED_FORWARDED && observed !== OBSERVED_DROPPED) {
      this.observedNotComparable++;
      return;
    }
    this.observedCompared++;
    if (this.compareObserved(batch, i, observed, dropped, dropReason)) this.observedAgree++;
  }

  /**
   * Compares packet i's emulated verdict with Hubble's on every aspect Hubble shows: the verdict,
   * the drop reason, and for a flow Hubble saw leave (an exit observation point) where it went and
   * its destination then. Counts each disagreement by kind; true when there is none.
   */
  private compareObserved(
    batch: PacketBatch,
    i: number,
    observed: number,
    dropped: boolean,
    dropReason: number,
  ): boolean {
    const observedDrop = batch.observedDrop[i]!;
    if (dropped !== (observed === OBSERVED_DROPPED)) {
      this.disagree(Disagreement.Verdict, (observed << 16) | observedDrop, dropped ? 256 + dropReason : 0);
      return false;
    }
    if (dropped) {
      if (observedDrop === dropReason) return true;
      this.disagree(Disagreement.DropReason, observedDrop, dropReason);
      return false;
    }
    const point = batch.observedPoint[i]!;
    if (EXIT_POINTS[point] === 0) return true;
    let agree = true;
    const v = batch.verdicts;
    const at = batch.verdictAt(i);
    const emulatedPoint = verdictObservationPoint(v, at);
    if (emulatedPoint !== point) {
      this.disagree(Disagreement.ObservationPoint, point, emulatedPoint);
      agree = false;
    }
    const p = batch.recordAt(i);
    const r = batch.records;
    if (verdictDaddr(v, at) !== packetDaddr(r, p) || verdictDport(v, at) !== packetDport(r, p)) {
      this.disagree(Disagreement.TranslatedDestination, point, 0);
      agree = false;
    }
    return agree;
  }

  private serviceEntries(): PairTableEntries {
    const out: PairTableEntries = { hi: [], lo: [], a: [], b: [] };
    this.servicePackets.forEach((packets, revNat) => {
      if (packets === 0) return;
      out.hi.push(revNat);
      out.lo.push(0);
      out.a.push(packets);
      out.b.push(this.serviceFlows[revNat]!);
    });
    return out;
  }

  private disagree(kind: number, observed: number, emulated: number): void {
    this.disagreements.add(((kind << 24) | observed) >>> 0, emulated, 1, 0);
  }

  toCounts(): ReplayCounts {
    return {
      packets: this.packets,
      forwarded: this.forwarded,
      dropped: this.dropped,
      drops: Array.from(this.drops),
      observationPoints: Array.from(this.observationPoints),
      ctStates: Array.from(this.ctStates),
      flows: this.flows,
      skippedRepliesToDrops: this.skippedRepliesToDrops,
      skippedUnpairedReplies: this.skippedUnpairedReplies,
      services: this.serviceEntries(),
      backends: this.backends.entries(),
      observedCompared: this.observedCompared,
      observedAgree: this.observedAgree,
      observedNotComparable: this.observedNotComparable,
      disagreements: this.disagreements.entries(),
    };
  }
}

function mergeEntries(a: PairTableEntries, b: PairTableEntries): PairTableEntries {
  const table = new PairTable(a.hi.length + b.hi.length);
  table.addEntries(a);
  table.addEntries(b);
  return table.entries();
}

/** The counts of two workers as one. */
export function mergeReplayCounts(a: ReplayCounts, b: ReplayCounts): ReplayCounts {
  const sum = (x: number[], y: number[]) => x.map((n, i) => n + y[i]!);
  return {
    packets: a.packets + b.packets,
    forwarded: a.forwarded + b.forwarded,
    dropped: a.dropped + b.dropped,
    drops: sum(a.drops, b.drops),
    observationPoints: sum(a.observationPoints, b.observationPoints),
    ctStates: sum(a.ctStates, b.ctStates),
    flows: a.flows + b.flows,
    skippedRepliesToDrops: a.skippedRepliesToDrops + b.skippedRepliesToDrops,
    skippedUnpairedReplies: a.skippedUnpairedReplies + b.skippedUnpairedReplies,
    services: mergeEntries(a.services, b.services),
    backends: mergeEntries(a.backends, b.backends),
    observedCompared: a.observedCompared + b.observedCompared,
    observedAgree: a.observedAgree + b.observedAgree,
    observedNotComparable: a.observedNotComparable + b.observedNotComparable,
    disagreements: mergeEntries(a.disagreements, b.disagreements),
  };
}
