// What `dpemu replay` prints: the verdict stream (Hubble-like text or JSON lines with the fields of
// `dpemu trace --json`) and the summary table.
import type { Datapath } from "../datapath/datapath.js";
import { dropReason } from "../engine/drop-reasons.js";
import { OBSERVATION_POINT_NAMES, formatIpv4 } from "../engine/verdict.js";
import { IpProto, tcpFlagNames, type PacketRecord } from "../model/packet.js";
import type { ReplaySummary } from "../replay/replay-summary.js";
import type { ReplayedPacket } from "../replay/replayed-packet.js";
import { formatRfc3339 } from "../readers/rfc3339.js";
import { traceJson } from "./trace.js";

const PROTO_LABEL: Record<number, string> = { 1: "ICMP", 6: "TCP", 17: "UDP", 132: "SCTP" };
const RESERVED_IDENTITIES: Record<number, string> = {
  1: "host",
  2: "world",
  3: "unmanaged",
  4: "health",
  5: "init",
  6: "remote-node",
  7: "kube-apiserver",
  8: "ingress",
  9: "world-ipv4",
};

const hasPorts = (p: PacketRecord): boolean => p.proto !== IpProto.ICMP;
const endpoint = (address: number, port: number, ports: boolean): string =>
  ports ? `${formatIpv4(address)}:${port}` : formatIpv4(address);

/** One JSON line: packet, time, src, dst, proto (+ tcpFlags / icmp), then `dpemu trace --json`'s fields. */
export function verdictJsonLine(replayed: ReplayedPacket, directory: Datapath): string {
  const { packet: p, verdict: v } = replayed;
  const ports = hasPorts(p);
  const doc: Record<string, unknown> = {
    packet: replayed.packetNumber,
    time: formatRfc3339(p.seconds, p.nanoseconds),
    src: endpoint(p.saddr, p.sport, ports),
    dst: endpoint(p.daddr, p.dport, ports),
    proto: PROTO_LABEL[p.proto] ?? String(p.proto),
  };
  if (p.proto === IpProto.TCP) doc.tcpFlags = tcpFlagNames(p.tcpFlags);
  if (p.proto === IpProto.ICMP) doc.icmp = { type: p.icmpType, code: p.icmpCode };
  Object.assign(doc, traceJson(directory, p, v));
  if (replayed.observed) {
    const o = replayed.observed;
    doc.observed = {
      verdict: o.verdict,
      dropReason: o.dropReason !== 0 ? { code: o.dropReason, name: dropReason(o.dropReason).hubble } : null,
    };
  }
  return JSON.stringify(doc);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function hubbleTime(seconds: number, nanoseconds: number): string {
  const d = new Date(seconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return (
    `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:` +
    `${pad(d.getUTCSeconds())}.${pad(Math.floor(nanoseconds / 1e6), 3)}`
  );
}

const identity = (id: number): string => RESERVED_IDENTITIES[id] ?? `ID:${id}`;

function protoText(p: PacketRecord): string {
  if (p.proto === IpProto.TCP) return `TCP Flags: ${tcpFlagNames(p.tcpFlags).join(", ") || "none"}`;
  if (p.proto === IpProto.ICMP) return `ICMPv4 type ${p.icmpType} code ${p.icmpCode}`;
  return PROTO_LABEL[p.proto] ?? `proto ${p.proto}`;
}

/**
 * One Hubble-like line: `TIME: SRC (ID) -> DST (ID) to-overlay FORWARDED (TCP Flags: SYN)`, then
 * the translation when there was one, and Hubble's own verdict for Hubble input.
 */
export function verdictTextLine(replayed: ReplayedPacket): string {
  const { packet: p, verdict: v } = replayed;
  const ports = hasPorts(p);
  const src = endpoint(p.saddr, p.sport, ports);
  const dst = endpoint(p.daddr, p.dport, ports);
  const what =
    v.verdict === "DROPPED"
      ? `${dropReason(v.dropReason).hubble} DROPPED`
      : `${(OBSERVATION_POINT_NAMES[v.observationPoint] ?? String(v.observationPoint)).toLowerCase().replace(/_/g, "-")} FORWARDED`;
  let line =
    `${hubbleTime(p.seconds, p.nanoseconds)}: ${src} (${identity(v.srcIdentity)}) -> ${dst} ` +
    `(${identity(v.dstIdentity)}) ${what} (${protoText(p)})`;
  const tsrc = endpoint(v.saddr, v.sport, ports);
  const tdst = endpoint(v.daddr, v.dport, ports);
  if (v.verdict === "FORWARDED" && (tsrc !== src || tdst !== dst)) line += ` xlate ${tsrc} -> ${tdst}`;
  if (replayed.observed) line += ` [hubble: ${replayed.observed.verdict}]`;
  return line;
}

// ---- summary table -------------------------------------------------------------------------------

const int = (n: number): string => Math.round(n).toLocaleString("en-US");
const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].map((l) => `  ${l.trimEnd()}`);
}

