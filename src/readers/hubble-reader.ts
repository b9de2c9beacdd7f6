// Streaming reader for Hubble flows as JSON lines: `hubble observe -o json` from older CLIs (the bare
// Flow object per line) and the GetFlowsResponse form `{"flow":{...},"node_name":...,"time":...}` that
// current CLIs (-o json / -o jsonpb) and the Hubble exporter write. Field names follow
// api/v1/flow/flow.proto in protobuf-JSON encoding (enum names, zero values omitted).
// Each flow becomes a packet record; Hubble's own verdict, drop reason and observation point go into
// the record's `observed` side object. Lines that are not flows are counted as skipped.
import { createObservedFlow, type ObservedFlow } from "../model/observed-flow.js";
import { parseIPv4 } from "../model/ipv4.js";
import {
  EntryPoint,
  IpProto,
  ReplyState,
  TCP_FLAG_NAMES,
  clearPacketFields,
  createPacketRecord,
  type PacketRecord,
} from "../model/packet.js";
import type { ByteSource } from "./byte-source.js";
import { CaptureFormatError } from "./capture-error.js";
import { LineSplitter } from "./line-splitter.js";
import { runDecoder, type PacketDecoder, type PacketHandler, type ReaderOptions } from "./packet-decoder.js";
import { createReadSummary, type ReadSummary } from "./read-summary.js";
import { parseRfc3339 } from "./rfc3339.js";
import type { SkipKind } from "./skip-counts.js";

export interface HubbleReaderOptions extends ReaderOptions {
  /** "error" (default) stops at a line that is not valid JSON; "skip" counts it as "hubble-malformed" and goes on. */
  onMalformedLine?: "error" | "skip";
  /** With onMalformedLine "skip": told about each skipped line, e.g. to print a warning. */
  onSkippedLine?: (line: number, byteOffset: number, problem: string) => void;
}

type Json = Record<string, unknown>;

/** Keys of GetFlowsResponse objects that carry something other than a flow. */
const NON_FLOW_RESPONSES = ["node_status", "lost_events", "agent_event", "debug_event"];
/** Keys only a Flow object has, to recognise the old bare-flow lines. */
const FLOW_KEYS = ["IP", "l4", "verdict", "event_type", "Type", "trace_observation_point", "ethernet"];

/** Hubble observation points that name where a packet entered the node. */
const ENTRY_BY_OBSERVATION_POINT: Record<string, EntryPoint> = {
  FROM_ENDPOINT: EntryPoint.FromEndpoint,
  FROM_NETWORK: EntryPoint.FromNetwork,
  FROM_OVERLAY: EntryPoint.FromOverlay,
};

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A problem with one flow's content, turned into a CaptureFormatError with the line's position. */
class FlowFieldError extends Error {}

function objectField(parent: Json, key: string, path: string): Json | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new FlowFieldError(`${path}${key} is not an object`);
  return value;
}

function stringField(parent: Json | undefined, key: string, path: string): string {
  const value = parent?.[key];
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new FlowFieldError(`${path}${key} is not a string`);
  return value;
}

function numberField(parent: Json | undefined, key: string, path: string, max: number): number {
  const value = parent?.[key];
  if (value === undefined || value === null) return 0;
  // protobuf-JSON may print 64-bit integers as strings.
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > max) {
    throw new FlowFieldError(`${path}${key} is not an integer in 0..${max}: ${JSON.stringify(value)}`);
  }
  return n;
}

export class HubbleDecoder implements PacketDecoder {
  readonly summary: ReadSummary = createReadSummary("hubble");
  private readonly packet: PacketRecord = createPacketRecord();
  private readonly observed: ObservedFlow = createObservedFlow();
  private readonly splitter: LineSplitter;
  private readonly text = new TextDecoder("utf-8", { fatal: true });
  private line = 0;
  private lineOffset = 0;
  private readonly time = { seconds: 0, nanoseconds: 0 };

  constructor(
    private readonly onPacket: PacketHandler,
    private readonly options: HubbleReaderOptions = {},
  ) {
    this.packet.observed = this.observed;
    this.splitter = new LineSplitter(
      (bytes, start, end, offset) => this.readLine(bytes, start, end, offset),
      (offset, length) => {
        this.lineOffset = offset;
        return this.error(
          this.line + 1,
          `line longer than ${this.splitter.maxLineBytes} bytes (${length} so far)`,
        );
      },
    );
  }

  push(chunk: Uint8Array): void {
    this.splitter.push(chunk);
  }

