// The replay's datapath stage in the main thread (one worker): packets go straight from the reader's
// callback into Wasm memory, and a full batch runs at once. Backend churn is asynchronous (Maglev
// tables are rebuilt), so from a churn event until the reader's next pause the packets wait in
// host-memory batches, queued behind the event, and run in order when the stage drains.
import type { Datapath } from "../datapath/datapath.js";
import type { EntryPoint, PacketRecord } from "../model/packet.js";
import { PacketBatch } from "./packet-batch.js";
import type { ChurnCommand, CoreResult, ReplayCore } from "./replay-core.js";
import { ReplayedPacketReader, type VerdictHandler } from "./replayed-packet.js";
import type { ReplayStage } from "./replay-stage.js";
import type { VerdictSink } from "./verdict-sink.js";

/** Where processed packets go, in input order: objects per packet, batches in bulk, or both. */
export interface VerdictOutputs {
  onVerdict?: VerdictHandler;
  verdictSink?: VerdictSink;
}

type Work = { batch: PacketBatch } | { gc: number } | { churn: ChurnCommand };

export class InProcessStage implements ReplayStage {
  /** The batch whose records live in the module's scratch area. */
  private readonly inPlace: PacketBatch;
  private current: PacketBatch;
  private readonly queue: Work[] = [];
  private readonly spare: PacketBatch[] = [];
  private readonly reader: ReplayedPacketReader | null;

  constructor(
    private readonly core: ReplayCore,
    private readonly capacity: number,
    private readonly outputs: VerdictOutputs = {},
  ) {
    this.inPlace = core.createBatch(capacity);
    this.current = this.inPlace;
    this.reader = outputs.onVerdict ? new ReplayedPacketReader() : null;
  }

  push(packet: PacketRecord, entry: EntryPoint | null): void {
    this.current.push(packet, entry);
    if (this.current.full) this.cut();
  }

  gc(now: number): void {
    this.cut();
    if (this.queue.length === 0) this.core.gc(now);
    else this.queue.push({ gc: now });
  }

  churn(command: ChurnCommand): void {
    this.cut();
    this.queue.push({ churn: command });
    // Until the churn has run, packets wait in host memory (the module's scratch area is not theirs).
    if (this.current === this.inPlace) this.current = this.hostBatch();
  }

  async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const work = this.queue.shift()!;
      if ("batch" in work) {
        this.run(work.batch);
        this.spare.push(work.batch);
      } else if ("gc" in work) this.core.gc(work.gc);
      else {
        await this.core.churn(work.churn);
        this.outputs.verdictSink?.directoryChanged();
      }
    }
    if (this.current !== this.inPlace && this.current.count === 0) {
      this.spare.push(this.current);
      this.current = this.inPlace;
      this.core.prepare(this.inPlace);
    }
  }

  async finish(): Promise<CoreResult> {
    this.cut();
    await this.drain();
    return this.core.finish();
  }

  async close(): Promise<void> {
    this.core.dispose();
  }

  /** Ends the current batch: runs it now, or queues it behind pending work. */
  private cut(): void {
    const batch = this.current;
    if (batch.count === 0) return;
    if (this.queue.length > 0) {
      this.queue.push({ batch });
      this.current = this.hostBatch();
      return;
    }
    this.run(batch);
    if (batch === this.inPlace) {
      this.core.prepare(batch);
    } else {
      this.spare.push(batch);
      this.current = this.inPlace;
      this.core.prepare(this.inPlace);
    }
  }

  private run(batch: PacketBatch): void {
    this.core.process(batch);
    const { onVerdict, verdictSink } = this.outputs;
    if (onVerdict) emitVerdicts(batch, this.reader!, onVerdict, this.core.datapath);
    verdictSink?.take(batch, 0, batch.count, this.core.datapath);
  }

  private hostBatch(): PacketBatch {
    const batch = this.spare.pop() ?? new PacketBatch(this.capacity);
    batch.count = 0;
    return batch;
  }
}

/** Hands every replayed packet of a processed batch to the handler, in order. */
export function emitVerdicts(
  batch: PacketBatch,
  reader: ReplayedPacketReader,
  onVerdict: VerdictHandler,
  directory: Datapath,
): void {
  for (let i = 0; i < batch.count; i++) {
    const replayed = reader.read(batch, i);
    if (replayed) onVerdict(replayed, directory);
  }
}
