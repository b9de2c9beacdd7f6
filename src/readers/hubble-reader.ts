// Streaming reader for Hubble flows as JSON lines: `hubble observe -o json` from older CLIs (the bare
// Flow object per line) and the GetFlowsResponse form `{"flow":{...},"node_name":...,"time":...}` that
// current CLIs (-o json / -o jsonpb) and the Hubble exporter write. Field names follow
// api/v1/flow/flow.proto in protobuf-JSON encoding (enum names, zero values omitted).
// Each flow becomes a packet record; Hubble's own verdict, drop reason and observation point go into
// the record's `observed` side object. Lines that are not flows are counted as skipped.
//
// Two ways through a line, with one meaning: the byte scanner (hubble-scanner.ts) reads the fields of
// ordinary lines straight from the bytes; any line it is not sure about goes through JSON.parse, which
// also words every error. The property test in test/readers/hubble-scanner.test.ts holds them equal.
import { FLOW_KEYS, NON_FLOW_RESPONSES, TOP_KEYS, keyMask } from "./hubble-keys.js";
import { FlowScan, Has, HubbleScanner, Int, Text } from "./hubble-scanner.js";
import { HubbleTextCache } from "./hubble-text-cache.js";
import { escapeForTerminal } from "../model/escape.js";
import { createObservedFlow, type ObservedFlow } from "../model/observed-flow.js";
import { parseIPv4, parseIPv4Bytes } from "../model/ipv4.js";
import {
  EntryPoint,
  ReplyState,
  TCP_FLAG_NAMES,
  clearPacketFields,
  createPacketRecord,
  type PacketRecord,
} from "../model/packet.js";
import type { ByteSource } from "./byte-source.js";
import { CaptureFormatError } from "./capture-error.js";
import { inClockRange } from "./clock-range.js";
import { LineSplitter } from "./line-splitter.js";
import { runDecoder, type PacketDecoder, type PacketHandler, type ReaderOptions } from "./packet-decoder.js";
import { createReadSummary, type ReadSummary } from "./read-summary.js";
import { parseRfc3339, parseRfc3339Bytes } from "./rfc3339.js";
import type { SkipKind } from "./skip-counts.js";
import { IpProto } from "../model/protocol.js";

/** Options of the Hubble JSON reader. */
export interface HubbleReaderOptions extends ReaderOptions {
  /** "error" (default) stops at a line that is not valid JSON; "skip" counts it as "hubble-malformed" and goes on. */
  onMalformedLine?: "error" | "skip";
  /** With onMalformedLine "skip": told about each skipped line, e.g. to print a warning (problem escaped). */
  onSkippedLine?: (line: number, byteOffset: number, problem: string) => void;
  /**
   * true (default): read lines with the byte scanner, falling back to JSON.parse for lines it cannot
   * vouch for; false: JSON.parse every line (the same results, several times slower; for comparison).
   */
  scan?: boolean;
}

/** How the lines of a Hubble input were read. */
export interface HubbleLineCounts {
  /** Lines read by the byte scanner alone. */
  scanned: number;
  /** Lines parsed with JSON.parse (scanning off, or a line the scanner was not sure about). */
  parsed: number;
}

type Json = Record<string, unknown>;

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
    // Quoted as written; CaptureFormatError escapes it (JSON.stringify would escape it twice).
    const shown = typeof value === "string" ? `"${value}"` : JSON.stringify(value);
    throw new FlowFieldError(`${path}${key} is not an integer in 0..${max}: ${shown}`);
  }
  return n;
}

/** fillScanned's answer for a line that must go through JSON.parse after all. */
const RESCAN = Symbol("rescan");
type Rescan = typeof RESCAN;

const TOP_KEY_NAMES: readonly string[] = TOP_KEYS;
const NON_FLOW_MASK = keyMask(TOP_KEY_NAMES, NON_FLOW_RESPONSES);
const FLOW_KEYS_MASK = keyMask(TOP_KEY_NAMES, FLOW_KEYS);

/** Flow types that are not packets through the datapath. */
function skipForType(type: string): SkipKind | undefined {
  if (type === "L7") return "hubble-l7";
  if (type === "SOCK") return "hubble-sock";
  return undefined;
}

function isIPv6(source: string, destination: string, ipVersion: string): boolean {
  return ipVersion === "IPv6" || source.includes(":") || destination.includes(":");
}

function hasColon(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] === 0x3a) return true;
  return false;
}

/**
 * is_reply is a wrapped bool: present (true or false) only when Hubble knows. The deprecated `reply`
 * bool cannot tell false from unknown, so only its true counts.
 */
function replyState(isReply: unknown, reply: unknown): ReplyState {
  if (isReply === true) return ReplyState.Reply;
  if (isReply === false) return ReplyState.Original;
  return reply === true ? ReplyState.Reply : ReplyState.Unknown;
}

