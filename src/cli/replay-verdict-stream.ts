// `dpemu replay --verdicts`: the verdict stream as a VerdictSink, formatted in the replay's thread.
// Lines are formatted in bulk from each processed batch's records (replay-verdict-lines.ts) into
// large reused chunks; a full chunk is written at once, in the background (replay-chunk-writer.ts).
// Filters (verdict-filter.ts) look at the packet as an object, so with filters each packet is also
// decoded; without, no object is made per packet, and the CLI formats on a thread of its own
// (replay-verdict-thread.ts) where it can.
import type { Datapath } from "../datapath/datapath.js";
import { PacketStatus, type PacketBatch } from "../replay/packet-batch.js";
import { ReplayedPacketReader } from "../replay/replayed-packet.js";
import type { VerdictSink } from "../replay/verdict-sink.js";
import type { OutputStream } from "./output.js";
import { ChunkWriter } from "./replay-chunk-writer.js";
import { VerdictLines, type VerdictLineFormat } from "./replay-verdict-lines.js";
import type { VerdictFilter } from "./verdict-filter.js";

export type { VerdictLineFormat } from "./replay-verdict-lines.js";

/** The CLI's verdict stream: a VerdictSink that is paused, flushed and ended with the replay. */
export interface VerdictOutput extends VerdictSink {
  /** At a pause of the replay: waits while too much is unwritten (back-pressure). */
  drain(): Promise<void>;
  /** Starts writing what is formatted so far: a followed stream shows each batch as it runs. */
  flush(): void;
  /** Writes what is left and waits until everything is written. */
  end(): Promise<void>;
  /** Lets go of what the stream holds when the replay failed (end() is not called then). */
  close(): Promise<void>;
}

export class VerdictStream implements VerdictOutput {
  private readonly lines: VerdictLines;
  private readonly writer: ChunkWriter;
  private readonly reader: ReplayedPacketReader | null;

  constructor(
    stream: OutputStream,
    format: VerdictLineFormat,
    private readonly filter: VerdictFilter | null,
  ) {
    this.lines = new VerdictLines(format);
    this.writer = new ChunkWriter(stream, (chunk) => this.lines.chunks.recycle(chunk));
    this.reader = filter !== null ? new ReplayedPacketReader() : null;
  }

  take(batch: PacketBatch, from: number, to: number, directory: Datapath): void {
    const filter = this.filter;
    if (filter === null) this.lines.writeAll(batch, from, to, directory);
    else {
      for (let i = from; i < to; i++) {
        if (batch.status[i] !== PacketStatus.Processed) continue;
        if (filter(this.reader!.read(batch, i)!, directory)) this.lines.write(batch, i, directory);
      }
    }
    this.writeReady();
  }

  directoryChanged(): void {
    this.lines.forgetDirectory();
  }

  async drain(): Promise<void> {
    await this.writer.drain();
  }

  flush(): void {
    this.lines.chunks.cut();
    this.writeReady();
  }

  async end(): Promise<void> {
    this.flush();
    await this.writer.end();
  }

  async close(): Promise<void> {}

  /** Starts writing every full chunk, after the ones already being written. */
  private writeReady(): void {
    const chunks = this.lines.chunks;
    for (let chunk = chunks.next(); chunk !== undefined; chunk = chunks.next()) this.writer.write(chunk);
  }
}