  end(): void {
    this.splitter.end();
  }

  private readLine(bytes: Uint8Array, start: number, end: number, offset: number): void {
    this.line++;
    this.lineOffset = offset;
    this.summary.bytesRead = offset + (end - start);
    // Blank lines carry nothing (some tools end output with one).
    let first = start;
    while (first < end && (bytes[first] === 0x20 || bytes[first] === 0x09 || bytes[first] === 0x0d)) first++;
    if (first === end) return;

    let parsed: unknown;
    try {
      parsed = JSON.parse(this.text.decode(bytes.subarray(start, end)));
    } catch (err) {
      const problem = `not valid JSON (${(err as Error).message})`;
      if (this.options.onMalformedLine === "skip") {
        this.summary.seen++;
        this.summary.skipped["hubble-malformed"]++;
        this.options.onSkippedLine?.(this.line, offset, problem);
        return;
      }
      throw this.error(this.line, problem);
    }
    this.summary.seen++;
    const flow = this.flowOf(parsed);
    if (flow === undefined) {
      this.summary.skipped["hubble-non-flow"]++;
      return;
    }
    let kind: SkipKind | undefined;
    try {
      kind = this.fill(flow, isObject(parsed) ? parsed : {});
    } catch (err) {
      if (err instanceof FlowFieldError) throw this.error(this.line, err.message, this.summary.seen);
      throw err;
    }
    if (kind !== undefined) {
      this.summary.skipped[kind]++;
      return;
    }
    this.summary.packets++;
    this.onPacket(this.packet);
  }

  /** The Flow object of a line, or undefined for node status, lost events and other non-flow lines. */
  private flowOf(parsed: unknown): Json | undefined {
    if (!isObject(parsed)) return undefined;
    if (isObject(parsed.flow)) return parsed.flow;
    if (NON_FLOW_RESPONSES.some((key) => key in parsed)) return undefined;
    return FLOW_KEYS.some((key) => key in parsed) ? parsed : undefined;
  }

  /** Fills the record from a flow; returns why it is skipped, or undefined when it is a packet. */
  private fill(flow: Json, response: Json): SkipKind | undefined {
    const packet = this.packet;
    clearPacketFields(packet);
    packet.packetNumber = this.summary.seen;
    packet.byteOffset = this.lineOffset;
    packet.wireLength = 0;
    packet.capturedLength = 0;
    packet.interfaceId = 0;

    const type = stringField(flow, "Type", "flow.");
    if (type === "L7") return "hubble-l7";
    if (type === "SOCK") return "hubble-sock";

    // The flow's own time is the observation time; the response's is a fallback.
    const timeText = stringField(flow, "time", "flow.") || stringField(response, "time", "");
    if (!timeText) throw new FlowFieldError("flow has no time");
    if (!parseRfc3339(timeText, this.time))
      throw new FlowFieldError(`flow.time is not RFC 3339: ${timeText}`);
    packet.seconds = this.time.seconds;
    packet.nanoseconds = this.time.nanoseconds;

    this.fillObserved(flow, response);

    const ip = objectField(flow, "IP", "flow.");
    if (ip === undefined) return "hubble-no-ip";
    const source = stringField(ip, "source", "flow.IP.");
    const destination = stringField(ip, "destination", "flow.IP.");
    if (
      stringField(ip, "ipVersion", "flow.IP.") === "IPv6" ||
      source.includes(":") ||
      destination.includes(":")
    ) {
      return "ipv6";
    }
    const saddr = parseIPv4(source);
    const daddr = parseIPv4(destination);
    if (saddr === undefined || daddr === undefined) {
      throw new FlowFieldError(`flow.IP has no valid IPv4 source/destination: ${source} -> ${destination}`);
    }
    packet.saddr = saddr;
    packet.daddr = daddr;

    const l4 = objectField(flow, "l4", "flow.");
    if (l4 === undefined) return "hubble-no-l4";
    const l4Kind = this.fillL4(l4);
    if (l4Kind !== undefined) return l4Kind;

    packet.reply = this.replyState(flow);
    packet.entry = this.entryPoint();
    return undefined;
  }

