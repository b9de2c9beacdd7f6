// `dpemu trace --cluster` as text: the router's choice, then every hop under its node's name
// (Hubble-style steps from that node's datapath), how the packet crossed to the next node, where it
// was delivered, and the reply's way back to the client.
import { describeVerdict } from "../datapath/trace.js";
import type { ClusterTrace } from "../cluster/cluster-trace.js";
import type { Hop, Passage } from "../cluster/hand-off.js";
import { replyBypassesIngress } from "../cluster/trace-json.js";
import { formatIPv4 } from "../model/ipv4.js";
import { escapeForTerminal } from "../model/escape.js";
import type { PacketRecord } from "../model/packet.js";
import { traceText } from "./trace.js";

const name = (n: { name: string }) => escapeForTerminal(n.name);

function ingressLine(t: ClusterTrace, packet: PacketRecord): string {
  const i = t.ingress;
  const flow = `${formatIPv4(packet.saddr)}:${packet.sport} -> ${formatIPv4(packet.daddr)}:${packet.dport}`;
  if (i.ecmp) {
    const hash = `0x${i.ecmp.hash.toString(16).padStart(8, "0")}`;
    return `router: ${flow}: ECMP over ${escapeForTerminal(i.ecmp.source)}, hash ${hash}: bucket ${i.ecmp.bucket + 1} of ${i.ecmp.buckets} -> ${name(i.node)}`;
  }
  const how = {
    l2: "L2-announcement lease holder",
    address: "the node owning the address",
    node: "the named node",
    ecmp: "",
  }[i.how];
  return `ingress: ${flow} enters at ${name(i.node)} (${how})`;
}

function hopLines(h: Hop, packet: PacketRecord): string[] {
  const received: PacketRecord = {
    ...packet,
    saddr: h.saddr,
    daddr: h.daddr,
    sport: h.sport,
    dport: h.dport,
    entry: h.entry,
  };
  const steps = describeVerdict(h.node.datapath, received, h.verdict);
  const lines = traceText(received, steps)
    .trimEnd()
    .split("\n")
    .map((l) => `  ${l}`);
  const out = [`[${name(h.node)}]`, ...lines];
  if (h.encap && h.next) {
    const e = h.encap;
    out.push(
      `  encap ${e.type}${e.dsr ? " (DSR)" : ""} ${formatIPv4(e.outer.saddr)} -> ${formatIPv4(e.outer.daddr)} (+${e.overheadBytes} bytes) to ${name(h.next)}`,
    );
  } else if (h.next) out.push(`  routed natively to ${name(h.next)}`);
  if (h.dsr) out.push(`  DSR: service ${formatIPv4(h.dsr.address)}:${h.dsr.port} carried by ${h.dsr.via}`);
  return out;
}

function passageLines(p: Passage, packet: PacketRecord): string[] {
  const out = p.hops.flatMap((h) => hopLines(h, packet));
  const last = p.hops.at(-1)!;
  const end = {
    delivered: `delivered on ${name(last.node)}`,
    dropped: `dropped on ${name(last.node)}`,
    "left-cluster": `left the cluster from ${name(last.node)} as ${formatIPv4(last.verdict.saddr)}:${last.verdict.sport} -> ${formatIPv4(last.verdict.daddr)}:${last.verdict.dport}`,
    "hop-limit": `stopped after ${p.hops.length} hops (a routing loop)`,
  }[p.end];
  out.push(`  => ${end}, ${p.crossNodeBytes} bytes between nodes`);
  return out;
}

/** The whole trace as text. */
export function clusterTraceText(t: ClusterTrace, packet: PacketRecord): string {
  const lines = [ingressLine(t, packet), ...passageLines(t.request, packet)];
  if (t.reply) {
    const via = replyBypassesIngress(t)
      ? `straight from ${name(t.backendNode!)}, bypassing the ingress node`
      : `back through the ingress node ${name(t.ingress.node)}`;
    lines.push(`reply (${via}):`, ...passageLines(t.reply, t.replyPacket ?? packet));
  }
  return `${lines.join("\n")}\n`;
}
