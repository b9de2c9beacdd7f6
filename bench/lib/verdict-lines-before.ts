// The verdict line writers as they were before issue 15 made them faster (dd669ba), kept only as the
// verdicts bench's baseline: the bench formats the same records with these and with the current
// writers in the same run. Not part of the package.
import type { Datapath } from "../../src/datapath/datapath.js";
import { dropReason } from "../../src/engine/drop-reasons.js";
import { CT_STATE_NAMES, OBSERVATION_POINT_NAMES } from "../../src/engine/verdict.js";
import { escapeForTerminal } from "../../src/model/escape.js";
import { RESERVED_IDENTITY_NAMES } from "../../src/model/identity.js";
import { formatIPv4 } from "../../src/model/ipv4.js";
import { tcpFlagNames } from "../../src/model/packet.js";
import { IpProto, protocolName } from "../../src/model/protocol.js";
import { OBSERVED_VERDICTS, type PacketBatch } from "../../src/replay/packet-batch.js";
import {
  packetDaddr,
  packetDport,
  packetIcmpCode,
  packetIcmpType,
  packetNanoseconds,
  packetProto,
  packetSaddr,
  packetSeconds,
  packetSport,
  packetTcpFlags,
  verdictBackendId,
  verdictCtState,
  verdictDaddr,
  verdictDport,
  verdictDropReason,
  verdictDropped,
  verdictDstIdentity,
  verdictObservationPoint,
  verdictRevNatId,
  verdictSaddr,
  verdictSport,
  verdictSrcIdentity,
  verdictTunnelEndpoint,
  type RecordView,
} from "../../src/wasm/codec.js";

const encoder = new TextEncoder();

/** A string's UTF-8 bytes (the stream's fragments are ASCII). */
const ascii = (text: string): Uint8Array => encoder.encode(text);

/** The decimal digits of 0..255, for dotted quads: per octet, its digit count then the digits. */
const OCTET_DIGITS = new Uint8Array(256 * 4);
for (let n = 0; n < 256; n++) {
  const text = String(n);
  OCTET_DIGITS[n * 4] = text.length;
  for (let k = 0; k < text.length; k++) OCTET_DIGITS[n * 4 + 1 + k] = text.charCodeAt(k);
}

/** Writes one octet's digits (no call, no view per octet: dotted quads are most of a line's digits). */
function putOctet(out: Uint8Array, at: number, octet: number): number {
  const i = octet << 2;
  const n = OCTET_DIGITS[i]!;
  out[at] = OCTET_DIGITS[i + 1]!;
  if (n === 1) return at + 1;
  out[at + 1] = OCTET_DIGITS[i + 2]!;
  if (n === 2) return at + 2;
  out[at + 2] = OCTET_DIGITS[i + 3]!;
  return at + 3;
}

/** Copies `bytes` to `out` at `at`; returns the position after them. */
function put(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  // A loop beats set()'s call for a few bytes; set() wins from about a dozen on.
  if (n > 12) out.set(bytes, at);
  else for (let k = 0; k < n; k++) out[at + k] = bytes[k]!;
  return at + n;
}

/** Writes a non-negative integer (below 2^53) in decimal. */
function putUint(out: Uint8Array, at: number, value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  const end = at + digits;
  let n = value;
  for (let k = end - 1; k > at; k--) {
    const q = Math.floor(n / 10);
    out[k] = 48 + n - q * 10;
    n = q;
  }
  out[at] = 48 + n;
  return end;
}

/** Writes a non-negative integer with leading zeros to at least `width` digits (String.padStart). */
function putPadded(out: Uint8Array, at: number, value: number, width: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  for (; digits < width; digits++) out[at++] = 48;
  return putUint(out, at, value);
}

