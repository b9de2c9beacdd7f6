// Experiment 3, backend churn: remove k backends, add k, change one weight, a rolling restart.
// Here without CT state (a new node, CT flushed or expired): every flow is selected afresh after
// the change, and we count the flows that now reach a different backend, next to the least any
// algorithm must move (how far the intended shares themselves shift).
import type { CompareBackend, CompareService, FlowSet } from "../model.js";
import type { Algorithm } from "../model.js";
import type { ChurnKind, ChurnResult } from "../results.js";
import type { SelectionEngine } from "../selection.js";

/** A sequence of backend sets: steps[0] is the service as it is, each later one a change. */
export interface ChurnScenario {
  readonly event: ChurnKind;
  readonly count: number;
  readonly steps: readonly (readonly CompareBackend[])[];
}

/** Cilium stores weights as u16. */
const MAX_WEIGHT = 0xffff;

/**
 * Backends that do not exist yet, like pods a deployment scales up or replaces: addresses from
 * 198.18.0.0/15 (RFC 2544 benchmarking, never a real pod), IDs above every existing one, port,
 * protocol and weight of `template`.
 */
export function freshBackends(
  existing: readonly CompareBackend[],
  count: number,
  template: CompareBackend,
  start = 0,
): CompareBackend[] {
  const taken = new Set(existing.map((b) => b.address));
  let nextId = Math.max(0, ...existing.map((b) => b.id)) + 1 + start;
  const out: CompareBackend[] = [];
  for (let n = start; out.length < count; n++) {
    const address = `198.${18 + ((n >>> 16) & 1)}.${(n >>> 8) & 0xff}.${n & 0xff}`;
    if (taken.has(address)) continue;
    out.push({ ...template, id: nextId++, address });
  }
  return out;
}

/** The k values tried for removals and additions: 1..min(N − 1, maxK), at least 1. */
export function churnCounts(backends: number, maxK: number): number[] {
  const top = Math.max(1, Math.min(backends - 1, maxK));
  return Array.from({ length: top }, (_, i) => i + 1);
}

/**
 * The scenarios the issue lists: remove the last k in slot order (a scale-down), add k new ones,
 * double the first backend's weight, and replace every backend in turn (a rolling restart; for
 * large services only the first `maxRolling` replacements, each step is alike).
 */
export function churnScenarios(
  backends: readonly CompareBackend[],
  maxK = 8,
  maxRolling = 16,
): ChurnScenario[] {
  const n = backends.length;
  if (n === 0) throw new Error("churn needs at least one backend");
  const template = backends[0]!;
  const scenarios: ChurnScenario[] = [];
  const ks = churnCounts(n, maxK);
  for (const k of ks) {
    if (k < n) scenarios.push({ event: "remove", count: k, steps: [backends, backends.slice(0, n - k)] });
  }
  for (const k of ks) {
    scenarios.push({
      event: "add",
      count: k,
      steps: [backends, [...backends, ...freshBackends(backends, k, template)]],
    });
  }
  const reweighted = backends.map((b, i) =>
    i === 0 ? { ...b, weight: Math.min(MAX_WEIGHT, Math.max(1, b.weight) * 2) } : b,
  );
  scenarios.push({ event: "weight", count: 1, steps: [backends, reweighted] });
  const steps = Math.min(n, maxRolling);
  const replacements = freshBackends(backends, steps, template);
  const rolling: CompareBackend[][] = [[...backends]];
  for (let i = 0; i < steps; i++) {
    const next = [...rolling[i]!];
    // The new pod takes the old one's place and weight.
    next[i] = { ...replacements[i]!, weight: backends[i]!.weight };
    rolling.push(next);
  }
  scenarios.push({ event: "rolling", count: steps, steps: rolling });
  return scenarios;
}

/** Total variation distance between the weight shares of two backend sets (keyed by backend ID). */
export function minimalDisruption(
  before: readonly CompareBackend[],
  after: readonly CompareBackend[],
): number {
  const shares = (set: readonly CompareBackend[]): Map<number, number> => {
    const total = set.reduce((sum, b) => sum + b.weight, 0);
    return new Map(set.map((b) => [b.id, total === 0 ? 0 : b.weight / total]));
  };
  const a = shares(before);
  const b = shares(after);
  let distance = 0;
  for (const id of new Set([...a.keys(), ...b.keys()]))
    distance += Math.abs((a.get(id) ?? 0) - (b.get(id) ?? 0));
  return distance / 2;
}

/** The figures of a churn scenario that selection alone gives (CT's part is churn-ct.ts). */
export type SelectionChurnResult = Omit<ChurnResult, "keptWithCtFraction">;

/** Fraction of flows whose backend differs between two assignments. */
export function changedFraction(before: Uint32Array, after: Uint32Array): number {
  if (before.length !== after.length) throw new Error("assignments of different flow sets");
  if (before.length === 0) return 0;
  let changed = 0;
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) changed++;
  return changed / before.length;
}

/**
 * Runs every scenario for one algorithm. Each step is selected on a node that has never seen the
 * flows (its own random stream), against the previous step's backends; `firstNode` numbers those
 * nodes so they differ from the balance and failover nodes.
 */
export function measureChurn(
  engine: SelectionEngine,
  algorithm: Algorithm,
  service: CompareService,
  flows: FlowSet,
  scenarios: readonly ChurnScenario[],
  firstNode = 16,
): SelectionChurnResult[] {
  let node = firstNode;
  const results: SelectionChurnResult[] = [];
  for (const scenario of scenarios) {
    let previous = engine.node(algorithm, node++).select(service, scenario.steps[0]!, flows);
    let disrupted = 0;
    let optimal = 0;
    for (let step = 1; step < scenario.steps.length; step++) {
      const current = engine.node(algorithm, node++).select(service, scenario.steps[step]!, flows);
      disrupted += changedFraction(previous, current);
      optimal += minimalDisruption(scenario.steps[step - 1]!, scenario.steps[step]!);
      previous = current;
    }
    const steps = scenario.steps.length - 1;
    results.push({
      event: scenario.event,
      count: scenario.count,
      disruptedFraction: disrupted / steps,
      optimalFraction: optimal / steps,
    });
  }
  return results;
}
