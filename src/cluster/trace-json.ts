// The documented JSON of a cluster trace (`dpemu trace --cluster --json`): every hop with its node,
// the reply's hops, the backend and the overall verdict.
import { dropReason } from "../engine/drop-reasons.js";
import { OBSERVATION_POINT_NAMES } from "../engine/verdict.js";
import { formatIPv4 } from "../model/ipv4.js";
import type { ClusterTrace } from "./cluster-trace.js";
import type { Encapsulation, Hop, Passage } from "./hand-off.js";

const ENTRY_NAMES = ["unknown", "endpoint", "network", "overlay"];

/** One encapsulation as JSON (null when the hop did not encapsulate). */
export function encapJson(e: Encapsulation | null): Record<string, unknown> | null {
  if (!e) return null;
  return {
    type: e.type,
    outer: { saddr: formatIPv4(e.outer.saddr), daddr: formatIPv4(e.outer.daddr) },
    dsr: e.dsr,
    overheadBytes: e.overheadBytes,
  };
}

/** One hop as JSON. */
export function hopJson(h: Hop): Record<string, unknown> {
  const v = h.verdict;
  const reason = v.verdict === "DROPPED" ? dropReason(v.dropReason) : null;
  return {
    node: h.node.name,
    entry: ENTRY_NAMES[h.entry] ?? String(h.entry),
    observationPoint: OBSERVATION_POINT_NAMES[v.observationPoint] ?? String(v.observationPoint),
    verdict: v.verdict,
    dropReason: reason ? { code: reason.code, name: reason.hubble } : null,
    ctState: v.ctState,
    received: { saddr: formatIPv4(h.saddr), sport: h.sport, daddr: formatIPv4(h.daddr), dport: h.dport },
    translated: { saddr: formatIPv4(v.saddr), sport: v.sport, daddr: formatIPv4(v.daddr), dport: v.dport },
    encap: encapJson(h.encap),
    dsr: h.dsr ? { address: formatIPv4(h.dsr.address), port: h.dsr.port, via: h.dsr.via } : null,
    next: h.next?.name ?? null,
  };
}

function passageJson(p: Passage): Record<string, unknown> {
  return { hops: p.hops.map(hopJson), end: p.end, crossNodeBytes: p.crossNodeBytes };
}

/** Whether the reply left the cluster without passing the ingress node (DSR). */
export function replyBypassesIngress(t: ClusterTrace): boolean {
  return t.reply !== null && !t.reply.hops.some((h) => h.node === t.ingress.node);
}

/** The whole trace as the CLI prints it with --json. */
export function clusterTraceJson(t: ClusterTrace): Record<string, unknown> {
  const last = t.request.hops.at(-1)!;
  const delivered = t.request.end === "delivered";
  const leaving = t.reply?.hops.at(-1);
  return {
    hops: t.request.hops.map(hopJson),
    reply: t.reply
      ? {
          ...passageJson(t.reply),
          source: leaving ? { saddr: formatIPv4(leaving.verdict.saddr), sport: leaving.verdict.sport } : null,
          bypassesIngress: replyBypassesIngress(t),
        }
      : null,
    backend:
      delivered && t.backendNode
        ? { node: t.backendNode.name, address: `${formatIPv4(last.verdict.daddr)}:${last.verdict.dport}` }
        : null,
    verdict: last.verdict.verdict,
    end: t.request.end,
    ingress: {
      node: t.ingress.node.name,
      how: t.ingress.how,
      ecmp: t.ingress.ecmp
        ? {
            bucket: t.ingress.ecmp.bucket,
            buckets: t.ingress.ecmp.buckets,
            hash: t.ingress.ecmp.hash,
            nexthops: t.ingress.ecmp.source,
          }
        : null,
    },
    crossNodeBytes: t.request.crossNodeBytes + (t.reply?.crossNodeBytes ?? 0),
  };
}
