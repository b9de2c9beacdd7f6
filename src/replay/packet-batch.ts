// A batch of packets on its way through the datapath: packet records and verdict records in the
// module's layouts (read and written only through src/wasm/codec.ts), plus per-packet side
// data the datapath does not need but the replay does (packet number and position in the input,
// frame lengths, synthetic connection, what Hubble observed). Everything lives in one ArrayBuffer, so a batch crosses to a worker and back as a
// single transferable; in-process, the records and verdicts live in Wasm memory instead and the
// readers' callbacks write straight into it.
import { knownDropReasons } from "../engine/drop-reasons.js";
import type { ObservedFlow } from "../model/observed-flow.js";
import { ReplyState, type PacketRecord } from "../model/packet.js";
import {
  PACKET_RECORD_SIZE,
  VERDICT_RECORD_SIZE,
  copyRecords,
  encodePacket,
  recordView,
  setPacketEntry,
  type RecordView,
} from "../wasm/codec.js";
import type { EntryPoint } from "../model/packet.js";

/** What a packet is to the replay (PacketBatch.kind). */
export const PacketKind = {
  /** A captured or Hubble packet, replayed as it is. */
  Plain: 0,
  /** A synthetic client packet: its verdict gives the translation its replies are sent back with. */
  SyntheticRequest: 1,
  /** A synthetic reply: its source is the frontend until the replay substitutes the backend. */
  SyntheticReply: 2,
} as const;

/** What became of a packet (PacketBatch.status). */
export const PacketStatus = {
  Processed: 0,
  /** A synthetic reply whose request was dropped (no backend answers it). */
  SkippedReplyToDrop: 1,
  /** A synthetic reply whose request this replay never saw. */
  SkippedUnpairedReply: 2,
} as const;

/** Hubble's verdict names, by the code PacketBatch.observed keeps (0: no observation). */
export const OBSERVED_VERDICTS = [
  "",
  "FORWARDED",
  "DROPPED",
  "ERROR",
  "AUDIT",
  "REDIRECTED",
  "TRACED",
  "TRANSLATED",
  "VERDICT_UNKNOWN",
] as const;

const DROP_CODES = new Map(knownDropReasons().map((r) => [r.hubble, r.code]));

/** Hubble's drop code: the deprecated number when present, else the code of its DropReason name. */
function observedDropCode(observed: ObservedFlow): number {
  if (observed.dropReason !== 0) return observed.dropReason & 0xffff;
  return DROP_CODES.get(observed.dropReasonDesc) ?? 0;
}

/** Hubble's TraceObservationPoint numbers by name (flow.proto), as PacketBatch.observedPoint keeps them. */
const OBSERVATION_POINTS: Readonly<Record<string, number>> = {
  TO_PROXY: 1,
  TO_HOST: 2,
  TO_STACK: 3,
  TO_OVERLAY: 4,
  FROM_ENDPOINT: 5,
  FROM_PROXY: 6,
  FROM_HOST: 7,
  FROM_STACK: 8,
  FROM_OVERLAY: 9,
  FROM_NETWORK: 10,
  TO_NETWORK: 11,
  FROM_CRYPTO: 12,
  TO_CRYPTO: 13,
  TO_ENDPOINT: 101,
};

/** Hubble's observation point number, 0 when absent or unknown. */
function observedPointCode(observed: ObservedFlow): number {
  return OBSERVATION_POINTS[observed.observationPoint] ?? 0;
}

function observedCode(observed: ObservedFlow): number {
  const i = OBSERVED_VERDICTS.indexOf(observed.verdict as (typeof OBSERVED_VERDICTS)[number]);
  return i > 0 ? i : OBSERVED_VERDICTS.length - 1;
}

const align8 = (n: number): number => (n + 7) & ~7;

