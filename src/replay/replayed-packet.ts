// One replayed packet as a verdict stream consumer sees it: the packet as it entered the datapath
// (a synthetic reply already carries its backend as source), the datapath's verdict, and what
// Hubble observed. Built only when a verdict stream was asked for; the packet record is reused.
import type { Datapath } from "../datapath/datapath.js";
import type { DatapathVerdict } from "../engine/verdict.js";
import { createPacketRecord, type PacketRecord } from "../model/packet.js";
import { decodePacket, decodeVerdict } from "../wasm/codec.js";
import { OBSERVED_VERDICTS, PacketStatus, type PacketBatch } from "./packet-batch.js";

/** Hubble's verdict for a replayed packet. */
export interface ObservedVerdict {
  /** Hubble's verdict name (FORWARDED, DROPPED, ...; VERDICT_UNKNOWN when absent). */
  verdict: string;
  /** Hubble's drop code, 0 when none. */
  dropReason: number;
}

/** One replayed packet with its verdict, as the verdict stream hands it out. */
export interface ReplayedPacket {
  /** The packet's number in its input (frame, flow line or generated packet, 1-based). */
  packetNumber: number;
  packet: PacketRecord;
  verdict: DatapathVerdict;
  /** What Hubble reported for this flow (Hubble input only). */
  observed: ObservedVerdict | null;
}

/**
 * Receives the replayed packets in input order. `directory` is the datapath as it was when the packet
 * was processed (for backend and frontend names: Datapath.backend, Datapath.frontendOf).
 */
export type VerdictHandler = (replayed: ReplayedPacket, directory: Datapath) => void;

export class ReplayedPacketReader {
  private readonly packet = createPacketRecord();

  /** Packet `i` of a processed batch, or null when the replay left it out. */
  read(batch: PacketBatch, i: number): ReplayedPacket | null {
    if (batch.status[i] !== PacketStatus.Processed) return null;
    const r = batch.records;
    const at = batch.recordAt(i);
    const p = this.packet;
    decodePacket(r, at, p);
    // The fields the datapath record does not carry come from the batch's side data.
    p.packetNumber = batch.packetNumber[i]!;
    p.byteOffset = batch.byteOffset[i]!;
    p.wireLength = batch.wireLength[i]!;
    p.capturedLength = batch.capturedLength[i]!;
    p.interfaceId = batch.interfaceId[i]!;
    p.connection = batch.connection[i]!;
    p.connectionSlot = batch.slot[i]!;
    const observed = batch.observed[i]!;
    return {
      packetNumber: batch.packetNumber[i]!,
      packet: p,
      verdict: decodeVerdict(batch.verdicts, batch.verdictAt(i)),
      observed:
        observed === 0 ? null : { verdict: OBSERVED_VERDICTS[observed]!, dropReason: batch.observedDrop[i]! },
    };
  }
}
