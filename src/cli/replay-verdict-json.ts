// The JSON verdict line: packet, time, src, dst, proto (+ tcpFlags / icmp), then the fields of
// `dpemu trace --json` (verdict, drop reason, observation point, CT state, service, backend,
// translation, identities, tunnel endpoint) and, for Hubble input, what Hubble observed. Written as
// bytes from the packet and verdict records, field by field in the order JSON.stringify gives the
// documents `dpemu trace --json` prints; every name is encoded once (JSON.stringify escapes it), and
// services and backends once per directory state.
import type { Datapath } from "../datapath/datapath.js";
import { dropReason } from "../engine/drop-reasons.js";
import { CT_STATE_NAMES, OBSERVATION_POINT_NAMES } from "../engine/verdict.js";
import { formatIPv4 } from "../model/ipv4.js";
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
} from "../wasm/codec.js";
import { ascii, put, putEndpoint, putIPv4, putPadded, putUint } from "./replay-line-bytes.js";

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
export class VerdictJsonWriter {
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