/** Byte layout of a batch of `capacity` packets starting at `base` in its buffer. */
function regions(capacity: number, base = 0) {
  const records = base;
  const verdicts = records + align8(capacity * PACKET_RECORD_SIZE);
  const packetNumber = verdicts + align8(capacity * VERDICT_RECORD_SIZE);
  const byteOffset = packetNumber + capacity * 8;
  const connection = byteOffset + capacity * 8;
  const slot = connection + capacity * 8;
  const wireLength = slot + capacity * 4;
  const capturedLength = wireLength + capacity * 4;
  const interfaceId = capturedLength + capacity * 4;
  const observedDrop = interfaceId + capacity * 4;
  const kind = observedDrop + align8(capacity * 2);
  const status = kind + align8(capacity);
  const observed = status + align8(capacity);
  const observedPoint = observed + align8(capacity);
  const size = observedPoint + align8(capacity) - base;
  return {
    records,
    verdicts,
    packetNumber,
    byteOffset,
    connection,
    slot,
    wireLength,
    capturedLength,
    interfaceId,
    observedDrop,
    kind,
    status,
    observed,
    observedPoint,
    size,
  };
}

export class PacketBatch {
  readonly capacity: number;
  /** Its own buffer, or a slot of a shared ring (batch-ring.ts) from `byteOffset` on. */
  readonly buffer: ArrayBufferLike;
  /** Where the batch starts in `buffer`. */
  readonly bufferOffset: number;
  /** Packets in the batch. */
  count = 0;
  /** Where the packet records are: this buffer, or a Wasm memory (see bindRecords). */
  records: RecordView;
  recordBase: number;
  verdicts: RecordView;
  verdictBase: number;
  readonly packetNumber: Float64Array;
  /** PacketRecord.byteOffset (a capture may pass 4 GiB). */
  readonly byteOffset: Float64Array;
  readonly connection: Float64Array;
  readonly slot: Uint32Array;
  readonly wireLength: Uint32Array;
  readonly capturedLength: Uint32Array;
  readonly interfaceId: Uint32Array;
  readonly observedDrop: Uint16Array;
  readonly kind: Uint8Array;
  readonly status: Uint8Array;
  readonly observed: Uint8Array;
  /** Hubble's trace observation point number (0: none). */
  readonly observedPoint: Uint8Array;

  /** Bytes a batch of `capacity` packets takes in a buffer (a multiple of 8). */
  static bytes(capacity: number): number {
    return regions(capacity).size;
  }

  /**
   * A new batch, or (with `buffer`) the view of one that crossed a thread or of a shared ring slot
   * at `byteOffset` (a multiple of 8).
   */
  constructor(capacity: number, buffer?: ArrayBufferLike, byteOffset = 0) {
    const r = regions(capacity, byteOffset);
    this.capacity = capacity;
    this.buffer = buffer ?? new ArrayBuffer(r.size);
    this.bufferOffset = byteOffset;
    if (this.buffer.byteLength < byteOffset + r.size) throw new Error("packet batch buffer too small");
    // A DataView reads a SharedArrayBuffer as it reads an ArrayBuffer (codec.ts types the latter).
    const view = recordView(this.buffer as ArrayBuffer);
    this.records = view;
    this.recordBase = r.records;
    this.verdicts = view;
    this.verdictBase = r.verdicts;
    this.packetNumber = new Float64Array(this.buffer, r.packetNumber, capacity);
    this.byteOffset = new Float64Array(this.buffer, r.byteOffset, capacity);
    this.connection = new Float64Array(this.buffer, r.connection, capacity);
    this.slot = new Uint32Array(this.buffer, r.slot, capacity);
    this.wireLength = new Uint32Array(this.buffer, r.wireLength, capacity);
    this.capturedLength = new Uint32Array(this.buffer, r.capturedLength, capacity);
    this.interfaceId = new Uint32Array(this.buffer, r.interfaceId, capacity);
    this.observedDrop = new Uint16Array(this.buffer, r.observedDrop, capacity);
    this.kind = new Uint8Array(this.buffer, r.kind, capacity);
    this.status = new Uint8Array(this.buffer, r.status, capacity);
    this.observed = new Uint8Array(this.buffer, r.observed, capacity);
    this.observedPoint = new Uint8Array(this.buffer, r.observedPoint, capacity);
  }

  /** Takes a batch of the same capacity whose records live in its own buffer: count, records, side data. */
  copyFrom(other: PacketBatch): void {
    const bytes = PacketBatch.bytes(this.capacity);
    new Uint8Array(this.buffer, this.bufferOffset, bytes).set(
      new Uint8Array(other.buffer, other.bufferOffset, bytes),
    );
    this.count = other.count;
  }

