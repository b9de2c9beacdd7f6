// Runs a range of a PacketBatch through a Datapath and leaves verdict records in the batch. The Wasm
// runner hands the records to the module in place when they already live in its memory (in-process
// replay: the readers wrote them there) or copies the range in and the verdicts out in one block
// each (a batch that crossed from the main thread). The reference runner decodes records into a
// pool of PacketRecords for the TS pipeline and encodes its verdicts back into records, so the rest
// of the replay reads one format whatever the engine.
import type { Datapath } from "../datapath/datapath.js";
import { CT_STATE_NAMES, type DatapathVerdict } from "../engine/verdict.js";
import { createPacketRecord, type PacketRecord } from "../model/packet.js";
import { WasmDatapathEngine, decodePacket, type RecordLayout } from "../wasm/datapath.js";
import type { PacketBatch } from "./packet-batch.js";

export interface BatchRunner {
  /** Prepares an empty batch to be filled (in-process Wasm: points its records at module memory). */
  bind(batch: PacketBatch, inPlace: boolean): void;
  /** Processes packets [from, to) of the batch, writing their verdict records. */
  run(batch: PacketBatch, from: number, to: number): void;
}

export function createBatchRunner(dp: Datapath): BatchRunner {
  return dp.engine instanceof WasmDatapathEngine
    ? new WasmBatchRunner(dp.engine, dp.layout)
    : new ReferenceBatchRunner(dp);
}

class WasmBatchRunner implements BatchRunner {
  constructor(
    private readonly engine: WasmDatapathEngine,
    private readonly layout: RecordLayout,
  ) {}

  bind(batch: PacketBatch, inPlace: boolean): void {
    if (!inPlace) return;
    // The scratch area is reused by every host call that passes data (e.g. Maglev uploads) and moves
    // when it grows, so a batch is re-bound before each fill.
    const area = this.engine.batchArea(batch.capacity);
    batch.bindRecords(this.engine.wasm.view, area.packets, area.verdicts);
  }

  run(batch: PacketBatch, from: number, to: number): void {
    const n = to - from;
    if (n === 0) return;
    if (!batch.recordsInBuffer) {
      this.engine.processRecords(batch.recordAt(from), n, batch.verdictAt(from));
      return;
    }
    const L = this.layout;
    const area = this.engine.batchArea(n);
    const memory = this.engine.wasm.bytes;
    memory.set(new Uint8Array(batch.buffer, batch.recordAt(from), n * L.PACKET_RECORD_SIZE), area.packets);
    this.engine.processRecords(area.packets, n, area.verdicts);
    new Uint8Array(batch.buffer, batch.verdictAt(from), n * L.VERDICT_RECORD_SIZE).set(
      this.engine.wasm.bytes.subarray(area.verdicts, area.verdicts + n * L.VERDICT_RECORD_SIZE),
    );
  }
}

class ReferenceBatchRunner implements BatchRunner {
  private readonly pool: PacketRecord[] = [];
  private readonly layout: RecordLayout;
  private readonly ctStates: Map<string, number>;

  constructor(private readonly dp: Datapath) {
    this.layout = dp.layout;
    this.ctStates = new Map(CT_STATE_NAMES.map((name, i) => [name, i]));
  }

  bind(): void {}

  run(batch: PacketBatch, from: number, to: number): void {
    const n = to - from;
    if (n === 0) return;
    while (this.pool.length < n) this.pool.push(createPacketRecord());
    const packets = this.pool.slice(0, n);
    for (let i = 0; i < n; i++)
      decodePacket(batch.records, batch.recordAt(from + i), this.layout, packets[i]!);
    const verdicts = this.dp.processBatch(packets);
    for (let i = 0; i < n; i++) this.encode(batch.verdicts, batch.verdictAt(from + i), verdicts[i]!);
  }

  private encode(view: DataView, at: number, v: DatapathVerdict): void {
    const L = this.layout;
    view.setUint8(at + L.VERDICT_VERDICT, v.verdict === "DROPPED" ? L.VERDICT_DROPPED : L.VERDICT_FORWARDED);
    view.setUint8(at + L.VERDICT_DROP_REASON, v.dropReason);
    view.setUint8(at + L.VERDICT_OBS_POINT, v.observationPoint);
    view.setUint8(at + L.VERDICT_CT_STATE, this.ctStates.get(v.ctState) ?? L.CT_NEW);
    view.setUint16(at + L.VERDICT_FLAGS, v.flags, true);
    view.setUint16(at + L.VERDICT_REV_NAT_ID, v.revNatId, true);
    view.setUint32(at + L.VERDICT_BACKEND_ID, v.backendId, true);
    view.setUint32(at + L.VERDICT_SADDR, v.saddr, true);
    view.setUint32(at + L.VERDICT_DADDR, v.daddr, true);
    view.setUint16(at + L.VERDICT_SPORT, v.sport, true);
    view.setUint16(at + L.VERDICT_DPORT, v.dport, true);
    view.setUint32(at + L.VERDICT_SRC_IDENTITY, v.srcIdentity, true);
    view.setUint32(at + L.VERDICT_DST_IDENTITY, v.dstIdentity, true);
    view.setUint32(at + L.VERDICT_TUNNEL_ENDPOINT, v.tunnelEndpoint, true);
    view.setUint8(
      at + L.VERDICT_SERVICE_CT_STATE,
      v.serviceCt === null ? L.SERVICE_CT_NONE : v.serviceCt === "new" ? L.CT_NEW : L.CT_REPLY,
    );
    view.setUint32(at + L.VERDICT_DST_ENDPOINT, v.dstEndpointId, true);
  }
}
