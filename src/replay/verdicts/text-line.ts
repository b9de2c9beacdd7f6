// The compact verdict line, Hubble-like: `TIME: SRC (ID) -> DST (ID) to-overlay FORWARDED (TCP Flags:
// SYN)`, then the translation when there was one, and Hubble's own verdict for Hubble input. A line is
// a few constant or cached segments and the numbers between them: from the destination's identity's
// closing parenthesis to the protocol's is one segment per packet shape (verdict or point, protocol,
// flags or ICMP type). Text from input (Hubble's verdict) is escaped for a terminal.
import { dropReason } from "../../engine/drop-reasons.js";
import { OBSERVATION_POINT_NAMES } from "../../engine/verdict.js";
import { escapeForTerminal } from "../../model/escape.js";
import { RESERVED_IDENTITY_NAMES } from "../../model/identity.js";
import { tcpFlagNames } from "../../model/packet.js";
import { IpProto, protocolName } from "../../model/protocol.js";
import { OBSERVED_VERDICTS, type PacketBatch } from "../packet-batch.js";
import { hubbleStampSeconds } from "../../model/hubble-stamp.js";
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
} from "../../wasm/codec.js";
import {
  SegmentTable,
  fragment,
  put,
  putEndpoint,
  putPadded,
  putUint,
  type Fragment,
  type LineBuffer,
} from "./line-bytes.js";

/** Shape segments kept (verdicts or points, times protocols and flags seen). */
const SHAPE_SLOTS = 1024;

/** ` (host) -> ` and the like for the reserved identities with a name (others: ` (ID:N) -> `). */
const SOURCE_NAMED = Array.from({ length: 10 }, (_, id) => {
  const name = RESERVED_IDENTITY_NAMES[id];
  return name === undefined ? null : fragment(` (${name}) -> `);
});
/** ` (host)` and the like: the destination's (the shape segment closes it). */
const DESTINATION_NAMED = Array.from({ length: 10 }, (_, id) => {
  const name = RESERVED_IDENTITY_NAMES[id];
  return name === undefined ? null : fragment(` (${name}`);
});
/** ` [hubble: VERDICT]` and the newline, by PacketBatch.observed code (0: the newline alone). */
const OBSERVED_AS = OBSERVED_VERDICTS.map((name, code) =>
  fragment(code === 0 ? "\n" : ` [hubble: ${escapeForTerminal(name)}]\n`),
);

const OPEN_ID = fragment(" (ID:");
const CLOSE_ARROW = fragment(") -> ");
const ICMP_CODE = fragment(" code ");
const XLATE = fragment(" xlate ");
const TO = fragment(" -> ");

/** Writes compact verdict lines; caches the time of day of the last second and the shape segments. */
export class VerdictTextWriter {
  private second = -1;
  /** `Jan _2 15:04:05.` of `second`. */
  private secondText: Fragment = fragment("");
  /** `) DROP_REASON DROPPED (TCP Flags: SYN)` and the like, by shape (see shape()). */
  private readonly shapes = new SegmentTable(SHAPE_SLOTS);

  /** Writes packet `i` of a processed batch as one line (with its newline); returns the new position. */
  write(out: LineBuffer, at: number, batch: PacketBatch, i: number): number {
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
    at = source(out, at, verdictSrcIdentity(v, q));
    at = putEndpoint(out, at, daddr, dport, ports);
    at = destination(out, at, verdictDstIdentity(v, q));
    const dropped = verdictDropped(v, q);
    const what = dropped ? 256 + verdictDropReason(v, q) : verdictObservationPoint(v, q);
    const details = proto === IpProto.TCP ? packetTcpFlags(r, p) : proto === IpProto.ICMP ? 1 : 0;
    at = put(out, at, this.shape(what, proto, details));
    if (proto === IpProto.ICMP) {
      at = putUint(out, at, packetIcmpType(r, p));
      at = putUint(out, put(out, at, ICMP_CODE), packetIcmpCode(r, p));
      out.bytes[at++] = 41;
    }
    if (!dropped) {
      const ts = verdictSaddr(v, q);
      const tsport = verdictSport(v, q);
      const td = verdictDaddr(v, q);
      const tdport = verdictDport(v, q);
      if (ts !== saddr || td !== daddr || (ports && (tsport !== sport || tdport !== dport))) {
        at = putEndpoint(out, put(out, at, XLATE), ts, tsport, ports);
        at = putEndpoint(out, put(out, at, TO), td, tdport, ports);
      }
    }
    return put(out, at, OBSERVED_AS[batch.observed[i]!]!);
  }

  /** `Jan _2 15:04:05.000: ` in UTC (see hubble-stamp.ts). */
  private time(out: LineBuffer, at: number, seconds: number, nanoseconds: number): number {
    if (seconds !== this.second) {
      this.secondText = fragment(`${hubbleStampSeconds(seconds)}.`);
      this.second = seconds;
    }
    at = putPadded(out, put(out, at, this.secondText), Math.floor(nanoseconds / 1e6), 3);
    out.bytes[at] = 58;
    out.bytes[at + 1] = 32;
    return at + 2;
  }

  /**
   * `) VERDICT (PROTOCOL)`: `what` is 256 + the drop reason for a drop, else the observation point;
   * `details` the TCP flags, or 1 for ICMP (whose type and code follow, and the closing parenthesis).
   */
  private shape(what: number, proto: number, details: number): Fragment {
    return (
      this.shapes.get(what, proto, details) ??
      this.shapes.set(what, proto, details, shapeText(what, proto, details))
    );
  }
}

function source(out: LineBuffer, at: number, id: number): number {
  const named = id < SOURCE_NAMED.length ? SOURCE_NAMED[id] : null;
  if (named) return put(out, at, named);
  return put(out, putUint(out, put(out, at, OPEN_ID), id), CLOSE_ARROW);
}

function destination(out: LineBuffer, at: number, id: number): number {
  const named = id < DESTINATION_NAMED.length ? DESTINATION_NAMED[id] : null;
  if (named) return put(out, at, named);
  return putUint(out, put(out, at, OPEN_ID), id);
}

function shapeText(what: number, proto: number, details: number): Fragment {
  const verdict =
    what >= 256
      ? `${dropReason(what - 256).hubble} DROPPED`
      : `${(OBSERVATION_POINT_NAMES[what] ?? String(what)).toLowerCase().replace(/_/g, "-")} FORWARDED`;
  const protocol =
    proto === IpProto.TCP
      ? `TCP Flags: ${tcpFlagNames(details).join(", ") || "none"})`
      : proto === IpProto.ICMP
        ? "ICMPv4 type "
        : `${protocolName(proto) ?? `proto ${proto}`})`;
  return fragment(`) ${verdict} (${protocol}`);
}