/** Decodes `hubble observe -o json` lines pushed to it into packet records. */
export class HubbleDecoder implements PacketDecoder {
  readonly summary: ReadSummary = createReadSummary("hubble");
  private readonly packet: PacketRecord = createPacketRecord();
  private readonly observed: ObservedFlow = createObservedFlow();
  private readonly splitter: LineSplitter;
  private readonly text = new TextDecoder("utf-8", { fatal: true });
  private readonly scanner = new HubbleScanner();
  private readonly texts = new HubbleTextCache();
  /** How many lines the scanner read and how many went through JSON.parse. */
  readonly lineCounts: HubbleLineCounts = { scanned: 0, parsed: 0 };
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
    if (this.options.scan !== false && this.scanner.scan(bytes, first, end) && this.readScanned(bytes)) {
      this.lineCounts.scanned++;
      return;
    }
    this.lineCounts.parsed++;
    this.readParsed(bytes, start, end, offset);
  }

  /** A line through JSON.parse: the reference meaning of every line, and the words of every error. */
  private readParsed(bytes: Uint8Array, start: number, end: number, offset: number): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.text.decode(bytes.subarray(start, end)));
    } catch (err) {
      const problem = `not valid JSON (${(err as Error).message})`;
      if (this.options.onMalformedLine === "skip") {
        this.summary.seen++;
        this.summary.skipped["hubble-malformed"]++;
        // V8's message quotes the line itself.
        this.options.onSkippedLine?.(this.line, offset, escapeForTerminal(problem));
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
    this.deliver(kind);
  }

  /** Counts a flow line's outcome: a packet for the callback, or a skip of `kind`. */
  private deliver(kind: SkipKind | undefined): void {
    if (kind !== undefined) {
      this.summary.skipped[kind]++;
      return;
    }
    this.summary.packets++;
    this.onPacket(this.packet);
  }

  /** A line the scanner read; false when its values need JSON.parse after all (nothing counted yet). */
  private readScanned(bytes: Uint8Array): boolean {
    const scanner = this.scanner;
    const top = scanner.top;
    let flow: FlowScan | undefined;
    if (scanner.wrapped) flow = scanner.flow;
    else if ((top.keys & NON_FLOW_MASK) === 0 && (top.keys & FLOW_KEYS_MASK) !== 0) flow = top;
    if (flow === undefined) {
      this.summary.seen++;
      this.summary.skipped["hubble-non-flow"]++;
      return true;
    }
    const kind = this.fillScanned(bytes, flow, top);
    if (kind === RESCAN) return false;
    this.summary.seen++;
    this.deliver(kind);
    return true;
  }

  /** The Flow object of a line, or undefined for node status, lost events and other non-flow lines. */
  private flowOf(parsed: unknown): Json | undefined {
    if (!isObject(parsed)) return undefined;
    if (isObject(parsed.flow)) return parsed.flow;
    if (NON_FLOW_RESPONSES.some((key) => key in parsed)) return undefined;
    return FLOW_KEYS.some((key) => key in parsed) ? parsed : undefined;
  }

  /** Clears the record for the flow on the current line, the summary's `packetNumber`th. */
  private beginPacket(packetNumber: number): void {
    const packet = this.packet;
    clearPacketFields(packet);
    packet.packetNumber = packetNumber;
    packet.byteOffset = this.lineOffset;
    packet.wireLength = 0;
    packet.capturedLength = 0;
    packet.interfaceId = 0;
  }

  /** Fills the record from a flow; returns why it is skipped, or undefined when it is a packet. */
  private fill(flow: Json, response: Json): SkipKind | undefined {
    const packet = this.packet;
    this.beginPacket(this.summary.seen);
    const typeSkip = skipForType(stringField(flow, "Type", "flow."));
    if (typeSkip !== undefined) return typeSkip;

    // The flow's own time is the observation time; the response's is a fallback.
    const timeText = stringField(flow, "time", "flow.") || stringField(response, "time", "");
    if (!timeText) throw new FlowFieldError("flow has no time");
    if (!parseRfc3339(timeText, this.time))
      throw new FlowFieldError(`flow.time is not RFC 3339: ${timeText}`);
    packet.seconds = this.time.seconds;
    packet.nanoseconds = this.time.nanoseconds;
    if (!inClockRange(packet.seconds)) return "time-out-of-range";

    this.fillObserved(flow, response);

    const ip = objectField(flow, "IP", "flow.");
    if (ip === undefined) return "hubble-no-ip";
    const source = stringField(ip, "source", "flow.IP.");
    const destination = stringField(ip, "destination", "flow.IP.");
    if (isIPv6(source, destination, stringField(ip, "ipVersion", "flow.IP."))) return "ipv6";
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

    packet.reply = replyState(flow.is_reply, flow.reply);
    packet.entry = this.entryPoint();
    return undefined;
  }

  /** fill() for a scanned line; RESCAN where fill() would throw (JSON.parse words the error). */
  private fillScanned(bytes: Uint8Array, flow: FlowScan, response: FlowScan): SkipKind | undefined | Rescan {
    const packet = this.packet;
    this.beginPacket(this.summary.seen + 1);
    const typeSkip = skipForType(this.scannedText(bytes, flow, Text.Type));
    if (typeSkip !== undefined) return typeSkip;

    const timed = flow.text[2 * Text.Time] !== flow.text[2 * Text.Time + 1] ? flow : response;
    const timeStart = timed.text[2 * Text.Time]!;
    const timeEnd = timed.text[2 * Text.Time + 1]!;
    if (timeStart === timeEnd || !parseRfc3339Bytes(bytes, timeStart, timeEnd, this.time)) return RESCAN;
    packet.seconds = this.time.seconds;
    packet.nanoseconds = this.time.nanoseconds;
    if (!inClockRange(packet.seconds)) return "time-out-of-range";

    this.fillObservedScanned(bytes, flow, response);

    if ((flow.objects & Has.IP) === 0) return "hubble-no-ip";
    // isIPv6() on the bytes: the version, or a colon in either address.
    const t = flow.text;
    const sourceStart = t[2 * Text.IpSource]!;
    const sourceEnd = t[2 * Text.IpSource + 1]!;
    const destinationStart = t[2 * Text.IpDestination]!;
    const destinationEnd = t[2 * Text.IpDestination + 1]!;
    if (
      this.scannedText(bytes, flow, Text.IpVersion) === "IPv6" ||
      hasColon(bytes, sourceStart, sourceEnd) ||
      hasColon(bytes, destinationStart, destinationEnd)
    ) {
      return "ipv6";
    }
    const saddr = parseIPv4Bytes(bytes, sourceStart, sourceEnd);
    const daddr = parseIPv4Bytes(bytes, destinationStart, destinationEnd);
    if (saddr === undefined || daddr === undefined) return RESCAN;
    packet.saddr = saddr;
    packet.daddr = daddr;

    if ((flow.objects & Has.L4) === 0) return "hubble-no-l4";
    const l4Kind = this.fillL4Scanned(flow);
    if (l4Kind !== undefined) return l4Kind;

    packet.reply = replyState(flow.isReply === -1 ? undefined : flow.isReply === 1, flow.reply);
    packet.entry = this.entryPoint();
    return undefined;
  }

  private fillL4Scanned(flow: FlowScan): SkipKind | undefined {
    const packet = this.packet;
    const int = flow.int;
    if ((flow.objects & Has.TCP) !== 0) {
      packet.proto = IpProto.TCP;
      packet.sport = int[Int.TcpSourcePort]!;
      packet.dport = int[Int.TcpDestinationPort]!;
      packet.tcpFlags = flow.tcpFlags;
    } else if ((flow.objects & Has.UDP) !== 0) {
      packet.proto = IpProto.UDP;
      packet.sport = int[Int.UdpSourcePort]!;
      packet.dport = int[Int.UdpDestinationPort]!;
    } else if ((flow.objects & Has.SCTP) !== 0) {
      packet.proto = IpProto.SCTP;
      packet.sport = int[Int.SctpSourcePort]!;
      packet.dport = int[Int.SctpDestinationPort]!;
    } else if ((flow.objects & Has.ICMPv4) !== 0) {
      packet.proto = IpProto.ICMP;
      packet.icmpType = int[Int.IcmpType]!;
      packet.icmpCode = int[Int.IcmpCode]!;
    } else {
      return (flow.objects & Has.ICMPv6) !== 0 ? "ipv6" : "other-ip-protocol";
    }
    return undefined;
  }

  private fillObservedScanned(bytes: Uint8Array, flow: FlowScan, response: FlowScan): void {
    const o = this.observed;
    const int = flow.int;
    o.verdict = this.scannedText(bytes, flow, Text.Verdict);
    o.dropReason = int[Int.DropReason]!;
    o.dropReasonDesc = this.scannedText(bytes, flow, Text.DropReasonDesc);
    o.observationPoint = this.scannedText(bytes, flow, Text.ObservationPoint);
    o.traceReason = this.scannedText(bytes, flow, Text.TraceReason);
    o.trafficDirection = this.scannedText(bytes, flow, Text.TrafficDirection);
    o.eventType = int[Int.EventType]!;
    o.eventSubType = int[Int.EventSubType]!;
    o.sourceIdentity = int[Int.SourceIdentity]!;
    o.destinationIdentity = int[Int.DestinationIdentity]!;
    o.sourceEndpointId = int[Int.SourceId]!;
    o.destinationEndpointId = int[Int.DestinationId]!;
    o.nodeName =
      this.scannedText(bytes, flow, Text.NodeName) || this.scannedText(bytes, response, Text.NodeName);
    o.interfaceName = this.scannedText(bytes, flow, Text.InterfaceName);
  }

  /** A string field of a scanned object ("" when absent). */
  private scannedText(bytes: Uint8Array, scan: FlowScan, field: number): string {
    return this.texts.text(bytes, scan.text[2 * field]!, scan.text[2 * field + 1]!);
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
