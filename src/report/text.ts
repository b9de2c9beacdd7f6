// The terminal report: what was compared, one row of headline numbers per service, the table-size
// sweep, and a one-line verdict per experiment. Text from the input (snapshot path, node name, Cilium
// version, capture path, service names) is escaped for the terminal.
import type { ChurnResult, CompareReport, ServiceResult } from "../analysis/results.js";
import { escapeForTerminal } from "../model/escape.js";
import { bytes, fixed, percent } from "./format.js";
import { verdicts } from "./verdicts.js";

interface Column {
  /** Shown above a run of columns with the same group. */
  readonly group: string;
  readonly label: string;
  readonly align: "left" | "right";
  readonly value: (s: ServiceResult) => string;
}

const removeOne = (s: ServiceResult, alg: "maglev" | "random") =>
  s.algorithms[alg].churn.find((c) => c.event === "remove" && c.count === 1);

const keptWithCt = (c: ChurnResult | undefined): string =>
  c?.keptWithCtFraction === null || c === undefined ? "-" : percent(c.keptWithCtFraction);

const COLUMNS: readonly Column[] = [
  { group: "", label: "service", align: "left", value: (s) => escapeForTerminal(s.frontend) },
  { group: "", label: "N", align: "right", value: (s) => String(s.backends) },
  { group: "", label: "flows", align: "right", value: (s) => String(s.flows) },
  { group: "", label: "CT flows", align: "right", value: (s) => (s.ctFlows > 0 ? String(s.ctFlows) : "-") },
  {
    group: "failover broken",
    label: "random",
    align: "right",
    value: (s) => percent(s.algorithms.random.failover.brokenFraction),
  },
  {
    group: "failover broken",
    label: "maglev",
    align: "right",
    value: (s) => percent(s.algorithms.maglev.failover.brokenFraction),
  },
  {
    group: "flow peak/mean",
    label: "random",
    align: "right",
    value: (s) => fixed(s.algorithms.random.balance.peakToMean),
  },
  {
    group: "flow peak/mean",
    label: "maglev",
    align: "right",
    value: (s) => fixed(s.algorithms.maglev.balance.peakToMean),
  },
  {
    group: "remove 1 re-routed",
    label: "random",
    align: "right",
    value: (s) => {
      const c = removeOne(s, "random");
      return c ? percent(c.disruptedFraction) : "-";
    },
  },
  {
    group: "remove 1 re-routed",
    label: "maglev",
    align: "right",
    value: (s) => {
      const c = removeOne(s, "maglev");
      return c ? percent(c.disruptedFraction) : "-";
    },
  },
  {
    group: "remove 1 re-routed",
    label: "least",
    align: "right",
    value: (s) => {
      const c = removeOne(s, "maglev");
      return c ? percent(c.optimalFraction) : "-";
    },
  },
  {
    group: "kept with CT",
    label: "random",
    align: "right",
    value: (s) => keptWithCt(removeOne(s, "random")),
  },
  {
    group: "kept with CT",
    label: "maglev",
    align: "right",
    value: (s) => keptWithCt(removeOne(s, "maglev")),
  },
  { group: "maglev", label: "build ms", align: "right", value: (s) => fixed(s.algorithms.maglev.buildMs, 2) },
];

/** Terminal width of a string (every character we print is one cell wide). */
const width = (text: string): number => [...text].length;

function pad(text: string, size: number, align: "left" | "right"): string {
  const fill = " ".repeat(Math.max(0, size - width(text)));
  return align === "left" ? text + fill : fill + text;
}

/** Lays out rows under a two-line header; a group label spans its columns. */
export function formatTable(
  columns: readonly { group: string; label: string; align: "left" | "right" }[],
  rows: readonly (readonly string[])[],
): string {
  const gap = "  ";
  const widths = columns.map((c, i) => Math.max(width(c.label), ...rows.map((r) => width(r[i] ?? ""))));
  // Widen the last column of a group if the group label is longer than the columns under it.
  for (let i = 0; i < columns.length;) {
    let j = i;
    while (j + 1 < columns.length && columns[j + 1]!.group === columns[i]!.group) j++;
    const span = widths.slice(i, j + 1).reduce((a, b) => a + b, 0) + gap.length * (j - i);
    const need = width(columns[i]!.group) - span;
    if (need > 0) widths[j]! += need;
    i = j + 1;
  }
  const groups: string[] = [];
  for (let i = 0; i < columns.length;) {
    let j = i;
    while (j + 1 < columns.length && columns[j + 1]!.group === columns[i]!.group) j++;
    const span = widths.slice(i, j + 1).reduce((a, b) => a + b, 0) + gap.length * (j - i);
    groups.push(pad(columns[i]!.group, span, "left"));
    i = j + 1;
  }
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => pad(cell, widths[i]!, columns[i]!.align))
      .join(gap)
      .trimEnd();
  return [
    groups.join(gap).trimEnd(),
    line(columns.map((c) => c.label)),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
  ].join("\n");
}

function describeInput(report: CompareReport): string {
  const { snapshot, parameters: p } = report;
  const where = [
    snapshot.node && `node ${snapshot.node}`,
    snapshot.ciliumVersion && `Cilium ${snapshot.ciliumVersion}`,
  ]
    .filter(Boolean)
    .join(", ");
  const flows =
    p.flowsPerService !== null
      ? `${p.flowsPerService} synthetic flows per service from ${p.clients} clients`
      : `flows from ${p.flowSource}`;
  return (
    `Snapshot: ${escapeForTerminal(snapshot.source)}${where ? ` (${escapeForTerminal(where)})` : ""}; ${report.services.length} of ${snapshot.services} services compared\n` +
    `Parameters: table size M=${p.tableSize}, ${escapeForTerminal(flows)}, seed ${p.seed}, cluster seed ${p.clusterSeed}\n` +
    `Failover and churn with CT: up to ${p.ctFlowsPerService} flows per service (CT flows) through emulated Cilium nodes`
  );
}

/** The compare report as text tables with one-line verdicts. */
export function formatTextReport(report: CompareReport): string {
  const out: string[] = [`dpemu compare: Maglev vs random backend selection`, describeInput(report), ""];
  out.push(
    formatTable(
      COLUMNS,
      report.services.map((s) => COLUMNS.map((c) => c.value(s))),
    ),
  );
  out.push(
    "kept with CT: established connections still on their backend after one backend is removed (CT state on the same node)",
    "",
  );
  out.push(
    formatTable(
      [
        { group: "table-size sweep", label: "M", align: "right" },
        { group: "", label: "build ms", align: "right" },
        { group: "", label: "entry peak/mean", align: "right" },
        { group: "", label: "memory", align: "right" },
      ],
      report.sweep.map((p) => [
        String(p.tableSize),
        fixed(p.buildMs, 2),
        fixed(p.entryPeakToMean, 4),
        bytes(p.memoryBytes),
      ]),
    ),
  );
  out.push("");
  for (const v of verdicts(report)) out.push(`${v.title}: ${v.text}`);
  if (report.notes.length > 0) out.push("", ...report.notes.map((n) => `Note: ${escapeForTerminal(n)}`));
  return out.join("\n") + "\n";
}