/** The summary as the table printed at the end of a replay. */
export function formatReplaySummary(s: ReplaySummary): string {
  const out: string[] = [];
  const skippedTotal = Object.values(s.skipped).reduce((a, b) => a + b, 0);
  out.push("Replay summary");
  out.push(
    `  packets        ${int(s.packets)} replayed, ${int(s.packets + skippedTotal)} read (${s.format})`,
  );
  const skipped = Object.entries(s.skipped).map(([kind, n]) => `${kind} ${int(n)}`);
  out.push(`  skipped        ${skipped.length > 0 ? skipped.join(", ") : "none"}`);
  out.push(`  flows          ${int(s.flows)} connection${s.flows === 1 ? "" : "s"} opened`);
  out.push(`  verdicts       ${int(s.verdicts.forwarded)} forwarded, ${int(s.verdicts.dropped)} dropped`);
  const points = Object.entries(s.verdicts.observationPoints).map(
    ([name, n]) => `${name.toLowerCase().replace(/_/g, "-")} ${int(n)}`,
  );
  if (points.length > 0) out.push(`                 ${points.join(", ")}`);
  out.push(
    `  CT states      ${Object.entries(s.verdicts.ctStates)
      .map(([name, n]) => `${name} ${int(n)}`)
      .join(", ")}`,
  );
  if (s.drops.length === 0) out.push("  drops          none");
  else {
    out.push("  drops");
    out.push(
      ...table(
        ["  reason", "code", "packets"],
        s.drops.map((d) => [`  ${d.reason}`, String(d.code), int(d.packets)]),
      ),
    );
  }

  out.push("");
  if (s.services.length === 0) out.push("Services: no packet reached a service");
  else {
    out.push("Services");
    out.push(
      ...table(
        ["frontend (rev-NAT ID)", "packets", "share", "flows", "share"],
        s.services.map((x) => [
          `${x.frontend} (${x.revNatId})`,
          int(x.packets),
          percent(x.packetShare),
          int(x.flows),
          percent(x.flowShare),
        ]),
      ),
    );
    out.push("");
    if (s.backends.length === 0) out.push("Backends: no packet reached a backend");
    else out.push("Backends (shares within their service)");
    const rows: string[][] = [];
    let last = -1;
    for (const b of s.backends) {
      if (b.revNatId !== last) {
        rows.push([`${b.frontend} (${b.revNatId})`, "", "", "", ""]);
        last = b.revNatId;
      }
      rows.push([
        `  ${b.address}${b.id !== null ? ` (ID ${b.id})` : " (removed)"}`,
        int(b.packets),
        percent(b.packetShare),
        int(b.flows),
        percent(b.flowShare),
      ]);
    }
    if (rows.length > 0)
      out.push(...table(["service / backend", "packets", "share", "flows", "share"], rows));
  }

  out.push("");
  out.push("Maps");
  const occupancy = (entries: number, max: number) =>
    `${int(entries)} / ${int(max)} (${max > 0 ? ((entries / max) * 100).toFixed(2) : "0.00"}%)`;
  out.push(`  CT TCP         ${occupancy(s.ct.tcp.entries, s.ct.tcp.max)}`);
  out.push(`  CT any         ${occupancy(s.ct.any.entries, s.ct.any.max)}`);
  out.push(`  NAT            ${occupancy(s.nat.entries, s.nat.max)}`);
  out.push(
    `  evictions      CT ${int(s.ct.evictions)}, NAT ${int(s.nat.evictions)}; ` +
      `GC runs ${int(s.ct.gc.runs)} (collected CT ${int(s.ct.gc.deleted)}, NAT ${int(s.nat.gcDeleted)})`,
  );

  if (s.observed) {
    const o = s.observed;
    out.push("");
    out.push("Hubble's verdicts against the emulated ones");
    out.push(
      `  compared       ${int(o.compared)}: ${int(o.agree)} agree, ${int(o.disagree)} disagree` +
        ` (${int(o.notComparable)} not comparable)`,
    );
    for (const d of o.disagreements) {
      out.push(
        `    observed ${d.observed}, emulated ${d.emulated}${d.dropReason ? ` ${d.dropReason}` : ""}: ${int(d.flows)}`,
      );
    }
  }

  out.push("");
  out.push(`Elapsed          ${s.elapsedSeconds.toFixed(2)} s, ${int(s.packetsPerSecond)} packets/s`);
  return `${out.join("\n")}\n`;
}
