// The JSON verdict line: packet, time, src, dst, proto (+ tcpFlags / icmp), then the fields of
// `dpemu trace --json` (verdict, drop reason, observation point, CT state, service, backend,
// translation, identities, tunnel endpoint) and, for Hubble input, what Hubble observed, in the order
// JSON.stringify gives the documents `dpemu trace --json` prints. A line is a few cached segments
// and the numbers between them: everything from `proto` to `backend` is one segment per packet shape
// (protocol, flags or ICMP type, verdict, point, CT state) and service; each backend is one segment
// with the `translated` key after it; the end of the line one per tunnel and Hubble observation.
// Names are encoded once, by JSON.stringify (which escapes them).
import type { Datapath } from "../../datapath/datapath.js";
import { dropReason } from "../../engine/drop-reasons.js";
import { CT_STATE_NAMES, OBSERVATION_POINT_NAMES } from "../../engine/verdict.js";
import { formatIPv4 } from "../../model/ipv4.js";
import { tcpFlagNames } from "../../model/packet.js";
import { IpProto, protocolName } from "../../model/protocol.js";
import { OBSERVED_VERDICTS, type PacketBatch } from "../packet-batch.js";
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
} from "../../wasm/codec.js";
import {
  SegmentTable,
  constant,
  fragment,
  put,
  putEndpoint,
  putIPv4,
  putNine,
  putUint,
  type Fragment,
  type LineBuffer,
} from "./line-bytes.js";

const json = JSON.stringify;

/** What a JSON line names from the datapath: frontends by rev-NAT ID, backends by ID. */
export type ServiceDirectory = Pick<Datapath, "frontendOf" | "backend">;

/** Middle segments kept (a few hundred bytes each): shapes times services seen together. */
const MIDDLE_SLOTS = 4096;
/** Line ends kept: by tunnel or not, and Hubble's verdict and drop reason. */
const ENDING_SLOTS = 256;
/** Backend segments kept: backends times the destination ports they were reached on. */
const BACKEND_SLOTS = 4096;

const PACKET = constant('{"packet":');
const SRC = constant('Z","src":"');
const DST = constant('","dst":"');
const TRANSLATED = ',"translated":{"saddr":"';
const SPORT = constant('","sport":');
const DADDR = constant(',"daddr":"');
const DPORT = constant('","dport":');
const SRC_IDENTITY = constant('},"srcIdentity":');
const DST_IDENTITY = constant(',"dstIdentity":');
const TUNNEL = fragment(',"tunnelEndpoint":"');
const NULL_BACKEND = fragment(`null${TRANSLATED}`);

/** Writes JSON verdict lines; caches the date of the last second written and the line's segments. */
export class VerdictJsonWriter {
  private second = -1;
  /** `,"time":"YYYY-MM-DDTHH:MM:SS.` of `second`. */
  private secondText: Fragment = fragment("");
  /** From `proto` to `"backend":`, by outcome, protocol and details, and rev-NAT ID (see middle()). */
  private readonly middles = new SegmentTable(MIDDLE_SLOTS);
  /** By backend ID and the packet's destination port (see backend()). */
  private readonly backends = new SegmentTable(BACKEND_SLOTS);
  /** From the tunnel endpoint (or its closing quote) to the newline, by endingKey. */
  private readonly endings = new SegmentTable(ENDING_SLOTS);

  /** Forgets what was learnt of the directory (after churn). */
  forgetDirectory(): void {
    this.backends.clear();
    this.middles.clear();
  }

  /** Writes packet `i` of a processed batch as one line (with its newline); returns the new position. */
  write(out: LineBuffer, at: number, batch: PacketBatch, i: number, directory: ServiceDirectory): number {
    const r = batch.records;
    const p = batch.recordAt(i);
    const v = batch.verdicts;
    const q = batch.verdictAt(i);
    const proto = packetProto(r, p);
    const dport = packetDport(r, p);
    at = putUint(out, PACKET(out, at), batch.packetNumber[i]!);
    at = this.time(out, at, packetSeconds(r, p), packetNanoseconds(r, p));
    at = putEndpoint(out, SRC(out, at), packetSaddr(r, p), packetSport(r, p), proto !== IpProto.ICMP);
    at = putEndpoint(out, DST(out, at), packetDaddr(r, p), dport, proto !== IpProto.ICMP);
    at = put(out, at, this.middle(r, p, v, q, proto, directory));
    at = put(out, at, this.backend(verdictBackendId(v, q), dport, directory));
    at = putIPv4(out, at, verdictSaddr(v, q));
    at = putUint(out, SPORT(out, at), verdictSport(v, q));
    at = putIPv4(out, DADDR(out, at), verdictDaddr(v, q));
    at = putUint(out, DPORT(out, at), verdictDport(v, q));
    at = putUint(out, SRC_IDENTITY(out, at), verdictSrcIdentity(v, q));
    at = putUint(out, DST_IDENTITY(out, at), verdictDstIdentity(v, q));
    const tunnel = verdictTunnelEndpoint(v, q);
    if (tunnel !== 0) at = putIPv4(out, put(out, at, TUNNEL), tunnel);
    return put(out, at, this.ending(tunnel === 0, batch.observed[i]!, batch.observedDrop[i]!));
  }