  private fillL4(l4: Json): SkipKind | undefined {
    const packet = this.packet;
    const tcp = objectField(l4, "TCP", "flow.l4.");
    if (tcp) {
      packet.proto = IpProto.TCP;
      packet.sport = numberField(tcp, "source_port", "flow.l4.TCP.", 65535);
      packet.dport = numberField(tcp, "destination_port", "flow.l4.TCP.", 65535);
      const flags = objectField(tcp, "flags", "flow.l4.TCP.");
      let mask = 0;
      if (flags) for (const [name, bit] of TCP_FLAG_NAMES) if (flags[name] === true) mask |= bit;
      packet.tcpFlags = mask;
      return undefined;
    }
    const udp = objectField(l4, "UDP", "flow.l4.");
    const sctp = objectField(l4, "SCTP", "flow.l4.");
    if (udp || sctp) {
      const ports = (udp ?? sctp)!;
      const path = udp ? "flow.l4.UDP." : "flow.l4.SCTP.";
      packet.proto = udp ? IpProto.UDP : IpProto.SCTP;
      packet.sport = numberField(ports, "source_port", path, 65535);
      packet.dport = numberField(ports, "destination_port", path, 65535);
      return undefined;
    }
    const icmp = objectField(l4, "ICMPv4", "flow.l4.");
    if (icmp) {
      packet.proto = IpProto.ICMP;
      packet.icmpType = numberField(icmp, "type", "flow.l4.ICMPv4.", 255);
      packet.icmpCode = numberField(icmp, "code", "flow.l4.ICMPv4.", 255);
      // Hubble does not export the echo identifier, so echo packets keep ports 0.
      return undefined;
    }
    if ("ICMPv6" in l4) return "ipv6";
    // VRRP, IGMP, or a protocol this Hubble version does not name.
    return "other-ip-protocol";
  }

  private fillObserved(flow: Json, response: Json): void {
    const o = this.observed;
    o.verdict = stringField(flow, "verdict", "flow.");
    o.dropReason = numberField(flow, "drop_reason", "flow.", 0xffffffff);
    o.dropReasonDesc = stringField(flow, "drop_reason_desc", "flow.");
    o.observationPoint = stringField(flow, "trace_observation_point", "flow.");
    o.traceReason = stringField(flow, "trace_reason", "flow.");
    o.trafficDirection = stringField(flow, "traffic_direction", "flow.");
    const eventType = objectField(flow, "event_type", "flow.");
    o.eventType = numberField(eventType, "type", "flow.event_type.", 0xffffffff);
    o.eventSubType = numberField(eventType, "sub_type", "flow.event_type.", 0xffffffff);
    const source = objectField(flow, "source", "flow.");
    const destination = objectField(flow, "destination", "flow.");
    o.sourceIdentity = numberField(source, "identity", "flow.source.", 0xffffffff);
    o.destinationIdentity = numberField(destination, "identity", "flow.destination.", 0xffffffff);
    o.sourceEndpointId = numberField(source, "ID", "flow.source.", 0xffffffff);
    o.destinationEndpointId = numberField(destination, "ID", "flow.destination.", 0xffffffff);
    o.nodeName = stringField(flow, "node_name", "flow.") || stringField(response, "node_name", "");
    o.interfaceName = stringField(objectField(flow, "interface", "flow."), "name", "flow.interface.");
  }

  private replyState(flow: Json): ReplyState {
    // is_reply is a wrapped bool: present (true or false) only when Hubble knows. The deprecated
    // `reply` bool cannot tell false from unknown, so only its true counts.
    const isReply = flow.is_reply;
    if (isReply === true) return ReplyState.Reply;
    if (isReply === false) return ReplyState.Original;
    return flow.reply === true ? ReplyState.Reply : ReplyState.Unknown;
  }

  private entryPoint(): EntryPoint {
    const o = this.observed;
    const named = ENTRY_BY_OBSERVATION_POINT[o.observationPoint];
    if (named !== undefined) return named;
    // A flow whose source is a local endpoint was sent by that endpoint, wherever it was observed.
    if (o.sourceEndpointId !== 0) return EntryPoint.FromEndpoint;
    return EntryPoint.Unknown;
  }

  private error(line: number, problem: string, packetNumber = this.summary.seen + 1): CaptureFormatError {
    return new CaptureFormatError(
      {
        format: "hubble",
        byteOffset: this.lineOffset,
        packetNumber,
        line,
        source: this.options.sourceName,
      },
      problem,
    );
  }
}

/** Reads Hubble JSON lines, calling onPacket for every IPv4 flow. */
export function readHubble(
  source: ByteSource,
  onPacket: PacketHandler,
  options: HubbleReaderOptions = {},
): Promise<ReadSummary> {
  return runDecoder(new HubbleDecoder(onPacket, options), source, options);
}
