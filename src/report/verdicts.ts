// One-line verdicts per experiment, shared by the terminal table and the HTML page. Each states
// the figures it rests on, so a reader can check it against the tables.
import type { CompareReport, ServiceResult } from "../analysis/results.js";
import { bytes, fixed, percent } from "./format.js";

export type Experiment = "failover" | "balance" | "churn" | "table-size" | "cost";

export interface Verdict {
  readonly experiment: Experiment;
  readonly title: string;
  readonly text: string;
}

/** Significance below which we say the flows do not follow the weights. */
export const FIT_ALPHA = 0.001;

function flowWeighted(services: readonly ServiceResult[], value: (s: ServiceResult) => number): number {
  const flows = services.reduce((sum, s) => sum + s.flows, 0);
  if (flows === 0) return 0;
  return services.reduce((sum, s) => sum + value(s) * s.flows, 0) / flows;
}

/** Mean of `value` over services, each counted by `weight` (flows measured). */
function weightedMean(
  services: readonly ServiceResult[],
  weight: (s: ServiceResult) => number,
  value: (s: ServiceResult) => number,
): number {
  const total = services.reduce((sum, s) => sum + weight(s), 0);
  if (total === 0) return 0;
  return services.reduce((sum, s) => sum + value(s) * weight(s), 0) / total;
}

function failover(report: CompareReport): Verdict {
  const s = report.services;
  const broken = (alg: "maglev" | "random") =>
    weightedMean(
      s,
      (x) => x.algorithms[alg].failover.flows,
      (x) => x.algorithms[alg].failover.brokenFraction,
    );
  const maglev = broken("maglev");
  const random = broken("random");
  const better =
    maglev < random ? "Maglev keeps connections alive across nodes" : "no advantage for Maglev here";
  const emulated = s.filter((x) => x.algorithms.maglev.failover.measuredThrough === "datapath");
  const connections = emulated.reduce((sum, x) => sum + x.algorithms.maglev.failover.flows, 0);
  const how =
    emulated.length > 0
      ? ` (${connections} connections per algorithm established through one emulated node, ` +
        `their next packet sent to a second one with empty CT${emulated.length < s.length ? "; selection only for the rest" : ""})`
      : " (selection only)";
  return {
    experiment: "failover",
    title: "Node failover",
    text: `a node failover breaks ${percent(maglev)} of established connections with Maglev and ${percent(random)} with random: ${better}${how}.`,
  };
}

function balance(report: CompareReport): Verdict {
  const s = report.services;
  const worst = (alg: "maglev" | "random"): number =>
    Math.max(...s.map((x) => x.algorithms[alg].balance.peakToMean));
  const fits = (alg: "maglev" | "random"): number =>
    s.filter((x) => x.algorithms[alg].balance.fit.pValue >= FIT_ALPHA).length;
  const weighted = s.some((x) => new Set(Object.values(x.weights)).size > 1);
  const note =
    weighted && fits("random") < s.length
      ? " Random selection ignores backend weights, as Cilium's does."
      : "";
  return {
    experiment: "balance",
    title: "Balance",
    text:
      `worst flow peak-to-mean ${fixed(worst("maglev"))} with Maglev, ${fixed(worst("random"))} with random; ` +
      `flows follow the weights (χ² p ≥ ${FIT_ALPHA}) in ${fits("maglev")}/${s.length} services with Maglev, ` +
      `${fits("random")}/${s.length} with random.${note}`,
  };
}

function churn(report: CompareReport): Verdict {
  const s = report.services;
  const at = (x: ServiceResult, alg: "maglev" | "random", event: string) =>
    x.algorithms[alg].churn.find((c) => c.event === event && (event !== "remove" || c.count === 1));
  const removable = s.filter((x) => at(x, "maglev", "remove"));
  const remove = (alg: "maglev" | "random") =>
    flowWeighted(removable, (x) => at(x, alg, "remove")!.disruptedFraction);
  const optimal = flowWeighted(removable, (x) => at(x, "maglev", "remove")!.optimalFraction);
  const rolling = (alg: "maglev" | "random") =>
    flowWeighted(s, (x) => at(x, alg, "rolling")!.disruptedFraction);
  const rollingLeast = flowWeighted(s, (x) => at(x, "maglev", "rolling")!.optimalFraction);
  const removal =
    removable.length > 0
      ? `removing one backend re-routes ${percent(remove("maglev"))} of flows with Maglev (least possible ${percent(optimal)}), ${percent(remove("random"))} with random; `
      : "";
  return {
    experiment: "churn",
    title: "Backend churn (no CT)",
    text: `${removal}a rolling restart re-routes ${percent(rolling("maglev"))} per step with Maglev (least possible ${percent(rollingLeast)}), ${percent(rolling("random"))} with random.`,
  };
}

