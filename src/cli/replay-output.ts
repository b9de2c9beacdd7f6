// What `dpemu replay` prints at the end: the summary table. (The verdict stream is written by
// replay-verdict-stream.ts.)
import { percent } from "../report/format.js";
import type { ReplaySummary } from "../replay/replay-summary.js";

// ---- summary table -------------------------------------------------------------------------------

const int = (n: number): string => Math.round(n).toLocaleString("en-US");

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].map((l) => `  ${l.trimEnd()}`);
}

/** Packets, skips, flows, verdicts, CT states and drops. */
function verdictLines(s: ReplaySummary): string[] {
  const out: string[] = [];
  const skippedTotal = Object.values(s.skipped).reduce((a, b) => a + b, 0);
  out.push(
    s.interrupted ? "Replay summary (interrupted: covers the packets read before it)" : "Replay summary",
  );
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
  return out;
}

/** The services' shares, then each backend's within its service. */
function shareLines(s: ReplaySummary): string[] {
  if (s.services.length === 0) return ["Services: no packet reached a service"];
  const out = ["Services"];
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
  if (rows.length > 0) out.push(...table(["service / backend", "packets", "share", "flows", "share"], rows));
  return out;
}

/** Map occupancy, evictions and garbage collection. */
function mapLines(s: ReplaySummary): string[] {
  // With workers, each holds a map of the node's size: occupancy is of their sum; more entries than
  // one map holds would have evicted on the real node.
  const occupancy = (m: { entries: number; max: number; capacity: number }) => {
    const of = s.workers > 1 ? `${int(m.capacity)} in ${s.workers} workers' maps` : int(m.capacity);
    const over = m.entries > m.max ? `; more than the node's one map of ${int(m.max)} holds` : "";
    return `${int(m.entries)} / ${of} (${m.capacity > 0 ? ((m.entries / m.capacity) * 100).toFixed(2) : "0.00"}%${over})`;
  };
  return [
    "Maps",
    `  CT TCP         ${occupancy(s.ct.tcp)}`,
    `  CT any         ${occupancy(s.ct.any)}`,
    `  NAT            ${occupancy(s.nat)}`,
    `  evictions      CT ${int(s.ct.evictions)}, NAT ${int(s.nat.evictions)}; ` +
      `GC runs ${int(s.ct.gc.runs)} (collected CT ${int(s.ct.gc.deleted)}, NAT ${int(s.nat.gcDeleted)})`,
  ];
}

/** Hubble input: how the emulated verdicts compare with the observed ones. */
function observedLines(o: NonNullable<ReplaySummary["observed"]>): string[] {
  const out = ["", "Hubble's verdicts against the emulated ones"];
  out.push(
    `  compared       ${int(o.compared)}: ${int(o.agree)} agree, ${int(o.disagree)} disagree` +
      ` (${int(o.notComparable)} not comparable)`,
  );
  const kinds = Object.entries(o.byKind).filter(([, n]) => n > 0);
  if (kinds.length > 0) {
    out.push(`  by kind        ${kinds.map(([kind, n]) => `${kind} ${int(n)}`).join(", ")}`);
  }
  for (const d of o.disagreements) {
    out.push(`    ${d.kind}: observed ${d.observed}, emulated ${d.emulated}: ${int(d.flows)}`);
  }
  return out;
}

/** The summary as the table printed at the end of a replay. */
export function formatReplaySummary(s: ReplaySummary): string {
  const out = [...verdictLines(s), "", ...shareLines(s), "", ...mapLines(s)];
  if (s.observed) out.push(...observedLines(s.observed));
  out.push("");
  out.push(`Elapsed          ${s.elapsedSeconds.toFixed(2)} s, ${int(s.packetsPerSecond)} packets/s`);
  return `${out.join("\n")}\n`;
}
