// The bulk way out of a replay: processed batches, in input order, for a consumer that formats the
// verdict stream straight from the packet and verdict records (no object per packet). The per-packet
// VerdictHandler is built on the same records for consumers that want objects.
import type { Datapath } from "../datapath/datapath.js";
import type { PacketBatch } from "./packet-batch.js";

/**
 * Receives every processed batch's packets in input order. Read the records with src/wasm/codec.ts's
 * accessors (batch.records at batch.recordAt(i), batch.verdicts at batch.verdictAt(i)) and the side
 * data from the batch's arrays; skip packets whose batch.status is not PacketStatus.Processed. Nothing
 * of the batch may be kept: it is refilled once the call returns.
 */
export interface VerdictSink {
  /**
   * Packets [from, to) of a processed batch. `directory` is the datapath as it was when they were
   * processed (names backends and frontends).
   */
  take(batch: PacketBatch, from: number, to: number, directory: Datapath): void;
  /** The directory's backends changed (churn): forget what was learnt of them. */
  directoryChanged(): void;
}