/** Writes a host-order IPv4 address as a dotted quad. */
function putIPv4(out: Uint8Array, at: number, address: number): number {
  at = putOctet(out, at, (address >>> 24) & 0xff);
  out[at++] = 46;
  at = putOctet(out, at, (address >>> 16) & 0xff);
  out[at++] = 46;
  at = putOctet(out, at, (address >>> 8) & 0xff);
  out[at++] = 46;
  return putOctet(out, at, address & 0xff);
}

/** `address:port`, or the address alone when the protocol has no ports (ICMP). */
function putEndpoint(out: Uint8Array, at: number, address: number, port: number, ports: boolean): number {
  at = putIPv4(out, at, address);
  if (!ports) return at;
  out[at++] = 58;
  return putUint(out, at, port);
}

const json = JSON.stringify;
const table = (n: number, text: (n: number) => string): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => ascii(text(i)));

/** `","proto":"TCP"` and the like, by protocol number (closing the dst string before it). */
const PROTO = table(256, (p) => `","proto":${json(protocolName(p) ?? String(p))}`);
/** `,"tcpFlags":["SYN"]`, by the flag byte. */
const TCP_FLAGS = table(256, (flags) => `,"tcpFlags":${json(tcpFlagNames(flags))}`);
/** The drop reason object, by code. */
const DROP_REASON = table(256, (code) => {
  const reason = dropReason(code);
  return json({ code: reason.code, name: reason.hubble });
});
/** `,"observationPoint":"TO_OVERLAY","ctState":"`, by observation point. */
const POINT = table(
  256,
  (point) => `,"observationPoint":${json(OBSERVATION_POINT_NAMES[point] ?? String(point))},"ctState":`,
);
/** `"new","service":` and the like, by CT state number. */
const CT_STATE = table(256, (state) => `${json(CT_STATE_NAMES[state] ?? "new")},"service":`);
/** `{"verdict":"DROPPED","dropReason":`, by PacketBatch.observed code. */
const OBSERVED = OBSERVED_VERDICTS.map((name) => ascii(`,"observed":{"verdict":${json(name)},"dropReason":`));

const PACKET = ascii('{"packet":');
const TIME = ascii(',"time":"');
const SRC = ascii('Z","src":"');
const DST = ascii('","dst":"');
const ICMP = ascii(',"icmp":{"type":');
const ICMP_CODE = ascii(',"code":');
const FORWARDED = ascii(',"verdict":"FORWARDED","dropReason":null');
const DROPPED = ascii(',"verdict":"DROPPED","dropReason":');
const NULL = ascii("null");
const BACKEND = ascii(',"backend":');
const SADDR = ascii(',"translated":{"saddr":"');
const SPORT = ascii('","sport":');
const DADDR = ascii(',"daddr":"');
const DPORT = ascii('","dport":');
const SRC_IDENTITY = ascii('},"srcIdentity":');
const DST_IDENTITY = ascii(',"dstIdentity":');
const TUNNEL = ascii(',"tunnelEndpoint":');
const OBSERVED_DROP_CODE = ascii('{"code":');
const NAME = ascii(',"name":');

/** A backend as the stream names it: `{"id":N,"address":"IP:` + port + `/PROTO"}`. */
interface BackendText {
  head: Uint8Array;
  /** The backend's port; 0: the packet's destination port (a backend that keeps the frontend's). */
  port: number;
  tail: Uint8Array;
}

/** Writes JSON verdict lines; keeps the date of the last second written and the directory's names. */
/** The JSON line writer of dd669ba. */
export class VerdictJsonWriterBefore {
  private second = -1;
  /** `YYYY-MM-DDTHH:MM:SS.` of `second`. */
  private secondText: Uint8Array = new Uint8Array(0);
  /** `{"revNatId":N,"frontend":"..."}` or null, by rev-NAT ID. */
  private services: (Uint8Array | null)[] = [];
  private backends: (BackendText | null)[] = [];
  /** The verdict's fragment from `verdict` to `service` (outcome()), by drop code, point and CT state. */
  private readonly outcomes = new Map<number, Uint8Array>();
  /** Hubble's drop codes as `"name":...}` objects' tails (16-bit codes: learnt as seen). */
  private readonly observedDrops = new Map<number, Uint8Array>();

