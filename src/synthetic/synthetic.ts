// Synthetic flows from a spec: clients open connections to services (Poisson arrivals, Zipf service
// popularity), each connection sends a number of packets (SYN, data, FIN for TCP) and, if asked, gets a
// reply to each one; backend churn events are announced at their times. Packets come out in time order,
// one at a time into the caller's reused record, from a min-heap of open connections kept in typed
// arrays: memory is bounded by the number of connections open at once, not by the workload's length.
// Everything random comes from one seeded xoshiro128** stream, so a seed always gives the same packets.
//
// Reply packets carry the service frontend as their source: the generator does not know which backend
// the datapath picks, so the replayer sends each reply from the backend chosen for its connection.
import {
  EntryPoint,
  IpProto,
  ReplyState,
  TcpFlag,
  clearPacketFields,
  createPacketRecord,
  type PacketRecord,
} from "../model/packet.js";
import type { PacketHandler, ReaderOptions } from "../readers/packet-decoder.js";
import { Xoshiro128 } from "../reference/prng.js";
import { createReadSummary, type ReadSummary } from "../readers/read-summary.js";
import { SyntheticSpecError, type SyntheticService, type SyntheticSpec } from "./synthetic-spec.js";
import { ZipfSampler } from "./zipf.js";

/** A backend change the replayer should apply before the packets that follow it. */
export interface ChurnEvent {
  seconds: number;
  nanoseconds: number;
  service: SyntheticService;
  action: "add" | "remove";
  backend: { address: number; port: number };
  /** Packets generated before this event. */
  afterPackets: number;
}

const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_COUNT = 60999 - 32768 + 1;
const ETHERNET_HEADER = 14;
const L4_HEADER: Record<number, number> = { [IpProto.TCP]: 20, [IpProto.UDP]: 8, [IpProto.SCTP]: 12 };

export class SyntheticFlowGenerator {
  /** Packets generated so far. */
  packets = 0;
  /** Connections opened so far. */
  connectionsOpened = 0;
  private readonly random: Xoshiro128;
  private readonly zipf: ZipfSampler;
  private readonly clientPorts: Uint32Array;
  private nextArrival = 0;
  private churnIndex = 0;

  // Open connections, struct-of-arrays by slot.
  private capacity = 0;
  private start: Float64Array = new Float64Array(0);
  private nextTime: Float64Array = new Float64Array(0);
  private sequence: Float64Array = new Float64Array(0);
  private forwardSent: Uint32Array = new Uint32Array(0);
  private repliesSent: Uint32Array = new Uint32Array(0);
  private length: Uint32Array = new Uint32Array(0);
  private client: Uint32Array = new Uint32Array(0);
  private service: Uint32Array = new Uint32Array(0);
  private sport: Uint16Array = new Uint16Array(0);
  private freeSlots: Int32Array = new Int32Array(0);
  private freeCount = 0;
  private heap: Int32Array = new Int32Array(0);
  private heapSize = 0;

  constructor(readonly spec: SyntheticSpec) {
    this.random = new Xoshiro128(spec.seed);
    this.zipf = new ZipfSampler(spec.services.length, spec.zipfExponent);
    this.clientPorts = new Uint32Array(spec.clientCount);
    this.grow(Math.min(1024, spec.maxConcurrentConnections));
    this.nextArrival = 0;
  }

  /** Connections open right now. */
  get openConnections(): number {
    return this.heapSize;
  }

  /**
   * Fills `packet` with the next packet in time order and returns true, or returns false when the
   * workload is over. Churn events due at or before that packet are passed to onChurn first (and the
   * ones after the last packet before returning false).
   */
  next(packet: PacketRecord, onChurn?: (event: ChurnEvent) => void): boolean {
    const spec = this.spec;
    for (;;) {
      const arrivalsLeft = this.connectionsOpened < spec.connections && this.nextArrival < spec.durationNanos;
      const arrival = arrivalsLeft ? this.nextArrival : Infinity;
      const due = this.heapSize > 0 ? this.nextTime[this.heap[0]!]! : Infinity;
      if (arrival === Infinity && due === Infinity) {
        this.announceChurn(Infinity, onChurn);
        return false;
      }
      if (arrival <= due) {
        this.open(arrival);
        this.nextArrival = arrival + Math.round(this.random.nextExponential(spec.meanArrivalNanos));
        continue;
      }
      this.announceChurn(due, onChurn);
      this.emit(this.popSlot(), packet);
      return true;
    }
  }

