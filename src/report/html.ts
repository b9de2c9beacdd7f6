// `dpemu compare --html FILE`: one self-contained page. Chartist (MIT, ~38 KB) and its stylesheet
// are inlined, the chart data travels as JSON in a non-executable script element, and a Content
// Security Policy forbids every network fetch, so the page works offline and from a file URL.
// Every string that came from the input is HTML-escaped (chart labels are set as text by Chartist).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { CompareReport, ServiceResult } from "../analysis/results.js";
import { escapeHtml } from "./escape-html.js";
import { bytes, fixed, percent, pValue } from "./format.js";
import { PAGE_SCRIPT, PAGE_STYLE } from "./page-assets.generated.js";
import { verdicts } from "./verdicts.js";

export { escapeHtml };

/** JSON that is safe inside <script type="application/json">: no "</script", no line separators. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

interface ChartSeries {
  readonly name: string;
  readonly className: string;
  readonly data: readonly (number | null)[];
}

/** What the page script hands to Chartist. */
export interface ChartSpec {
  readonly id: string;
  readonly type: "bar" | "line";
  readonly labels: readonly string[];
  readonly series: readonly ChartSeries[];
  /** How y values are printed on the axis. */
  readonly yFormat: "percent" | "number";
  /** Decimals of y-axis labels. */
  readonly yDigits: number;
  /** Hide x labels when there are too many to read. */
  readonly showXLabels: boolean;
  /** Print each bar's value above it (for charts where a bar can be zero, like Maglev's failover). */
  readonly valueLabels?: boolean;
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];
const ALGORITHM_COLOURS = { expected: "#9e9e9e", random: "#e4572e", maglev: "#2e86ab", least: "#333333" };