  /** Forgets the backends learnt from the directory (after churn). */
  forgetBackends(): void {
    this.backends = [];
  }

  /** Writes packet `i` of a processed batch as one line (with its newline); returns the new position. */
  write(out: Uint8Array, at: number, batch: PacketBatch, i: number, directory: Datapath): number {
    const r = batch.records;
    const p = batch.recordAt(i);
    const v = batch.verdicts;
    const q = batch.verdictAt(i);
    at = putUint(out, put(out, at, PACKET), batch.packetNumber[i]!);
    at = this.time(out, put(out, at, TIME), packetSeconds(r, p), packetNanoseconds(r, p));
    at = this.packet(out, put(out, at, SRC), r, p);
    at = put(out, at, this.outcome(v, q));
    at = put(out, at, this.service(verdictRevNatId(v, q), directory) ?? NULL);
    at = this.backend(out, put(out, at, BACKEND), verdictBackendId(v, q), packetDport(r, p), directory);
    at = putIPv4(out, put(out, at, SADDR), verdictSaddr(v, q));
    at = putUint(out, put(out, at, SPORT), verdictSport(v, q));
    at = putIPv4(out, put(out, at, DADDR), verdictDaddr(v, q));
    at = putUint(out, put(out, at, DPORT), verdictDport(v, q));
    at = putUint(out, put(out, at, SRC_IDENTITY), verdictSrcIdentity(v, q));
    at = putUint(out, put(out, at, DST_IDENTITY), verdictDstIdentity(v, q));
    at = put(out, at, TUNNEL);
    const tunnel = verdictTunnelEndpoint(v, q);
    if (tunnel === 0) at = put(out, at, NULL);
    else {
      out[at++] = 34;
      at = putIPv4(out, at, tunnel);
      out[at++] = 34;
    }
    const observed = batch.observed[i]!;
    if (observed !== 0) at = this.observed(out, put(out, at, OBSERVED[observed]!), batch.observedDrop[i]!);
    out[at++] = 125;
    out[at++] = 10;
    return at;
  }

  /**
   * `,"verdict":...,"dropReason":...,"observationPoint":...,"ctState":...,"service":` as one fragment,
   * composed once per combination (a handful in a replay) instead of four copies per line.
   */
  private outcome(v: RecordView, q: number): Uint8Array {
    const dropped = verdictDropped(v, q);
    const key =
      ((dropped ? verdictDropReason(v, q) + 1 : 0) << 16) |
      (verdictObservationPoint(v, q) << 8) |
      verdictCtState(v, q);
    let text = this.outcomes.get(key);
    if (text === undefined) {
      const verdict = dropped ? [DROPPED, DROP_REASON[(key >>> 16) - 1]!] : [FORWARDED];
      const parts = [...verdict, POINT[(key >>> 8) & 0xff]!, CT_STATE[key & 0xff]!];
      text = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
      parts.reduce((at, part) => put(text!, at, part), 0);
      this.outcomes.set(key, text);
    }
    return text;
  }

  /** `src` to `proto` and the protocol's details, from the packet record. */
  private packet(out: Uint8Array, at: number, r: RecordView, p: number): number {
    const proto = packetProto(r, p);
    const ports = proto !== IpProto.ICMP;
    at = putEndpoint(out, at, packetSaddr(r, p), packetSport(r, p), ports);
    at = putEndpoint(out, put(out, at, DST), packetDaddr(r, p), packetDport(r, p), ports);
    at = put(out, at, PROTO[proto]!);
    if (proto === IpProto.TCP) return put(out, at, TCP_FLAGS[packetTcpFlags(r, p)]!);
    if (proto !== IpProto.ICMP) return at;
    at = putUint(out, put(out, at, ICMP), packetIcmpType(r, p));
    at = putUint(out, put(out, at, ICMP_CODE), packetIcmpCode(r, p));
    out[at++] = 125;
    return at;
  }

