// Where a replay's packets go once read: one datapath in this thread, or workers each owning one.
// The reader's callbacks are synchronous (push, gc, churn); drain() is awaited between input chunks
// (back-pressure, asynchronous work) and finish() once the input is over.
import type { EntryPoint, PacketRecord } from "../model/packet.js";
import type { ChurnCommand, CoreResult } from "./replay-core.js";

export interface ReplayStage {
  /** Queues a reader's packet (its reused record: nothing of it is kept). */
  push(packet: PacketRecord, entry: EntryPoint | null): void;
  /** CT garbage collection at `now`, after the packets pushed so far. */
  gc(now: number): void;
  /** A backend change, after the packets pushed so far. */
  churn(command: ChurnCommand): void;
  drain(): Promise<void>;
  /** Runs everything still queued and returns the merged result. */
  finish(): Promise<CoreResult>;
  /** Frees the datapath(s); safe to call after finish or after a failure. */
  close(): Promise<void>;
}
