// Explains one packet's verdict as a list of Hubble-style steps: service translation
// (pre-xlate-fwd / post-xlate-fwd), reverse translations, SNAT, and where the packet went or why
// it was dropped. Derived from the verdict record and the node's state, so it describes exactly
// what the pipeline did.
import type { Datapath } from "./datapath.js";
import { dropReason } from "../engine/drop-reasons.js";
import type { PacketRecord } from "../model/packet.js";
import { OBSERVATION_POINT_NAMES, type DatapathVerdict } from "../engine/verdict.js";
import { prefixMask } from "../engine/engine.js";
import { formatIPv4 } from "../model/ipv4.js";
import { IpProto } from "../model/protocol.js";

/** An address of a trace step with its security identity. */
export interface TraceEndpoint {
  address: string;
  port: number | null;
  identity: number;
}

/** One step of a traced packet, named like Hubble's trace observation points. */
export interface TraceStep {
  /** Hubble's name of the point: pre-xlate-fwd, post-xlate-fwd, pre-xlate-rev, post-xlate-rev, snat, to-endpoint, ... or "drop". */
  point: string;
  verdict: "TRACED" | "TRANSLATED" | "FORWARDED" | "DROPPED";
  src: TraceEndpoint;
  dst: TraceEndpoint;
  /** A short explanation of the step. */
  note: string;
}

/** Hubble's text form of an observation point number: TO_ENDPOINT → to-endpoint. */
export function observationPointText(point: number): string {
  return (OBSERVATION_POINT_NAMES[point] ?? `point-${point}`).toLowerCase().replace(/_/g, "-");
}

function identityOf(dp: Datapath, address: number): number {
  let best = -1;
  let identity = 2;
  for (const e of dp.state.ipcache) {
    if (e.prefixLen > best && (address & prefixMask(e.prefixLen)) >>> 0 === e.prefix >>> 0) {
      best = e.prefixLen;
      identity = e.identity;
    }
  }
  return identity;
}

/** The steps a processed packet went through, derived from its verdict. */
export function describeVerdict(dp: Datapath, p: PacketRecord, v: DatapathVerdict): TraceStep[] {
  const withPorts = p.proto === IpProto.TCP || p.proto === IpProto.UDP || p.proto === IpProto.SCTP;
  const ep = (address: number, port: number, identity: number): TraceEndpoint => ({
    address: formatIPv4(address),
    port: withPorts ? port : null,
    identity,
  });
  const walk: Walk = {
    dp,
    p,
    v,
    L: dp.layout,
    has: (flag) => (v.flags & flag) !== 0,
    ep,
    origSrc: ep(p.saddr, p.sport, v.srcIdentity),
    origDst: ep(p.daddr, p.dport, identityOf(dp, p.daddr)),
    finalSrc: ep(v.saddr, v.sport, v.srcIdentity),
    finalDst: ep(v.daddr, v.dport, v.dstIdentity || identityOf(dp, v.daddr)),
  };
  return [
    ...serviceLookupSteps(walk),
    ...dnatSteps(walk),
    ...reverseNatSteps(walk),
    ...snatSteps(walk),
    lastStep(walk),
  ];
}

/** One packet's verdict as the steps below read it: the packet before and after the datapath. */
interface Walk {
  readonly dp: Datapath;
  readonly p: PacketRecord;
  readonly v: DatapathVerdict;
  readonly L: Datapath["layout"];
  readonly has: (flag: number) => boolean;
  readonly ep: (address: number, port: number, identity: number) => TraceEndpoint;
  readonly origSrc: TraceEndpoint;
  readonly origDst: TraceEndpoint;
  readonly finalSrc: TraceEndpoint;
  readonly finalDst: TraceEndpoint;
}

