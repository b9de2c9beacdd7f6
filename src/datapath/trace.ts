// Explains one packet's verdict as a list of Hubble-style steps: service translation
// (pre-xlate-fwd / post-xlate-fwd), reverse translations, SNAT, and where the packet went or why
// it was dropped. Derived from the verdict record and the node's state, so it describes exactly
// what the pipeline did.
import type { Datapath } from "./datapath.js";
import { dropReason } from "../engine/drop-reasons.js";
import type { PacketRecord } from "../model/packet.js";
import { OBSERVATION_POINT_NAMES, formatIpv4, type DatapathVerdict } from "../engine/verdict.js";
import { prefixMask } from "../engine/engine.js";

export interface TraceEndpoint {
  address: string;
  port: number | null;
  identity: number;
}

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

export function describeVerdict(dp: Datapath, p: PacketRecord, v: DatapathVerdict): TraceStep[] {
  const L = dp.layout;
  const has = (flag: number) => (v.flags & flag) !== 0;
  const withPorts = p.proto === 6 || p.proto === 17 || p.proto === 132;
  const ep = (address: number, port: number, identity: number): TraceEndpoint => ({
    address: formatIpv4(address),
    port: withPorts ? port : null,
    identity,
  });
  const steps: TraceStep[] = [];
  const origSrc = ep(p.saddr, p.sport, v.srcIdentity);
  const origDst = ep(p.daddr, p.dport, identityOf(dp, p.daddr));
  const finalSrc = ep(v.saddr, v.sport, v.srcIdentity);
  const finalDst = ep(v.daddr, v.dport, v.dstIdentity || identityOf(dp, v.daddr));

  if (has(L.VFLAG_SERVICE)) {
    const frontend = dp.frontendOf(v.revNatId);
    const how = has(L.VFLAG_WILDCARD)
      ? "wildcard entry"
      : `service ${frontend ?? "?"} (rev-NAT ID ${v.revNatId})`;
    steps.push({
      point: "pre-xlate-fwd",
      verdict: "TRACED",
      src: origSrc,
      dst: origDst,
      note: `lookup hit: ${how}`,
    });
  }
  if (has(L.VFLAG_DNAT)) {
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
    const loopback = has(L.VFLAG_LOOPBACK)
      ? ", hairpin: source rewritten to the service loopback address"
      : "";
    steps.push({
      point: "post-xlate-fwd",
      verdict: "TRANSLATED",
      src: has(L.VFLAG_LOOPBACK) ? ep(dp.state.node.serviceLoopbackAddress, p.sport, v.srcIdentity) : origSrc,
      dst: finalDst,
      note: `backend ${v.backendId}${backend ? ` ${formatIpv4(backend.address)}:${backend.port}` : ""} (${flow}, ${chosen}${reselected}${loopback})`,
    });
  }
  if (has(L.VFLAG_REV_SNAT) || has(L.VFLAG_REV_NAT)) {
    const what = [
      has(L.VFLAG_REV_SNAT) ? "reverse SNAT of the destination" : "",
      has(L.VFLAG_REV_NAT)
        ? `reverse NAT of the source to ${dp.frontendOf(v.revNatId) ?? "the frontend"}`
        : "",
    ]
      .filter(Boolean)
      .join(", ");
    steps.push({
      point: "pre-xlate-rev",
      verdict: "TRACED",
      src: origSrc,
      dst: origDst,
      note: "reply of a translated flow",
    });
    steps.push({ point: "post-xlate-rev", verdict: "TRANSLATED", src: finalSrc, dst: finalDst, note: what });
  }
  if (has(L.VFLAG_SNAT)) {
    steps.push({
      point: "snat",
      verdict: "TRANSLATED",
      src: finalSrc,
      dst: finalDst,
      note: `source translated to ${finalSrc.address}:${v.sport}`,
    });
  }
  if (v.verdict === "DROPPED") {
    const r = dropReason(v.dropReason);
    steps.push({
      point: "drop",
      verdict: "DROPPED",
      src: finalSrc,
      dst: finalDst,
      note: `${r.description} (${r.code} ${r.hubble})`,
    });
  } else {
    const point = observationPointText(v.observationPoint);
    const extra =
      v.tunnelEndpoint !== 0
        ? `tunnel endpoint ${formatIpv4(v.tunnelEndpoint)}`
        : v.dstEndpointId !== 0
          ? `endpoint ${v.dstEndpointId}`
          : "";
    steps.push({
      point,
      verdict: "FORWARDED",
      src: finalSrc,
      dst: finalDst,
      note: `${has(L.VFLAG_UNTRACKED) ? "not tracked" : `CT ${v.ctState}`}${extra ? `, ${extra}` : ""}`,
    });
  }
  return steps;
}