  private announceChurn(upTo: number, onChurn: ((event: ChurnEvent) => void) | undefined): void {
    const churn = this.spec.churn;
    while (this.churnIndex < churn.length && churn[this.churnIndex]!.atNanos <= upTo) {
      const c = churn[this.churnIndex++]!;
      if (!onChurn) continue;
      const event: ChurnEvent = {
        seconds: 0,
        nanoseconds: 0,
        service: c.service,
        action: c.action,
        backend: c.backend,
        afterPackets: this.packets,
      };
      this.setTime(c.atNanos, event);
      onChurn(event);
    }
  }

  /** Start time + an offset in nanoseconds, written into target (no allocation). */
  private setTime(relativeNanos: number, target: { seconds: number; nanoseconds: number }): void {
    const total = this.spec.startNanoseconds + relativeNanos;
    const whole = Math.floor(total / 1e9);
    target.seconds = this.spec.startSeconds + whole;
    target.nanoseconds = total - whole * 1e9;
  }

  private open(time: number): void {
    const spec = this.spec;
    const slot = this.takeSlot();
    const client = this.random.nextInt(spec.clientCount);
    this.client[slot] = client;
    this.service[slot] = this.zipf.sample(this.random);
    this.length[slot] = this.sampleLength();
    this.sport[slot] = EPHEMERAL_FIRST + (this.clientPorts[client]!++ % EPHEMERAL_COUNT);
    this.start[slot] = time;
    this.nextTime[slot] = time;
    this.sequence[slot] = this.connectionsOpened++;
    this.forwardSent[slot] = 0;
    this.repliesSent[slot] = 0;
    this.pushSlot(slot);
  }

  private sampleLength(): number {
    const length = this.spec.length;
    switch (length.distribution) {
      case "fixed":
        return length.packets;
      case "uniform":
        return length.min + this.random.nextInt(length.max - length.min + 1);
      case "geometric": {
        // min + failures before the first success, with success probability 1 / (mean - min + 1).
        const p = 1 / (length.mean - length.min + 1);
        if (p >= 1) return length.min;
        const u = this.random.nextFloat();
        return length.min + Math.min(1e6, Math.floor(Math.log(1 - u) / Math.log(1 - p)));
      }
    }
  }

  /** When a connection started at `start` sends client packet number `sent` (Infinity after the last of `n`). */
  private forwardDue(start: number, sent: number, n: number): number {
    return sent < n ? start + sent * this.spec.packetIntervalNanos : Infinity;
  }

  /** When reply number `replied` is due: `replyDelay` after the client packet it answers, once that is sent. */
  private replyDue(start: number, replied: number, sent: number): number {
    return this.spec.replies && replied < sent
      ? start + replied * this.spec.packetIntervalNanos + this.spec.replyDelayNanos
      : Infinity;
  }

  /** Writes the slot's next packet (a client packet or a reply) and reschedules or frees the slot. */
  private emit(slot: number, packet: PacketRecord): void {
    const spec = this.spec;
    const n = this.length[slot]!;
    const sent = this.forwardSent[slot]!;
    const replied = this.repliesSent[slot]!;
    const start = this.start[slot]!;
    const forwardTime = this.forwardDue(start, sent, n);
    const replyTime = this.replyDue(start, replied, sent);
    const isReply = replyTime < forwardTime;
    const index = isReply ? replied : sent;
    const time = isReply ? replyTime : forwardTime;

    const service = this.spec.services[this.service[slot]!]!;
    const clientAddress = (spec.clientBase + this.client[slot]!) >>> 0;
    clearPacketFields(packet);
    this.packets++;
    packet.packetNumber = this.packets;
    packet.byteOffset = 0;
    packet.interfaceId = 0;
    packet.connection = this.sequence[slot]! + 1;
    packet.connectionSlot = slot + 1;
    this.setTime(time, packet);
    packet.proto = service.proto;
    if (isReply) {
      packet.saddr = service.address;
      packet.sport = service.port;
      packet.daddr = clientAddress;
      packet.dport = this.sport[slot]!;
      packet.reply = ReplyState.Reply;
      packet.entry = EntryPoint.Unknown;
    } else {
      packet.saddr = clientAddress;
      packet.sport = this.sport[slot]!;
      packet.daddr = service.address;
      packet.dport = service.port;
      packet.reply = ReplyState.Original;
      packet.entry = spec.clientEntry;
    }
    let payload = spec.payloadBytes;
    if (service.proto === IpProto.TCP) {
      const first = index === 0;
      const last = index === n - 1 && n > 1;
      if (isReply)
        packet.tcpFlags = first ? TcpFlag.SYN | TcpFlag.ACK : last ? TcpFlag.FIN | TcpFlag.ACK : TcpFlag.ACK;
      else
        packet.tcpFlags = first ? TcpFlag.SYN : last ? TcpFlag.FIN | TcpFlag.ACK : TcpFlag.PSH | TcpFlag.ACK;
      // Only the client's data packets carry payload; handshake, teardown and ACKs do not.
      if (isReply || first || last) payload = 0;
    }
    packet.ipLength = 20 + L4_HEADER[service.proto]! + payload;
    packet.wireLength = packet.ipLength + ETHERNET_HEADER;
    packet.capturedLength = 0;

    if (isReply) this.repliesSent[slot] = replied + 1;
    else this.forwardSent[slot] = sent + 1;
    const nextSent = this.forwardSent[slot]!;
    const next = Math.min(
      this.forwardDue(start, nextSent, n),
      this.replyDue(start, this.repliesSent[slot]!, nextSent),
    );
    if (next === Infinity) {
      this.freeSlots[this.freeCount++] = slot;
    } else {
      this.nextTime[slot] = next;
      this.pushSlot(slot);
    }
  }