/** The service lookup hit, before translation. */
function serviceLookupSteps({ dp, v, L, has, origSrc, origDst }: Walk): TraceStep[] {
  if (!has(L.VFLAG_SERVICE)) return [];
  const frontend = dp.frontendOf(v.revNatId);
  const how = has(L.VFLAG_WILDCARD)
    ? "wildcard entry"
    : `service ${frontend ?? "?"} (rev-NAT ID ${v.revNatId})`;
  return [
    { point: "pre-xlate-fwd", verdict: "TRACED", src: origSrc, dst: origDst, note: `lookup hit: ${how}` },
  ];
}

/** The backend chosen and the destination translated to it. */
function dnatSteps({ dp, p, v, L, has, ep, origSrc, finalDst }: Walk): TraceStep[] {
  if (!has(L.VFLAG_DNAT)) return [];
  const backend = dp.backend(v.backendId);
  const chosen = has(L.VFLAG_AFFINITY)
    ? "session affinity"
    : has(L.VFLAG_SELECTED)
      ? has(L.VFLAG_MAGLEV)
        ? "Maglev"
        : "random slot"
      : "existing service CT entry";
  const flow = v.serviceCt === "new" ? "new flow" : "existing flow";
  const reselected = has(L.VFLAG_RESELECTED) ? ", previous backend gone or not active" : "";
  const loopback = has(L.VFLAG_LOOPBACK) ? ", hairpin: source rewritten to the service loopback address" : "";
  return [
    {
      point: "post-xlate-fwd",
      verdict: "TRANSLATED",
      src: has(L.VFLAG_LOOPBACK) ? ep(dp.state.node.serviceLoopbackAddress, p.sport, v.srcIdentity) : origSrc,
      dst: finalDst,
      note: `backend ${v.backendId}${backend ? ` ${formatIPv4(backend.address)}:${backend.port}` : ""} (${flow}, ${chosen}${reselected}${loopback})`,
    },
  ];
}

/** A reply of a translated flow, translated back. */
function reverseNatSteps({ dp, v, L, has, origSrc, origDst, finalSrc, finalDst }: Walk): TraceStep[] {
  if (!has(L.VFLAG_REV_SNAT) && !has(L.VFLAG_REV_NAT)) return [];
  const what = [
    has(L.VFLAG_REV_SNAT) ? "reverse SNAT of the destination" : "",
    has(L.VFLAG_REV_NAT) ? `reverse NAT of the source to ${dp.frontendOf(v.revNatId) ?? "the frontend"}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return [
    {
      point: "pre-xlate-rev",
      verdict: "TRACED",
      src: origSrc,
      dst: origDst,
      note: "reply of a translated flow",
    },
    { point: "post-xlate-rev", verdict: "TRANSLATED", src: finalSrc, dst: finalDst, note: what },
  ];
}

/** Source NAT on the way out. */
function snatSteps({ v, L, has, finalSrc, finalDst }: Walk): TraceStep[] {
  if (!has(L.VFLAG_SNAT)) return [];
  return [
    {
      point: "snat",
      verdict: "TRANSLATED",
      src: finalSrc,
      dst: finalDst,
      note: `source translated to ${finalSrc.address}:${v.sport}`,
    },
  ];
}

/** Where the packet ends: dropped (with Cilium's reason) or forwarded at an observation point. */
function lastStep({ v, L, has, finalSrc, finalDst }: Walk): TraceStep {
  if (v.verdict === "DROPPED") {
    const r = dropReason(v.dropReason);
    return {
      point: "drop",
      verdict: "DROPPED",
      src: finalSrc,
      dst: finalDst,
      note: `${r.description} (${r.code} ${r.hubble})`,
    };
  }
  const extra =
    v.tunnelEndpoint !== 0
      ? `tunnel endpoint ${formatIPv4(v.tunnelEndpoint)}`
      : v.dstEndpointId !== 0
        ? `endpoint ${v.dstEndpointId}`
        : "";
  return {
    point: observationPointText(v.observationPoint),
    verdict: "FORWARDED",
    src: finalSrc,
    dst: finalDst,
    note: `${has(L.VFLAG_UNTRACKED) ? "not tracked" : `CT ${v.ctState}`}${extra ? `, ${extra}` : ""}`,
  };
}