  /** The RFC 3339 time with nine fraction digits, without its closing `Z"`. */
  private time(out: Uint8Array, at: number, seconds: number, nanoseconds: number): number {
    if (seconds !== this.second) {
      this.secondText = ascii(`${new Date(seconds * 1000).toISOString().slice(0, 19)}.`);
      this.second = seconds;
    }
    return putPadded(out, put(out, at, this.secondText), nanoseconds, 9);
  }

  private service(revNatId: number, directory: Datapath): Uint8Array | null {
    if (revNatId === 0) return null;
    let text = this.services[revNatId];
    if (text === undefined) {
      const frontend = directory.frontendOf(revNatId);
      text = frontend === undefined ? null : ascii(json({ revNatId, frontend }));
      this.services[revNatId] = text;
    }
    return text;
  }

  private backend(out: Uint8Array, at: number, id: number, dport: number, directory: Datapath): number {
    if (id === 0) return put(out, at, NULL);
    let text = this.backends[id];
    if (text === undefined) {
      const b = directory.backend(id);
      text =
        b === undefined
          ? null
          : {
              head: ascii(`{"id":${json(b.id)},"address":"${formatIPv4(b.address)}:`),
              port: b.port,
              tail: ascii(`/${protocolName(b.proto) ?? b.proto}"}`),
            };
      this.backends[id] = text;
    }
    if (text === null) return put(out, at, NULL);
    at = putUint(out, put(out, at, text.head), text.port === 0 ? dport : text.port);
    return put(out, at, text.tail);
  }

  /** Hubble's drop reason (its code, 0 for none) and the object's closing brace. */
  private observed(out: Uint8Array, at: number, code: number): number {
    if (code === 0) at = put(out, at, NULL);
    else {
      let name = this.observedDrops.get(code);
      if (name === undefined) {
        name = ascii(`${json(dropReason(code).hubble)}}`);
        this.observedDrops.set(code, name);
      }
      at = putUint(out, put(out, at, OBSERVED_DROP_CODE), code);
      at = put(out, put(out, at, NAME), name);
    }
    out[at++] = 125;
    return at;
  }
}

const byte = (n: number, text: (n: number) => string): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => ascii(text(i)));

/** ` (host) ` and the like, for identities with a name; others are written as `(ID:N)`. */
const IDENTITY_NAMES = byte(10, (id) => RESERVED_IDENTITY_NAMES[id] ?? "");
/** `REASON DROPPED`, by drop reason code. */
const DROPPED_AS = byte(256, (code) => `${dropReason(code).hubble} DROPPED`);
/** `to-overlay FORWARDED`, by observation point. */
const FORWARDED_AS = byte(
  256,
  (point) =>
    `${(OBSERVATION_POINT_NAMES[point] ?? String(point)).toLowerCase().replace(/_/g, "-")} FORWARDED`,
);
/** `TCP Flags: SYN, ACK`, by the flag byte. */
const TCP_TEXT = byte(256, (flags) => `TCP Flags: ${tcpFlagNames(flags).join(", ") || "none"}`);
/** The protocol's name, by number (TCP and ICMP are written with their details). */
const PROTO_TEXT = byte(256, (proto) => protocolName(proto) ?? `proto ${proto}`);
/** ` [hubble: VERDICT]`, by PacketBatch.observed code. */
const OBSERVED_AS = OBSERVED_VERDICTS.map((name) => ascii(` [hubble: ${escapeForTerminal(name)}]`));

const MONTHS_TEXT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const ARROW = ascii(") -> ");
const CLOSE_SPACE = ascii(") ");
const SPACE_OPEN = ascii(" (");
const ID = ascii("ID:");
const ICMP_TYPE = ascii("ICMPv4 type ");
const CODE = ascii(" code ");
const XLATE = ascii(" xlate ");
const TO = ascii(" -> ");

