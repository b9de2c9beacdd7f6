// A byte scanner for Hubble JSON lines: one pass over the raw UTF-8 bytes that checks the line is JSON
// and notes where the values the reader needs are (byte ranges of strings, integers, booleans), without
// building objects or decoding the line to a string. It follows the JSON structure (strings, escapes,
// nesting), so a key inside a nested object or a string never matches by accident.
//
// It is deliberately narrow: it says "not sure" (scan() returns false) for anything but plain ASCII
// JSON whose needed values have the expected types and plain forms: a byte >= 0x80, an escape in a
// key of a read object or in a needed string, a duplicate needed key, a number written as a string,
// a fraction or an exponent, nesting deeper than 64, a top value that is not an object. The reader
// then parses that line with JSON.parse, which has the final word on what it means or what is wrong.
import {
  ENDPOINT_KEYS,
  EVENT_TYPE_KEYS,
  ICMP_KEYS,
  INTERFACE_KEYS,
  IP_KEYS,
  KeyTable,
  L4_KEYS,
  PORT_KEYS,
  TCP_FLAG_KEYS,
  TOP_KEYS,
  keyIndex,
} from "./hubble-keys.js";
import { TCP_FLAG_NAMES } from "../model/packet.js";

/** String fields of a flow object, noted as byte ranges. */
export const Text = {
  Type: 0,
  Time: 1,
  Verdict: 2,
  DropReasonDesc: 3,
  ObservationPoint: 4,
  TraceReason: 5,
  TrafficDirection: 6,
  NodeName: 7,
  InterfaceName: 8,
  IpSource: 9,
  IpDestination: 10,
  IpVersion: 11,
} as const;
const TEXT_FIELDS = 12;

/** Integer fields of a flow object (0 when absent, as protobuf-JSON omits zeros). */
export const Int = {
  DropReason: 0,
  EventType: 1,
  EventSubType: 2,
  SourceIdentity: 3,
  SourceId: 4,
  DestinationIdentity: 5,
  DestinationId: 6,
  IcmpType: 7,
  IcmpCode: 8,
  TcpSourcePort: 9,
  TcpDestinationPort: 10,
  UdpSourcePort: 11,
  UdpDestinationPort: 12,
  SctpSourcePort: 13,
  SctpDestinationPort: 14,
} as const;
const INT_FIELDS = 15;

/** Objects a flow has (present and not null), as bits of FlowScan.objects. */
export const Has = { IP: 1, L4: 2, TCP: 4, UDP: 8, SCTP: 16, ICMPv4: 32, ICMPv6: 64 } as const;

/** What the scanner found in one flow-shaped object (the top object, or the `flow` inside it). */
export class FlowScan {
  /** Bits (by TOP_KEYS index) of the keys the object has, whatever their values. */
  keys = 0;
  /** Has.* bits. */
  objects = 0;
  /** [start, end) per Text field; start === end when absent or "". */
  readonly text = new Int32Array(2 * TEXT_FIELDS);
  readonly int = new Float64Array(INT_FIELDS);
  /** TcpFlag bits of l4.TCP.flags entries that are true. */
  tcpFlags = 0;
  /** is_reply: 1 true, 0 false, -1 absent or not a boolean. */
  isReply = -1;
  /** The deprecated `reply` is true. */
  reply = false;

  clear(): void {
    this.keys = 0;
    this.objects = 0;
    this.text.fill(0);
    this.int.fill(0);
    this.tcpFlags = 0;
    this.isReply = -1;
    this.reply = false;
  }
}

