// `dpemu replay --verdicts`: the verdict stream as a VerdictSink. Lines are formatted in bulk from
// each processed batch's records (src/replay/verdicts/) into large reused chunks
// (replay-line-chunks.ts); a full chunk is written at once, in the background (a file write runs on
// libuv's thread pool, beside the replay), and the replay waits only at its pauses between input
// chunks when more than HIGH_WATER bytes are still unwritten. Filters (verdict-filter.ts) look at the packet as an object, so with filters each
// packet is also decoded; without, no object is made per packet.
import type { Datapath } from "../datapath/datapath.js";
import { PacketStatus, type PacketBatch } from "../replay/packet-batch.js";
import { ReplayedPacketReader } from "../replay/replayed-packet.js";
import type { VerdictSink } from "../replay/verdict-sink.js";
import type { OutputStream } from "./output.js";
import { VerdictJsonWriter } from "../replay/verdicts/json-line.js";
import { VerdictTextWriter } from "../replay/verdicts/text-line.js";
import { LineChunks } from "./replay-line-chunks.js";
import type { VerdictFilter } from "./verdict-filter.js";

/** Unwritten bytes above which the replay waits for the output at its next pause. */
const HIGH_WATER = 16 << 20;

/** The verdict stream's line formats: compact one-liners or JSON lines. */
export type VerdictLineFormat = "compact" | "json";

export class VerdictStream implements VerdictSink {
  private readonly chunks = new LineChunks();
  private readonly text: VerdictTextWriter | null;
  private readonly json: VerdictJsonWriter | null;
  private readonly reader: ReplayedPacketReader | null;
  /** The chunks being written, one after the other. */
  private writing: Promise<void> = Promise.resolve();
  private unwritten = 0;
  private failure: unknown = null;

  constructor(
    private readonly stream: OutputStream,
    format: VerdictLineFormat,
    private readonly filter: VerdictFilter | null,
  ) {
    this.text = format === "compact" ? new VerdictTextWriter() : null;
    this.json = format === "json" ? new VerdictJsonWriter() : null;
    this.reader = filter !== null ? new ReplayedPacketReader() : null;
  }

  take(batch: PacketBatch, from: number, to: number, directory: Datapath): void {
    const chunks = this.chunks;
    for (let i = from; i < to; i++) {
      if (batch.status[i] !== PacketStatus.Processed) continue;
      if (this.filter !== null && !this.filter(this.reader!.read(batch, i)!, directory)) continue;
      chunks.reserve();
      chunks.at = this.text
        ? this.text.write(chunks.buffer, chunks.at, batch, i)
        : this.json!.write(chunks.buffer, chunks.at, batch, i, directory);
    }
    this.writeReady();
  }

  directoryChanged(): void {
    this.json?.forgetDirectory();
  }

  /** At a pause of the replay: waits while too much is unwritten (back-pressure). */
  async drain(): Promise<void> {
    if (this.unwritten > HIGH_WATER) await this.writing;
    this.check();
  }

  /** Starts writing what the current chunk holds: a followed stream shows each batch as it runs. */
  flush(): void {
    this.chunks.cut();
    this.writeReady();
  }

  /** Writes what is left and waits until everything is written. */
  async end(): Promise<void> {
    this.chunks.cut();
    this.writeReady();
    await this.writing;
    this.check();
  }

  /** Starts writing every full chunk, after the ones already being written. */
  private writeReady(): void {
    for (let chunk = this.chunks.next(); chunk !== undefined; chunk = this.chunks.next()) {
      const bytes = chunk;
      this.unwritten += bytes.length;
      this.writing = this.writing.then(async () => {
        try {
          if (this.failure === null) await this.stream.writeBytes(bytes);
        } catch (error) {
          this.failure = error;
        }
        this.unwritten -= bytes.length;
        this.chunks.recycle(bytes);
      });
    }
  }

  private check(): void {
    if (this.failure !== null) throw this.failure;
  }
}
