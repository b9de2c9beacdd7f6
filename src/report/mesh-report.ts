// The mesh experiment as `dpemu compare --mesh` prints it: a text table per scenario, and the same
// tables on one self-contained HTML page (no script, no external resource; every text escaped).
import type { MeshScenarioResult, MeshStepResult } from "../mesh/mesh-experiment.js";
import { escapeForTerminal } from "../model/escape.js";
import { escapeHtml } from "./escape-html.js";
import { percent } from "./format.js";

const HEADER = [
  "SELECTION",
  "STEP",
  "NEW CONNECTIONS",
  "KEPT",
  "MOVED (OTHER CLUSTER)",
  "BROKEN",
  "NO-CT REHASHED (OTHER CLUSTER)",
];

const shares = (counts: Readonly<Record<string, number>>, n: number): string =>
  Object.entries(counts)
    .filter(([name, c]) => name !== "none" || c > 0)
    .map(([name, c]) => `${name} ${percent(c / n, 0)}`)
    .join(", ");

function stepCells(r: MeshScenarioResult, s: MeshStepResult): string[] {
  const n = r.connections;
  return [
    r.algorithm,
    s.label,
    shares(s.newConnections, n),
    percent(s.kept / n),
    `${percent(s.moved / n)} (${percent(s.movedCluster / n)})`,
    percent(s.broken / n),
    `${percent(s.rehashed / n)} (${percent(s.rehashedCluster / n)})`,
  ];
}

function rows(results: readonly MeshScenarioResult[]): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  for (const r of results) {
    const table = out.get(r.scenario) ?? [];
    table.push([r.algorithm, "before", shares(r.baseline, r.connections), "", "", "", ""]);
    for (const s of r.steps) table.push(stepCells(r, s));
    out.set(r.scenario, table);
  }
  return out;
}

const LEGEND = [
  "NEW CONNECTIONS: where connections opened after the step go, per cluster.",
  "KEPT / MOVED / BROKEN: the connections opened before the first step, by where their next packet goes",
  "(each node's CT kept): still their first backend; another one while the first still runs (a reset);",
  "their first backend is gone or the packet was dropped. NO-CT REHASHED: the same flows on a node",
  "without their CT state (a CT loss, another node): how many reach another backend than they first did.",
];

/** The experiment as text: one table per scenario, with the legend. */
export function formatMeshText(title: string, results: readonly MeshScenarioResult[]): string {
  const lines = [escapeForTerminal(title)];
  for (const [scenario, table] of rows(results)) {
    lines.push("", `Scenario: ${escapeForTerminal(scenario)}`, HEADER.join("\t"));
    for (const row of table) lines.push(row.map(escapeForTerminal).join("\t"));
  }
  lines.push("", ...LEGEND);
  return `${lines.join("\n")}\n`;
}

const PAGE_STYLE =
  "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}" +
  "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}" +
  "th{background:#f2f2f2}p.legend{color:#555}";

/** The experiment as one self-contained HTML page. */
export function formatMeshHtml(title: string, results: readonly MeshScenarioResult[]): string {
  const sections = [...rows(results)].map(([scenario, table]) => {
    const head = `<tr>${HEADER.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`;
    const body = table
      .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`)
      .join("\n");
    return `<h2>${escapeHtml(scenario)}</h2>\n<table><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
  });
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dpemu compare --mesh: ${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<h1>Cluster Mesh: Maglev vs random</h1>
<p>${escapeHtml(title)}</p>
${sections.join("\n")}
<p class="legend">${LEGEND.map(escapeHtml).join(" ")}</p>
</body>
</html>
`;
}
