// Verdict lines in bulk: the processed packets of a batch, formatted by the stream's line writer
// (src/replay/verdicts/) into the chunks of replay-line-chunks.ts. The in-thread stream and the
// formatter thread both format through it.
import { PacketStatus, type PacketBatch } from "../replay/packet-batch.js";
import { VerdictJsonWriter, type ServiceDirectory } from "../replay/verdicts/json-line.js";
import { VerdictTextWriter } from "../replay/verdicts/text-line.js";
import { LineChunks } from "./replay-line-chunks.js";

/** The verdict stream's line formats: compact one-liners or JSON lines. */
export type VerdictLineFormat = "compact" | "json";

export class VerdictLines {
  readonly chunks = new LineChunks();
  private readonly text: VerdictTextWriter | null;
  private readonly json: VerdictJsonWriter | null;

  constructor(format: VerdictLineFormat) {
    this.text = format === "compact" ? new VerdictTextWriter() : null;
    this.json = format === "json" ? new VerdictJsonWriter() : null;
  }

  /** Writes packet `i` of a processed batch as one line. */
  write(batch: PacketBatch, i: number, directory: ServiceDirectory): void {
    const chunks = this.chunks;
    chunks.reserve();
    chunks.at = this.text
      ? this.text.write(chunks.buffer, chunks.at, batch, i)
      : this.json!.write(chunks.buffer, chunks.at, batch, i, directory);
  }

  /** Writes the processed packets among [from, to) of a batch, one line each. */
  writeAll(batch: PacketBatch, from: number, to: number, directory: ServiceDirectory): void {
    const status = batch.status;
    for (let i = from; i < to; i++) if (status[i] === PacketStatus.Processed) this.write(batch, i, directory);
  }

  /** The directory's backends changed: forget the names learnt of it. */
  forgetDirectory(): void {
    this.json?.forgetDirectory();
  }
}