/** Chartist's UMD build and stylesheet, read from the installed package, source-map comments dropped. */
function chartistAssets(): { script: string; style: string } {
  const require = createRequire(import.meta.url);
  const read = (file: string) =>
    readFileSync(require.resolve(`chartist/dist/${file}`), "utf8").replace(
      /\/[/*]# sourceMappingURL=\S+( \*\/)?/g,
      "",
    );
  return { script: read("index.umd.js"), style: read("index.css") };
}

const serviceClass = (i: number) => `ct-series-svc-${i % PALETTE.length}`;

function legend(entries: readonly { name: string; colour: string; dashed?: boolean }[]): string {
  return `<ul class="legend">${entries
    .map(
      (e) =>
        `<li><span class="swatch${e.dashed ? " dashed" : ""}" style="--c:${e.colour}"></span>${escapeHtml(e.name)}</li>`,
    )
    .join("")}</ul>`;
}

const serviceLegend = (services: readonly ServiceResult[]) =>
  legend(
    services.map((s, i) => ({
      name: `${s.frontend} (N=${s.backends})`,
      colour: PALETTE[i % PALETTE.length]!,
    })),
  );

function chartBlock(spec: ChartSpec, caption: string, legendHtml: string): string {
  return `<figure><figcaption>${escapeHtml(caption)}</figcaption>${legendHtml}<div class="chart" data-chart="${spec.id}"></div></figure>`;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`).join("");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

interface Section {
  readonly html: string;
  readonly charts: ChartSpec[];
}

function failoverSection(report: CompareReport): Section {
  const s = report.services;
  const spec: ChartSpec = {
    id: "failover",
    type: "bar",
    labels: s.map((x) => x.frontend),
    series: [
      {
        name: "random",
        className: "ct-series-random",
        data: s.map((x) => x.algorithms.random.failover.brokenFraction),
      },
      {
        name: "maglev",
        className: "ct-series-maglev",
        data: s.map((x) => x.algorithms.maglev.failover.brokenFraction),
      },
    ],
    yFormat: "percent",
    yDigits: 0,
    showXLabels: s.length <= 24,
    valueLabels: s.length <= 24,
  };
  const html =
    `<p>Connections established through one node are re-routed (node failure, ECMP rehash) to another node ` +
    `that has no conntrack entry for them; every connection that lands on a different backend breaks. ` +
    `Measured through two emulated Cilium nodes: the first serves each connection's handshake, the second ` +
    `(same service, empty conntrack) receives its next packet` +
    `${s.some((x) => x.algorithms.maglev.failover.measuredThrough === "selection") ? " (selection alone where the datapath does not load-balance the protocol)" : ""}; ` +
    `connections per service: ${escapeHtml(s.map((x) => `${x.frontend} ${x.algorithms.maglev.failover.flows}`).join(", "))}.</p>` +
    chartBlock(
      spec,
      "Broken connections after a node failover, per service",
      legend([
        { name: "random", colour: ALGORITHM_COLOURS.random },
        { name: "Maglev", colour: ALGORITHM_COLOURS.maglev },
      ]),
    );
  return { html, charts: [spec] };
}

/** Enough decimals that the y-axis steps of a percent chart topping at `max` stay distinct. */
function percentDigits(max: number): number {
  const top = max * 100;
  return top >= 20 ? 0 : top >= 2 ? 1 : top >= 0.2 ? 2 : 3;
}

/** Enough decimals that the y-axis steps of a chart spanning `values` stay distinct. */
function spreadDigits(values: readonly number[]): number {
  const spread = Math.max(...values) - Math.min(...values);
  return spread >= 2 ? 1 : spread >= 0.2 ? 2 : spread >= 0.02 ? 3 : 4;
}

/** Each backend's entry share, or their range when there are too many to list. */
function entryShareText(s: ServiceResult): string {
  const entries = Object.entries(s.algorithms.maglev.table.entryShares);
  if (entries.length <= 16)
    return `entry shares ${entries.map(([k, v]) => `${k} ${percent(v, 2)}`).join(", ")}`;
  const values = entries.map(([, v]) => v);
  return `entry shares from ${percent(Math.min(...values), 3)} to ${percent(Math.max(...values), 3)} (every backend in the JSON output)`;
}

function balanceSection(report: CompareReport): Section {
  const charts: ChartSpec[] = [];
  const parts: string[] = [
    `<p>Share of flows per backend; the expected share is the backend's weight over the service's total ` +
      `(Cilium's random selection ignores weights).</p>`,
  ];
  report.services.forEach((s, i) => {
    const keys = Object.keys(s.weights);
    const totalWeight = keys.reduce((sum, k) => sum + s.weights[k]!, 0);
    const expected = keys.map((k) => (totalWeight === 0 ? 0 : s.weights[k]! / totalWeight));
    const r = s.algorithms.random.balance;
    const m = s.algorithms.maglev.balance;
    const spec: ChartSpec = {
      id: `balance-${i}`,
      type: "bar",
      labels: keys,
      series: [
        { name: "expected", className: "ct-series-expected", data: expected },
        { name: "random", className: "ct-series-random", data: keys.map((k) => r.shares[k] ?? 0) },
        { name: "maglev", className: "ct-series-maglev", data: keys.map((k) => m.shares[k] ?? 0) },
      ],
      yFormat: "percent",
      yDigits: percentDigits(Math.max(...expected, ...Object.values(r.shares), ...Object.values(m.shares))),
      showXLabels: keys.length <= 24,
    };
    charts.push(spec);
    parts.push(
      `<h3>${escapeHtml(s.frontend)}${s.id === null ? "" : ` (ID ${s.id})`}: ${s.backends} backends, ${s.flows} flows</h3>`,
      chartBlock(
        spec,
        "Flow share per backend",
        legend([
          { name: "expected (weights)", colour: ALGORITHM_COLOURS.expected },
          { name: "random", colour: ALGORITHM_COLOURS.random },
          { name: "Maglev", colour: ALGORITHM_COLOURS.maglev },
        ]),
      ),
      table(
        [
          "",
          "flow peak/mean",
          "flow CoV",
          "min share",
          "max share",
          "χ² p",
          "packet peak/mean",
          "byte peak/mean",
        ],
        (["random", "maglev"] as const).map((alg) => {
          const b = s.algorithms[alg].balance;
          return [
            alg,
            fixed(b.peakToMean),
            fixed(b.cov),
            percent(b.minShare, 2),
            percent(b.maxShare, 2),
            pValue(b.fit.pValue),
            fixed(b.packets.peakToMean),
            fixed(b.bytes.peakToMean),
          ];
        }),
      ),
      `<p class="note">Maglev table: ${s.algorithms.maglev.table.size} entries, entry peak-to-mean ` +
        `${fixed(s.algorithms.maglev.table.entryPeakToMean, 4)}; ${escapeHtml(entryShareText(s))}.</p>`,
    );
  });
  return { html: parts.join(""), charts };
}

function tableSizeSection(report: CompareReport): Section {
  const labels = report.sweep.map((p) => String(p.tableSize));
  const perService = (value: (p: CompareReport["sweep"][number]["services"][number]) => number) =>
    report.services.map((s, i) => ({
      name: s.frontend,
      className: serviceClass(i),
      data: report.sweep.map((p) => {
        const point = p.services[i];
        return point ? value(point) : null;
      }),
    }));
  const imbalance: ChartSpec = {
    id: "table-size-imbalance",
    type: "line",
    labels,
    series: perService((p) => p.entryPeakToMean),
    yFormat: "number",
    yDigits: spreadDigits(report.sweep.flatMap((p) => p.services.map((x) => x.entryPeakToMean))),
    showXLabels: true,
  };
  const build: ChartSpec = {
    id: "table-size-build",
    type: "line",
    labels,
    series: perService((p) => p.buildMs),
    yFormat: "number",
    yDigits: spreadDigits(report.sweep.flatMap((p) => p.services.map((x) => x.buildMs))),
    showXLabels: true,
  };
  const html =
    `<p>Every table size Cilium supports (the Maglev paper's balance-versus-table-size view): ` +
    `how unevenly the entries fall on the backends, and what the table costs.</p>` +
    chartBlock(imbalance, "Maglev entry peak-to-mean versus table size M", serviceLegend(report.services)) +
    table(
      ["M", "build ms (all services)", "worst entry peak/mean", "memory (all services)"],
      report.sweep.map((p) => [
        String(p.tableSize),
        fixed(p.buildMs, 2),
        fixed(p.entryPeakToMean, 4),
        bytes(p.memoryBytes),
      ]),
    );
  return { html, charts: [imbalance, build] };
}

const keptText = (fraction: number | null): string => (fraction === null ? "-" : percent(fraction));

function churnSection(report: CompareReport): Section {
  const charts: ChartSpec[] = [];
  const parts: string[] = [
    `<p>Backends change while the flows stay; without conntrack state (a new node, CT flushed or expired) ` +
      `every flow is selected again. Re-routed = reaches a different backend; the dashed line is the ` +
      `least any algorithm must move (k/N for a removal).</p>` +
      `<p>With conntrack state on the same node (through an emulated Cilium node, on the service's CT flows): ` +
      `connections are established, the backends change, and each connection sends one more packet. ` +
      `Kept with CT = still on its backend. Cilium follows the connection's service CT entry while its backend ` +
      `exists and is active, and selects again only when the backend is gone.</p>`,
  ];
  report.services.forEach((s, i) => {
    const spec = churnChart(s, i);
    if (spec !== undefined) {
      charts.push(spec);
      parts.push(
        `<h3>${escapeHtml(s.frontend)}: ${s.backends} backends</h3>`,
        chartBlock(
          spec,
          "Flows re-routed after removing k backends (k = 0: nothing changed, a fresh node selects again)",
          legend([
            { name: "random", colour: ALGORITHM_COLOURS.random },
            { name: "Maglev", colour: ALGORITHM_COLOURS.maglev },
            { name: "least possible (k/N)", colour: ALGORITHM_COLOURS.least, dashed: true },
          ]),
        ),
      );
    } else {
      parts.push(`<h3>${escapeHtml(s.frontend)}: ${s.backends} backend</h3>`);
    }
    parts.push(churnTable(s));
  });
  parts.push(
    `<p class="note">add k: k new backends; weight: the first backend's weight doubled; rolling: every backend ` +
      `replaced in turn (the new one added before the old one is removed), figures per replacement step.</p>`,
  );
  return { html: parts.join(""), charts };
}

type ServiceReport = CompareReport["services"][number];

/** Flows re-routed after removing k backends, per algorithm; none when no removal was measured. */
function churnChart(s: ServiceReport, i: number): ChartSpec | undefined {
  const removals = s.algorithms.maglev.churn.filter((c) => c.event === "remove");
  if (removals.length === 0) return undefined;
  const pick = (alg: "maglev" | "random") =>
    removals.map((c) => s.algorithms[alg].churn.find((x) => x.event === "remove" && x.count === c.count)!);
  return {
    id: `churn-${i}`,
    type: "line",
    // k = 0 is a fresh node with the same backends: the failover measurement.
    labels: ["k=0", ...removals.map((c) => `k=${c.count}`)],
    series: [
      {
        name: "random",
        className: "ct-series-random",
        data: [
          s.algorithms.random.failover.brokenFraction,
          ...pick("random").map((c) => c.disruptedFraction),
        ],
      },
      {
        name: "maglev",
        className: "ct-series-maglev",
        data: [
          s.algorithms.maglev.failover.brokenFraction,
          ...pick("maglev").map((c) => c.disruptedFraction),
        ],
      },
      {
        name: "least (k/N)",
        className: "ct-series-least",
        data: [0, ...removals.map((c) => c.optimalFraction)],
      },
    ],
    yFormat: "percent",
    yDigits: 0,
    showXLabels: true,
  };
}

/** Every churn event of a service: re-routed without CT, kept with CT, per algorithm. */
function churnTable(s: ServiceReport): string {
  return table(
    [
      "event",
      "count",
      "random re-routed",
      "Maglev re-routed",
      "least possible",
      "random kept with CT",
      "Maglev kept with CT",
    ],
    s.algorithms.maglev.churn.map((c) => {
      const r = s.algorithms.random.churn.find((x) => x.event === c.event && x.count === c.count)!;
      return [
        c.event,
        String(c.count),
        percent(r.disruptedFraction),
        percent(c.disruptedFraction),
        percent(c.optimalFraction),
        keptText(r.keptWithCtFraction),
        keptText(c.keptWithCtFraction),
      ];
    }),
  );
}

function costSection(report: CompareReport, build: ChartSpec): Section {
  const html =
    chartBlock(
      build,
      "Maglev table build time (ms, Wasm) versus table size M",
      serviceLegend(report.services),
    ) +
    table(
      ["service", "N", "build ms", "table memory", "random ns/flow", "Maglev ns/flow"],
      report.services.map((s) => [
        s.frontend,
        String(s.backends),
        fixed(s.algorithms.maglev.buildMs, 3),
        bytes(s.algorithms.maglev.table.memoryBytes),
        fixed(s.algorithms.random.selectNsPerFlow, 1),
        fixed(s.algorithms.maglev.selectNsPerFlow, 1),
      ]),
    ) +
    `<p class="note">Maglev memory for the whole snapshot at M=${report.parameters.tableSize}: ${bytes(report.maglevMemoryBytes)}.</p>`;
  return { html, charts: [] };
}

function describeInput(report: CompareReport): string {
  const { snapshot: sn, parameters: p } = report;
  return table(
    ["", ""],
    [
      ["snapshot", sn.source],
      ["node", sn.node ?? "-"],
      ["Cilium version", sn.ciliumVersion ?? "-"],
      ["services compared", `${report.services.length} of ${sn.services}`],
      ["table size M", String(p.tableSize)],
      ["cluster seed", p.clusterSeed],
      [
        "flows",
        p.flowsPerService !== null
          ? `${p.flowsPerService} synthetic per service, ${p.clients} clients`
          : p.flowSource,
      ],
      [
        "CT flows",
        `up to ${p.ctFlowsPerService} per service through emulated Cilium nodes (failover, churn with CT)`,
      ],
      ["seed", String(p.seed)],
    ],
  )
    .replace("<table>", '<table class="kv">')
    .replace("<thead><tr><th></th><th></th></tr></thead>", "");
}

function seriesStyle(): string {
  const rule = (cls: string, colour: string) =>
    `.${cls} .ct-bar,.${cls} .ct-line,.${cls} .ct-point{stroke:${colour}}`;
  return [
    ...Object.entries(ALGORITHM_COLOURS).map(([name, colour]) => rule(`ct-series-${name}`, colour)),
    ...PALETTE.map((colour, i) => rule(`ct-series-svc-${i}`, colour)),
  ].join("\n");
}

/** `dpemu compare --html`: the whole report as one self-contained, offline HTML page with its charts. */
export function formatHtmlReport(report: CompareReport): string {
  const { script, style } = chartistAssets();
  const failover = failoverSection(report);
  const balance = balanceSection(report);
  const tableSize = tableSizeSection(report);
  const churn = churnSection(report);
  const cost = costSection(report, tableSize.charts[1]!);
  const charts = [...failover.charts, ...balance.charts, ...tableSize.charts, ...churn.charts];
  const verdictList = verdicts(report)
    .map((v) => `<li><strong>${escapeHtml(v.title)}:</strong> ${escapeHtml(v.text)}</li>`)
    .join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dpemu compare: Maglev vs random — ${escapeHtml(report.snapshot.source)}</title>
<style>${style}</style>
<style>${PAGE_STYLE}${seriesStyle()}</style>
</head>
<body>
<h1>Maglev vs random backend selection</h1>
${describeInput(report)}
<h2>Verdicts</h2>
<ul class="verdicts">${verdictList}</ul>
${report.notes.map((n) => `<p class="note">Note: ${escapeHtml(n)}</p>`).join("\n")}
<h2>1. Node failover</h2>
${failover.html}
<h2>2. Balance</h2>
${balance.html}
<h2>3. Table size</h2>
${tableSize.html}
<h2>4. Backend churn</h2>
${churn.html}
<h2>5. Cost</h2>
${cost.html}
<p class="note">Generated by dpemu. Charts drawn with Chartist (MIT licence, chartist.dev), inlined.</p>
<script type="application/json" id="dpemu-charts">${jsonForScript(charts)}</script>
<script>/* Chartist 1.x, MIT licence (c) Gion Kunz */${script}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