  /** `,"time":"` and the RFC 3339 time with nine fraction digits, without its closing `Z"`. */
  private time(out: LineBuffer, at: number, seconds: number, nanoseconds: number): number {
    if (seconds !== this.second) {
      this.secondText = fragment(`,"time":"${new Date(seconds * 1000).toISOString().slice(0, 19)}.`);
      this.second = seconds;
    }
    return putNine(out, put(out, at, this.secondText), nanoseconds);
  }

  /** The segment from `proto` to `"backend":` of the packet at `p` and its verdict at `q`. */
  private middle(
    r: RecordView,
    p: number,
    v: RecordView,
    q: number,
    proto: number,
    directory: ServiceDirectory,
  ): Fragment {
    const details =
      proto === IpProto.TCP
        ? packetTcpFlags(r, p)
        : proto === IpProto.ICMP
          ? (packetIcmpType(r, p) << 8) | packetIcmpCode(r, p)
          : 0;
    const outcome =
      ((verdictDropped(v, q) ? verdictDropReason(v, q) + 1 : 0) << 16) |
      (verdictObservationPoint(v, q) << 8) |
      verdictCtState(v, q);
    const revNatId = verdictRevNatId(v, q);
    const kind = (proto << 16) | details;
    return (
      this.middles.get(outcome, kind, revNatId) ??
      this.middles.set(outcome, kind, revNatId, middleText(proto, details, outcome, revNatId, directory))
    );
  }

  /** The backend (or null) and `,"translated":{"saddr":"`; the port is the packet's when the backend has none. */
  private backend(id: number, dport: number, directory: ServiceDirectory): Fragment {
    if (id === 0) return NULL_BACKEND;
    return (
      this.backends.get(id, dport, 0) ?? this.backends.set(id, dport, 0, backendText(id, dport, directory))
    );
  }

  /** From the tunnel endpoint (`null`, or the closing quote of its address) to the newline. */
  private ending(noTunnel: boolean, observed: number, observedDrop: number): Fragment {
    const tunnel = noTunnel ? 1 : 0;
    return (
      this.endings.get(tunnel, observed, observedDrop) ??
      this.endings.set(tunnel, observed, observedDrop, endingText(noTunnel, observed, observedDrop))
    );
  }
}

/** `","proto":...` (with tcpFlags or icmp) to `"backend":`, as JSON.stringify writes it. */
function middleText(
  proto: number,
  details: number,
  outcome: number,
  revNatId: number,
  directory: ServiceDirectory,
): Fragment {
  const dropCode = (outcome >>> 16) - 1;
  const point = (outcome >>> 8) & 0xff;
  const frontend = revNatId === 0 ? undefined : directory.frontendOf(revNatId);
  return fragment(
    `","proto":${json(protocolName(proto) ?? String(proto))}`,
    proto === IpProto.TCP ? `,"tcpFlags":${json(tcpFlagNames(details))}` : "",
    proto === IpProto.ICMP ? `,"icmp":{"type":${details >>> 8},"code":${details & 0xff}}` : "",
    dropCode < 0
      ? ',"verdict":"FORWARDED","dropReason":null'
      : `,"verdict":"DROPPED","dropReason":${json({ code: dropCode, name: dropReason(dropCode).hubble })}`,
    `,"observationPoint":${json(OBSERVATION_POINT_NAMES[point] ?? String(point))}`,
    `,"ctState":${json(CT_STATE_NAMES[outcome & 0xff] ?? "new")}`,
    `,"service":${frontend === undefined ? "null" : json({ revNatId, frontend })}`,
    ',"backend":',
  );
}

function backendText(id: number, dport: number, directory: ServiceDirectory): Fragment {
  const b = directory.backend(id);
  if (b === undefined) return NULL_BACKEND;
  const address = `${formatIPv4(b.address)}:${b.port === 0 ? dport : b.port}/${protocolName(b.proto) ?? b.proto}`;
  return fragment(`{"id":${json(b.id)},"address":"${address}"}${TRANSLATED}`);
}

function endingText(noTunnel: boolean, observed: number, code: number): Fragment {
  const drop = code === 0 ? "null" : json({ code, name: dropReason(code).hubble });
  return fragment(
    noTunnel ? ',"tunnelEndpoint":null' : '"',
    observed === 0 ? "" : `,"observed":{"verdict":${json(OBSERVED_VERDICTS[observed])},"dropReason":${drop}}`,
    "}\n",
  );
}