  private takeSlot(): number {
    if (this.freeCount === 0) {
      if (this.capacity >= this.spec.maxConcurrentConnections) {
        throw new SyntheticSpecError(
          "maxConcurrentConnections",
          `more than ${this.spec.maxConcurrentConnections} connections open at once; lower the rate or raise the limit`,
        );
      }
      this.grow(Math.min(this.capacity * 2, this.spec.maxConcurrentConnections));
    }
    return this.freeSlots[--this.freeCount]!;
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const f64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    const u32 = (a: Uint32Array): Uint32Array => {
      const b = new Uint32Array(capacity);
      b.set(a);
      return b;
    };
    this.start = f64(this.start);
    this.nextTime = f64(this.nextTime);
    this.sequence = f64(this.sequence);
    this.forwardSent = u32(this.forwardSent);
    this.repliesSent = u32(this.repliesSent);
    this.length = u32(this.length);
    this.client = u32(this.client);
    this.service = u32(this.service);
    const sport = new Uint16Array(capacity);
    sport.set(this.sport);
    this.sport = sport;
    const heap = new Int32Array(capacity);
    heap.set(this.heap.subarray(0, this.heapSize));
    this.heap = heap;
    const free = new Int32Array(capacity);
    free.set(this.freeSlots.subarray(0, this.freeCount));
    // New slots, highest first so the lowest is taken next.
    for (let slot = capacity - 1; slot >= old; slot--) free[this.freeCount++] = slot;
    this.freeSlots = free;
    this.capacity = capacity;
  }

  /** Heap order: earlier time first, then the connection opened first. */
  private before(a: number, b: number): boolean {
    const ta = this.nextTime[a]!;
    const tb = this.nextTime[b]!;
    return ta < tb || (ta === tb && this.sequence[a]! < this.sequence[b]!);
  }

  private pushSlot(slot: number): void {
    const heap = this.heap;
    let i = this.heapSize++;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!this.before(slot, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = slot;
  }

  private popSlot(): number {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap[--this.heapSize]!;
    let i = 0;
    const size = this.heapSize;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && this.before(heap[right]!, heap[left]!) ? right : left;
      if (!this.before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    if (size > 0) heap[i] = last;
    return top;
  }
}

export interface SyntheticReaderOptions extends ReaderOptions {
  /** Receives backend churn events in stream order. */
  onChurn?: (event: ChurnEvent) => void;
  /** Packets generated between two afterChunk calls (default 65536). */
  packetsPerChunk?: number;
}

/**
 * Generates the whole workload, calling onPacket for every packet; afterChunk (with the packet count)
 * is awaited every packetsPerChunk packets so a consumer can apply back-pressure or show progress.
 */
export async function readSynthetic(
  spec: SyntheticSpec,
  onPacket: PacketHandler,
  options: SyntheticReaderOptions = {},
): Promise<ReadSummary> {
  const generator = new SyntheticFlowGenerator(spec);
  const summary = createReadSummary("synthetic");
  const packet = createPacketRecord();
  const perChunk = options.packetsPerChunk ?? 65536;
  let inChunk = 0;
  while (generator.next(packet, options.onChurn)) {
    summary.seen++;
    summary.packets++;
    onPacket(packet);
    if (++inChunk === perChunk) {
      inChunk = 0;
      if (options.afterChunk) await options.afterChunk(summary.packets);
    }
  }
  if (inChunk > 0 && options.afterChunk) await options.afterChunk(summary.packets);
  return summary;
}