/** Objects whose keys the scanner reads; anything else is skipped after checking it is JSON. */
const Kind = {
  Flow: 0,
  IP: 1,
  L4: 2,
  TCP: 3,
  UDP: 4,
  SCTP: 5,
  Flags: 6,
  ICMPv4: 7,
  EventType: 8,
  Source: 9,
  Destination: 10,
  Interface: 11,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

const TABLES: readonly KeyTable[] = [
  new KeyTable(TOP_KEYS),
  new KeyTable(IP_KEYS),
  new KeyTable(L4_KEYS),
  new KeyTable(PORT_KEYS),
  new KeyTable(PORT_KEYS),
  new KeyTable(PORT_KEYS),
  new KeyTable(TCP_FLAG_KEYS),
  new KeyTable(ICMP_KEYS),
  new KeyTable(EVENT_TYPE_KEYS),
  new KeyTable(ENDPOINT_KEYS),
  new KeyTable(ENDPOINT_KEYS),
  new KeyTable(INTERFACE_KEYS),
];

const top = (name: (typeof TOP_KEYS)[number]): number => keyIndex(TOP_KEYS, name);
const K_FLOW = top("flow");
const K_IP = top("IP");
const K_L4 = top("l4");
const K_EVENT_TYPE = top("event_type");
const K_SOURCE = top("source");
const K_DESTINATION = top("destination");
const K_INTERFACE = top("interface");
const K_DROP_REASON = top("drop_reason");
const K_IS_REPLY = top("is_reply");
const K_REPLY = top("reply");
/** Top keys with string values, and the Text field each fills. */
const TOP_TEXT = new Int8Array(TOP_KEYS.length).fill(-1);
TOP_TEXT[top("Type")] = Text.Type;
TOP_TEXT[top("time")] = Text.Time;
TOP_TEXT[top("verdict")] = Text.Verdict;
TOP_TEXT[top("drop_reason_desc")] = Text.DropReasonDesc;
TOP_TEXT[top("trace_observation_point")] = Text.ObservationPoint;
TOP_TEXT[top("trace_reason")] = Text.TraceReason;
TOP_TEXT[top("traffic_direction")] = Text.TrafficDirection;
TOP_TEXT[top("node_name")] = Text.NodeName;
/** Objects under a flow, by top key. */
const TOP_OBJECT = new Int8Array(TOP_KEYS.length).fill(-1);
TOP_OBJECT[K_IP] = Kind.IP;
TOP_OBJECT[K_L4] = Kind.L4;
TOP_OBJECT[K_EVENT_TYPE] = Kind.EventType;
TOP_OBJECT[K_SOURCE] = Kind.Source;
TOP_OBJECT[K_DESTINATION] = Kind.Destination;
TOP_OBJECT[K_INTERFACE] = Kind.Interface;

const L4_KINDS: readonly Kind[] = [Kind.TCP, Kind.UDP, Kind.SCTP, Kind.ICMPv4];
const L4_HAS = [Has.TCP, Has.UDP, Has.SCTP, Has.ICMPv4, Has.ICMPv6];
/** [source port, destination port] Int fields of TCP, UDP, SCTP. */
const PORT_INTS: Readonly<Partial<Record<Kind, readonly [number, number]>>> = {
  [Kind.TCP]: [Int.TcpSourcePort, Int.TcpDestinationPort],
  [Kind.UDP]: [Int.UdpSourcePort, Int.UdpDestinationPort],
  [Kind.SCTP]: [Int.SctpSourcePort, Int.SctpDestinationPort],
};
const K_FLAGS = keyIndex(PORT_KEYS, "flags");
const FLAG_BITS = TCP_FLAG_NAMES.map(([, bit]) => bit);
/** [Int field, largest accepted value] per key of the objects holding only integers. */
const INT_MEMBERS: Readonly<Partial<Record<Kind, readonly (readonly [number, number])[]>>> = {
  [Kind.ICMPv4]: [
    [Int.IcmpType, 255],
    [Int.IcmpCode, 255],
  ],
  [Kind.EventType]: [
    [Int.EventType, 0xffffffff],
    [Int.EventSubType, 0xffffffff],
  ],
  [Kind.Source]: [
    [Int.SourceIdentity, 0xffffffff],
    [Int.SourceId, 0xffffffff],
  ],
  [Kind.Destination]: [
    [Int.DestinationIdentity, 0xffffffff],
    [Int.DestinationId, 0xffffffff],
  ],
};
const IP_TEXT = [Text.IpSource, Text.IpDestination, Text.IpVersion];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_DEPTH = 64;
/** Bytes that stand for themselves inside a JSON string: printable ASCII but `"` and `\`. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x7f; c++) PLAIN[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;
/** Bytes that may follow a backslash in a JSON string. */
const ESCAPES = new Uint8Array(256);
for (const c of '"\\/bfnrtu') ESCAPES[c.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256);
for (const c of "0123456789abcdefABCDEF") HEX[c.charCodeAt(0)] = 1;
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/** Scans Hubble JSON lines; one instance is reused for every line (no allocation per line). */
export class HubbleScanner {
  /** The top object of the last line scanned. */
  readonly top = new FlowScan();
  /** Its `flow` object, when `wrapped`. */
  readonly flow = new FlowScan();
  /** The top object has a `flow` object (a GetFlowsResponse). */
  wrapped = false;

  private b: Uint8Array = new Uint8Array(0);
  private i = 0;
  private end = 0;
  private depth = 0;
  /** The last string scanned: bytes[stringStart, stringEnd) and whether it had escapes. */
  private stringStart = 0;
  private stringEnd = 0;
  private escaped = false;
  /** The last number scanned, when it was a plain non-negative integer (else -1). */
  private integer = -1;

  /** Scans bytes[start, end); false when the line needs a real JSON parser (see the file comment). */
  scan(bytes: Uint8Array, start: number, end: number): boolean {
    this.b = bytes;
    this.i = start;
    this.end = end;
    this.depth = 0;
    this.top.clear();
    this.flow.clear();
    this.wrapped = false;
    this.space();
    if (this.i >= end || bytes[this.i] !== 0x7b) return false;
    if (!this.object(Kind.Flow, this.top)) return false;
    this.space();
    return this.i === end;
  }

  private space(): void {
    const b = this.b;
    let i = this.i;
    while (i < this.end) {
      const c = b[i]!;
      if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break;
      i++;
    }
    this.i = i;
  }

  /** At `{` of an object whose keys are read into `scan`. */
  private object(kind: Kind, scan: FlowScan): boolean {
    if (++this.depth > MAX_DEPTH) return false;
    const b = this.b;
    const table = TABLES[kind]!;
    let seen = 0;
    this.i++;
    this.space();
    if (b[this.i] === 0x7d) {
      this.i++;
    } else {
      for (;;) {
        if (b[this.i] !== QUOTE || !this.string() || this.escaped) return false;
        const key = table.find(b, this.stringStart, this.stringEnd);
        if (!this.colon()) return false;
        if (key === -1) {
          if (!this.value()) return false;
        } else {
          if ((seen & (1 << key)) !== 0) return false;
          seen |= 1 << key;
          if (!this.member(kind, key, scan)) return false;
        }
        const next = this.separator(0x7d);
        if (next === 0) return false;
        if (next === 2) break;
      }
    }
    if (kind === Kind.Flow) scan.keys = seen;
    this.depth--;
    return true;
  }

  /** The value of a read key. */
  private member(kind: Kind, key: number, scan: FlowScan): boolean {
    switch (kind) {
      case Kind.Flow:
        return this.flowMember(key, scan);
      case Kind.IP:
        return this.text(scan, IP_TEXT[key]!);
      case Kind.L4:
        if (key < L4_KINDS.length) return this.child(L4_KINDS[key]!, L4_HAS[key]!, scan);
        scan.objects |= Has.ICMPv6;
        return this.value();
      case Kind.TCP:
      case Kind.UDP:
      case Kind.SCTP:
        if (key !== K_FLAGS) return this.int(scan, PORT_INTS[kind]![key]!, 65535);
        return kind === Kind.TCP ? this.child(Kind.Flags, 0, scan) : this.value();
      case Kind.Flags:
        if (this.literal(TRUE)) {
          scan.tcpFlags |= FLAG_BITS[key]!;
          return true;
        }
        return this.value();
      case Kind.Interface:
        return this.text(scan, Text.InterfaceName);
      default: {
        const member = INT_MEMBERS[kind]![key]!;
        return this.int(scan, member[0], member[1]);
      }
    }
  }

  private flowMember(key: number, scan: FlowScan): boolean {
    const text = TOP_TEXT[key]!;
    if (text !== -1) return this.text(scan, text);
    const kind = TOP_OBJECT[key]!;
    if (kind !== -1) return this.child(kind as Kind, key === K_IP ? Has.IP : key === K_L4 ? Has.L4 : 0, scan);
    switch (key) {
      case K_FLOW:
        if (scan !== this.top || this.b[this.i] !== 0x7b) return this.value();
        this.wrapped = true;
        return this.object(Kind.Flow, this.flow);
      case K_DROP_REASON:
        return this.int(scan, Int.DropReason, 0xffffffff);
      case K_IS_REPLY:
        if (this.literal(TRUE)) scan.isReply = 1;
        else if (this.literal(FALSE)) scan.isReply = 0;
        else return this.value();
        return true;
      case K_REPLY:
        if (this.literal(TRUE)) scan.reply = true;
        else return this.value();
        return true;
      default:
        // Keys whose presence alone counts (non-flow responses, ethernet).
        return this.value();
    }
  }

  /** An object value read into `scan` (setting `has`), or null; anything else is not for the scanner. */
  private child(kind: Kind, has: number, scan: FlowScan): boolean {
    if (this.b[this.i] === 0x7b) {
      scan.objects |= has;
      return this.object(kind, scan);
    }
    return this.literal(NULL);
  }

  /** A string value without escapes noted as Text `field`, or null (absent). */
  private text(scan: FlowScan, field: number): boolean {
    if (this.b[this.i] !== QUOTE) return this.literal(NULL);
    if (!this.string() || this.escaped) return false;
    scan.text[2 * field] = this.stringStart;
    scan.text[2 * field + 1] = this.stringEnd;
    return true;
  }

  /** A plain integer in 0..max noted as Int `field`, or null (absent). */
  private int(scan: FlowScan, field: number, max: number): boolean {
    const c = this.b[this.i];
    if (c === 0x6e) return this.literal(NULL);
    if (c === undefined || c < 0x30 || c > 0x39 || !this.number()) return false;
    if (this.integer < 0 || this.integer > max) return false;
    scan.int[field] = this.integer;
    return true;
  }

  /** Any JSON value, checked and passed over. */
  private value(): boolean {
    const c = this.b[this.i];
    switch (c) {
      case QUOTE:
        return this.string();
      case 0x7b:
        return this.skipContainer(0x7d);
      case 0x5b:
        return this.skipContainer(0x5d);
      case 0x74:
        return this.literal(TRUE);
      case 0x66:
        return this.literal(FALSE);
      case 0x6e:
        return this.literal(NULL);
      default:
        return c !== undefined && (c === 0x2d || (c >= 0x30 && c <= 0x39)) && this.number();
    }
  }

  /** At `{` or `[` of a value nobody reads: checks it is JSON and steps past it. */
  private skipContainer(close: number): boolean {
    if (++this.depth > MAX_DEPTH) return false;
    const b = this.b;
    this.i++;
    this.space();
    if (b[this.i] === close) {
      this.i++;
      this.depth--;
      return true;
    }
    for (;;) {
      if (close === 0x7d && (b[this.i] !== QUOTE || !this.string() || !this.colon())) return false;
      if (!this.value()) return false;
      const next = this.separator(close);
      if (next === 0) return false;
      if (next === 2) break;
    }
    this.depth--;
    return true;
  }

  /** After a key: optional space, `:`, optional space. */
  private colon(): boolean {
    this.space();
    if (this.b[this.i] !== 0x3a) return false;
    this.i++;
    this.space();
    return true;
  }

  /** After a member or element: 1 for `,` (another follows), 2 for `close`, 0 for anything else. */
  private separator(close: number): number {
    this.space();
    const c = this.b[this.i];
    this.i++;
    if (c === 0x2c) {
      this.space();
      return 1;
    }
    return c === close ? 2 : 0;
  }

  /** At `"`: steps past the string, noting its contents' range; false for control or non-ASCII bytes. */
  private string(): boolean {
    const b = this.b;
    const end = this.end;
    const start = this.i + 1;
    let i = start;
    let escaped = false;
    for (;;) {
      if (i >= end) return false;
      const c = b[i]!;
      if (PLAIN[c] === 1) {
        i++;
        continue;
      }
      if (c === QUOTE) break;
      if (c !== BACKSLASH || i + 1 >= end || ESCAPES[b[i + 1]!] !== 1) return false;
      escaped = true;
      if (b[i + 1] === 0x75) {
        if (i + 5 >= end) return false;
        for (let h = i + 2; h < i + 6; h++) if (HEX[b[h]!] !== 1) return false;
        i += 6;
      } else {
        i += 2;
      }
    }
    this.stringStart = start;
    this.stringEnd = i;
    this.escaped = escaped;
    this.i = i + 1;
    return true;
  }

  /** Steps past a JSON number; `integer` is its value when it is a plain integer of <= 15 digits. */
  private number(): boolean {
    const b = this.b;
    const end = this.end;
    let i = this.i;
    let plain = true;
    if (b[i] === 0x2d) {
      plain = false;
      i++;
    }
    const first = i;
    let value = 0;
    while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) value = value * 10 + (b[i++]! - 0x30);
    const digits = i - first;
    if (digits === 0 || (digits > 1 && b[first] === 0x30)) return false;
    if (digits > 15) plain = false;
    if (i < end && b[i] === 0x2e) {
      plain = false;
      const fraction = ++i;
      while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
      if (i === fraction) return false;
    }
    if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
      plain = false;
      i++;
      if (i < end && (b[i] === 0x2b || b[i] === 0x2d)) i++;
      const exponent = i;
      while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
      if (i === exponent) return false;
    }
    this.integer = plain ? value : -1;
    this.i = i;
    return true;
  }

  /** Steps past `word` (true, false, null) when it is next. */
  private literal(word: readonly number[]): boolean {
    const b = this.b;
    const i = this.i;
    if (i + word.length > this.end) return false;
    for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return false;
    this.i = i + word.length;
    return true;
  }
}
