// `dpemu compare --json`: the report with its keys in a fixed order (the order users' scripts and
// diffs see), numbers that JSON cannot hold (an impossible fit's infinite χ²) as null.
import type {
  AlgorithmResult,
  BalanceResult,
  ChurnResult,
  CompareReport,
  MaglevResult,
  ServiceResult,
  ShareSummary,
  SweepPoint,
} from "../analysis/results.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const num = (value: number): number | null => (Number.isFinite(value) ? value : null);

function record(values: Readonly<Record<string, number>>): { [key: string]: Json } {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, num(v)]));
}

function shareSummary(s: ShareSummary): { [key: string]: Json } {
  return {
    peakToMean: num(s.peakToMean),
    cov: num(s.cov),
    minShare: num(s.minShare),
    maxShare: num(s.maxShare),
    shares: record(s.shares),
  };
}

function balance(b: BalanceResult): { [key: string]: Json } {
  return {
    ...shareSummary(b),
    fit: {
      statistic: num(b.fit.statistic),
      degreesOfFreedom: b.fit.degreesOfFreedom,
      pValue: num(b.fit.pValue),
    },
    packets: shareSummary(b.packets),
    bytes: shareSummary(b.bytes),
  };
}

function churn(c: ChurnResult): { [key: string]: Json } {
  return {
    event: c.event,
    count: c.count,
    disruptedFraction: num(c.disruptedFraction),
    optimalFraction: num(c.optimalFraction),
    keptWithCtFraction: c.keptWithCtFraction === null ? null : num(c.keptWithCtFraction),
  };
}

function algorithm(a: AlgorithmResult): { [key: string]: Json } {
  return {
    balance: balance(a.balance),
    churn: a.churn.map(churn),
    failover: {
      brokenFraction: num(a.failover.brokenFraction),
      flows: a.failover.flows,
      measuredThrough: a.failover.measuredThrough,
    },
    selectNsPerFlow: num(a.selectNsPerFlow),
  };
}

function maglev(m: MaglevResult): { [key: string]: Json } {
  return {
    ...algorithm(m),
    buildMs: num(m.buildMs),
    table: {
      size: m.table.size,
      entryShares: record(m.table.entryShares),
      entryPeakToMean: num(m.table.entryPeakToMean),
      memoryBytes: m.table.memoryBytes,
    },
  };
}

function service(s: ServiceResult): { [key: string]: Json } {
  return {
    frontend: s.frontend,
    id: s.id,
    backends: s.backends,
    flows: s.flows,
    ctFlows: s.ctFlows,
    packets: s.packets,
    bytes: s.bytes,
    weights: record(s.weights),
    algorithms: { maglev: maglev(s.algorithms.maglev), random: algorithm(s.algorithms.random) },
  };
}

function sweepPoint(p: SweepPoint): { [key: string]: Json } {
  return {
    tableSize: p.tableSize,
    buildMs: num(p.buildMs),
    entryPeakToMean: num(p.entryPeakToMean),
    memoryBytes: p.memoryBytes,
    services: p.services.map((s) => ({
      frontend: s.frontend,
      backends: s.backends,
      buildMs: num(s.buildMs),
      entryPeakToMean: num(s.entryPeakToMean),
    })),
  };
}

/** The report as a JSON value with stable key order. */
export function toJsonValue(report: CompareReport): { [key: string]: Json } {
  const { snapshot: sn, parameters: p } = report;
  return {
    snapshot: { source: sn.source, node: sn.node, ciliumVersion: sn.ciliumVersion, services: sn.services },
    parameters: {
      seed: p.seed,
      tableSize: p.tableSize,
      clusterSeed: p.clusterSeed,
      flowSource: p.flowSource,
      flowsPerService: p.flowsPerService,
      clients: p.clients,
      ctFlowsPerService: p.ctFlowsPerService,
    },
    services: report.services.map(service),
    sweep: report.sweep.map(sweepPoint),
    maglevMemoryBytes: report.maglevMemoryBytes,
    notes: [...report.notes],
  };
}

/** The compare report as JSON (`dpemu compare --json`). */
export function formatJsonReport(report: CompareReport): string {
  return JSON.stringify(toJsonValue(report), null, 2) + "\n";
}
