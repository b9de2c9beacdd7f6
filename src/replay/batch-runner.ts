// Runs a range of a PacketBatch through a Datapath and leaves verdict records in the batch. The Wasm
// runner hands the records to the module in place when they already live in its memory (in-process
// replay: the readers wrote them there) or copies the range in and the verdicts out in one block
// each (a batch that crossed from the main thread). The reference runner decodes records into a
// pool of PacketRecords for the TS pipeline and encodes its verdicts back into records, so the rest
// of the replay reads one format whatever the engine.
import type { Datapath } from "../datapath/datapath.js";
import { createPacketRecord, type PacketRecord } from "../model/packet.js";
import { decodePacket, encodeVerdict } from "../wasm/codec.js";
import { WasmDatapathEngine } from "../wasm/datapath.js";
import type { PacketBatch } from "./packet-batch.js";

export interface BatchRunner {
  /** Prepares an empty batch to be filled (in-process Wasm: points its records at module memory). */
  bind(batch: PacketBatch, inPlace: boolean): void;
  /** Processes packets [from, to) of the batch, writing their verdict records. */
  run(batch: PacketBatch, from: number, to: number): void;
}

export function createBatchRunner(dp: Datapath): BatchRunner {
  return dp.engine instanceof WasmDatapathEngine
    ? new WasmBatchRunner(dp.engine)
    : new ReferenceBatchRunner(dp);
}

class WasmBatchRunner implements BatchRunner {
  constructor(private readonly engine: WasmDatapathEngine) {}

  bind(batch: PacketBatch, inPlace: boolean): void {
    if (!inPlace) return;
    // The scratch area is reused by every host call that passes data (e.g. Maglev uploads) and moves
    // when it grows, so a batch is re-bound before each fill.
    const area = this.engine.batchArea(batch.capacity);
    batch.bindRecords(area.view, area.packets, area.verdicts);
  }

  run(batch: PacketBatch, from: number, to: number): void {
    const n = to - from;
    if (n === 0) return;
    if (batch.recordsInBuffer) {
      // A ring slot's SharedArrayBuffer is copied from and to like an ArrayBuffer.
      const buffer = batch.buffer as ArrayBuffer;
      this.engine.processBuffered(buffer, batch.recordAt(from), n, batch.verdictAt(from));
    } else this.engine.processRecords(batch.recordAt(from), n, batch.verdictAt(from));
  }
}

class ReferenceBatchRunner implements BatchRunner {
  private readonly pool: PacketRecord[] = [];

  constructor(private readonly dp: Datapath) {}

  bind(): void {}

  run(batch: PacketBatch, from: number, to: number): void {
    const n = to - from;
    if (n === 0) return;
    while (this.pool.length < n) this.pool.push(createPacketRecord());
    const packets = this.pool.slice(0, n);
    for (let i = 0; i < n; i++) decodePacket(batch.records, batch.recordAt(from + i), packets[i]!);
    const verdicts = this.dp.processBatch(packets);
    for (let i = 0; i < n; i++) encodeVerdict(batch.verdicts, batch.verdictAt(from + i), verdicts[i]!);
  }
}