function churnWithCt(report: CompareReport): Verdict | null {
  const s = report.services.filter((x) => x.ctFlows > 0);
  if (s.length === 0) return null;
  const entry = (x: ServiceResult, alg: "maglev" | "random", event: string, count?: number) =>
    x.algorithms[alg].churn.find((c) => c.event === event && (count === undefined || c.count === count));
  const kept = (alg: "maglev" | "random", event: string, count?: number): number | null => {
    const having = s.filter((x) => entry(x, alg, event, count) !== undefined);
    if (having.length === 0) return null;
    return weightedMean(
      having,
      (x) => x.ctFlows,
      (x) => entry(x, alg, event, count)!.keptWithCtFraction ?? 0,
    );
  };
  const pair = (event: string, count?: number) =>
    `${percent(kept("maglev", event, count) ?? 0)} with Maglev, ${percent(kept("random", event, count) ?? 0)} with random`;
  const removal =
    kept("maglev", "remove", 1) !== null
      ? `removing one backend keeps ${pair("remove", 1)} (connections of a removed backend are re-selected, the others stay); `
      : "";
  return {
    experiment: "churn",
    title: "Backend churn (with CT)",
    text:
      `on the same node, ${removal}adding a backend keeps ${pair("add", 1)}; ` +
      `doubling a weight keeps ${pair("weight")}; ` +
      `a rolling restart keeps ${pair("rolling")} per step.`,
  };
}

function tableSize(report: CompareReport): Verdict {
  const chosen = report.sweep.find((p) => p.tableSize === report.parameters.tableSize);
  const within = report.sweep.find((p) => p.entryPeakToMean <= 1.01);
  const largest = report.sweep[report.sweep.length - 1];
  const parts: string[] = [];
  if (chosen)
    parts.push(
      `at M=${chosen.tableSize} the worst entry peak-to-mean is ${fixed(chosen.entryPeakToMean, 4)}`,
    );
  parts.push(
    within
      ? `M=${within.tableSize} is the smallest size within 1% of perfect`
      : "no supported size gets within 1% of perfect",
  );
  if (largest) parts.push(`M=${largest.tableSize} builds all tables in ${fixed(largest.buildMs, 2)} ms`);
  return { experiment: "table-size", title: "Table size", text: `${parts.join("; ")}.` };
}

function cost(report: CompareReport): Verdict {
  const s = report.services;
  const meanOf = (f: (x: ServiceResult) => number) => s.reduce((sum, x) => sum + f(x), 0) / s.length;
  const build = meanOf((x) => x.algorithms.maglev.buildMs);
  const tables =
    report.parameters.tableSize > 0 ? report.maglevMemoryBytes / (report.parameters.tableSize * 4) : 0;
  return {
    experiment: "cost",
    title: "Cost",
    text:
      `a Maglev table (M=${report.parameters.tableSize}) takes ${fixed(build, 2)} ms to build and ${bytes(report.parameters.tableSize * 4)} per service, ` +
      `${bytes(report.maglevMemoryBytes)} for the snapshot's ${tables} ${tables === 1 ? "table" : "tables"}; selection costs ` +
      `${fixed(
        meanOf((x) => x.algorithms.maglev.selectNsPerFlow),
        1,
      )} ns/flow with Maglev, ${fixed(
        meanOf((x) => x.algorithms.random.selectNsPerFlow),
        1,
      )} ns/flow with random.`,
  };
}

/** Failover first: it is Maglev's reason to exist. */
export function verdicts(report: CompareReport): Verdict[] {
  if (report.services.length === 0) return [];
  const withCt = churnWithCt(report);
  return [
    failover(report),
    balance(report),
    churn(report),
    ...(withCt ? [withCt] : []),
    tableSize(report),
    cost(report),
  ];
}