/** Writes compact verdict lines; keeps the time of day of the last second it wrote. */
/** The compact line writer of dd669ba. */
export class VerdictTextWriterBefore {
  private second = -1;
  /** `Mon DD HH:MM:SS.` of `second`. */
  private secondText: Uint8Array = new Uint8Array(0);

  /** Writes packet `i` of a processed batch as one line (with its newline); returns the new position. */
  write(out: Uint8Array, at: number, batch: PacketBatch, i: number): number {
    const r = batch.records;
    const p = batch.recordAt(i);
    const v = batch.verdicts;
    const q = batch.verdictAt(i);
    const proto = packetProto(r, p);
    const ports = proto !== IpProto.ICMP;
    const saddr = packetSaddr(r, p);
    const sport = packetSport(r, p);
    const daddr = packetDaddr(r, p);
    const dport = packetDport(r, p);
    at = this.time(out, at, packetSeconds(r, p), packetNanoseconds(r, p));
    at = putEndpoint(out, at, saddr, sport, ports);
    at = put(out, at, SPACE_OPEN);
    at = identity(out, at, verdictSrcIdentity(v, q));
    at = put(out, at, ARROW);
    at = putEndpoint(out, at, daddr, dport, ports);
    at = put(out, at, SPACE_OPEN);
    at = identity(out, at, verdictDstIdentity(v, q));
    at = put(out, at, CLOSE_SPACE);
    const dropped = verdictDropped(v, q);
    at = put(
      out,
      at,
      dropped ? DROPPED_AS[verdictDropReason(v, q)]! : FORWARDED_AS[verdictObservationPoint(v, q)]!,
    );
    at = put(out, at, SPACE_OPEN);
    at = protoText(out, at, proto, r, p);
    out[at++] = 41;
    if (!dropped) {
      const ts = verdictSaddr(v, q);
      const tsport = verdictSport(v, q);
      const td = verdictDaddr(v, q);
      const tdport = verdictDport(v, q);
      if (ts !== saddr || td !== daddr || (ports && (tsport !== sport || tdport !== dport))) {
        at = put(out, at, XLATE);
        at = putEndpoint(out, at, ts, tsport, ports);
        at = put(out, at, TO);
        at = putEndpoint(out, at, td, tdport, ports);
      }
    }
    const observed = batch.observed[i]!;
    if (observed !== 0) at = put(out, at, OBSERVED_AS[observed]!);
    out[at++] = 10;
    return at;
  }

  /** `Jan _2 15:04:05.000: ` in UTC (the day space-padded since, as Hubble pads it; once per second). */
  private time(out: Uint8Array, at: number, seconds: number, nanoseconds: number): number {
    if (seconds !== this.second) {
      const d = new Date(seconds * 1000);
      const pad = (n: number) => String(n).padStart(2, "0");
      this.secondText = ascii(
        `${MONTHS_TEXT[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:` +
          `${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.`,
      );
      this.second = seconds;
    }
    at = put(out, at, this.secondText);
    at = putPadded(out, at, Math.floor(nanoseconds / 1e6), 3);
    out[at++] = 58;
    out[at++] = 32;
    return at;
  }
}

function identity(out: Uint8Array, at: number, id: number): number {
  const name = id < IDENTITY_NAMES.length ? IDENTITY_NAMES[id]! : undefined;
  if (name !== undefined && name.length > 0) return put(out, at, name);
  return putUint(out, put(out, at, ID), id);
}

function protoText(out: Uint8Array, at: number, proto: number, r: PacketBatch["records"], p: number): number {
  if (proto === IpProto.TCP) return put(out, at, TCP_TEXT[packetTcpFlags(r, p)]!);
  if (proto !== IpProto.ICMP) return put(out, at, PROTO_TEXT[proto]!);
  at = putUint(out, put(out, at, ICMP_TYPE), packetIcmpType(r, p));
  return putUint(out, put(out, at, CODE), packetIcmpCode(r, p));
}
