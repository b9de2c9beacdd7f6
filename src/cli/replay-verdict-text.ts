// The compact verdict line, Hubble-like: `TIME: SRC (ID) -> DST (ID) to-overlay FORWARDED (TCP Flags:
// SYN)`, then the translation when there was one, and Hubble's own verdict for Hubble input. Written
// as bytes from the packet and verdict records (replay-line-bytes.ts); every name is encoded once.
import { dropReason } from "../engine/drop-reasons.js";
import { OBSERVATION_POINT_NAMES } from "../engine/verdict.js";
import { escapeForTerminal } from "../model/escape.js";
import { RESERVED_IDENTITY_NAMES } from "../model/identity.js";
import { tcpFlagNames } from "../model/packet.js";
import { IpProto, protocolName } from "../model/protocol.js";
import { OBSERVED_VERDICTS, type PacketBatch } from "../replay/packet-batch.js";
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
  verdictDaddr,
  verdictDport,
  verdictDropReason,
  verdictDropped,
  verdictDstIdentity,
  verdictObservationPoint,
  verdictSaddr,
  verdictSport,
  verdictSrcIdentity,
} from "../wasm/codec.js";
import { ascii, put, putEndpoint, putPadded, putUint } from "./replay-line-bytes.js";

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

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const ARROW = ascii(") -> ");
const CLOSE_SPACE = ascii(") ");
const SPACE_OPEN = ascii(" (");
const ID = ascii("ID:");
const ICMP_TYPE = ascii("ICMPv4 type ");
const CODE = ascii(" code ");
const XLATE = ascii(" xlate ");
const TO = ascii(" -> ");

/** Writes compact verdict lines; keeps the time of day of the last second it wrote. */
export class VerdictTextWriter {
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

  /** `Mon DD HH:MM:SS.mmm: ` in UTC. */
  private time(out: Uint8Array, at: number, seconds: number, nanoseconds: number): number {
    if (seconds !== this.second) {
      const d = new Date(seconds * 1000);
      const pad = (n: number) => String(n).padStart(2, "0");
      this.secondText = ascii(
        `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:` +
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