  /**
   * Appends packets [from, to) of another batch after this one's: packet and verdict records and side
   * data (a run of a processed batch into a slot of the verdict formatter's ring). There must be room.
   */
  appendFrom(other: PacketBatch, from: number, to: number): void {
    const at = this.count;
    const n = to - from;
    copyRecords(this.records, this.recordAt(at), other.records, other.recordAt(from), n * PACKET_RECORD_SIZE);
    copyRecords(
      this.verdicts,
      this.verdictAt(at),
      other.verdicts,
      other.verdictAt(from),
      n * VERDICT_RECORD_SIZE,
    );
    copyRange(this.packetNumber, at, other.packetNumber, from, to);
    copyRange(this.byteOffset, at, other.byteOffset, from, to);
    copyRange(this.connection, at, other.connection, from, to);
    copyRange(this.slot, at, other.slot, from, to);
    copyRange(this.wireLength, at, other.wireLength, from, to);
    copyRange(this.capturedLength, at, other.capturedLength, from, to);
    copyRange(this.interfaceId, at, other.interfaceId, from, to);
    copyRange(this.observedDrop, at, other.observedDrop, from, to);
    copyRange(this.kind, at, other.kind, from, to);
    copyRange(this.status, at, other.status, from, to);
    copyRange(this.observed, at, other.observed, from, to);
    copyRange(this.observedPoint, at, other.observedPoint, from, to);
    this.count = at + n;
  }

  /** Points the packet and verdict records at another memory (the Wasm area of an in-process replay). */
  bindRecords(view: RecordView, recordBase: number, verdictBase: number): void {
    this.records = view;
    this.recordBase = recordBase;
    this.verdicts = view;
    this.verdictBase = verdictBase;
  }

  /** Whether the records live in this batch's own buffer (and so travel with it). */
  get recordsInBuffer(): boolean {
    return this.records.buffer === this.buffer;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Byte offset of packet record `i` in `records`. */
  recordAt(i: number): number {
    return this.recordBase + i * PACKET_RECORD_SIZE;
  }

  /** Byte offset of verdict record `i` in `verdicts`. */
  verdictAt(i: number): number {
    return this.verdictBase + i * VERDICT_RECORD_SIZE;
  }

  /**
   * Appends a reader's packet (the reader's reused record: nothing of it is kept). `entry`, when
   * given, replaces the packet's entry point (--from-pod / --from-netdev).
   */
  push(p: PacketRecord, entry: EntryPoint | null): void {
    const i = this.count++;
    const at = this.recordAt(i);
    encodePacket(this.records, at, p);
    if (entry !== null) setPacketEntry(this.records, at, entry);
    this.packetNumber[i] = p.packetNumber;
    this.byteOffset[i] = p.byteOffset;
    this.wireLength[i] = p.wireLength;
    this.capturedLength[i] = p.capturedLength;
    this.interfaceId[i] = p.interfaceId;
    const synthetic = p.connection !== 0;
    this.connection[i] = p.connection;
    this.slot[i] = p.connectionSlot;
    this.kind[i] = !synthetic
      ? PacketKind.Plain
      : p.reply === ReplyState.Reply
        ? PacketKind.SyntheticReply
        : PacketKind.SyntheticRequest;
    this.status[i] = PacketStatus.Processed;
    const observed = p.observed;
    if (observed === null) {
      this.observed[i] = 0;
      this.observedDrop[i] = 0;
      this.observedPoint[i] = 0;
    } else {
      this.observed[i] = observedCode(observed);
      this.observedDrop[i] = observedDropCode(observed);
      this.observedPoint[i] = observedPointCode(observed);
    }
  }
}

/** Runs shorter than this are copied element by element (no view is made for them). */
const SHORT_RUN = 32;

type Side = Float64Array | Uint32Array | Uint16Array | Uint8Array;

/** Copies src[from, to) to dst from `at` on. */
function copyRange<T extends Side>(dst: T, at: number, src: T, from: number, to: number): void {
  if (to - from < SHORT_RUN) for (let i = from; i < to; i++) dst[at++] = src[i]!;
  else dst.set(src.subarray(from, to) as never, at);
}
