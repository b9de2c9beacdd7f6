// Merges the summaries of the N shards of a split replay (`--shard K/N`) into the summary of the run
// they split: what the datapath counted is summed (each flow was replayed in exactly one shard), what
// the reader counted is taken once (every shard read the whole input, and all must agree on it),
// shares are recomputed from the merged counts, and rows are ordered as a replay orders them. The
// result is the summary of one run with as many workers as the shards had together: `workers` and
// the map capacities are sums, and map occupancy is the sum of the shards' maps (docs/replay.md says
// where that differs from one map: LRU evictions and SNAT port collisions are per shard).
import { InvalidInputError } from "../model/errors.js";
import { parseIPv4 } from "../model/ipv4.js";
import { OBSERVATION_POINT_NAMES } from "../engine/verdict.js";
import {
  REPLAY_SKIP_KINDS,
  compareDisagreements,
  type BackendShare,
  type ObservedComparison,
  type ReplaySummary,
  type ServiceShare,
} from "./replay-summary.js";

/** Shards that do not make up one run (missing, duplicated, of different runs or inputs). */
export class SummaryMergeError extends InvalidInputError {
  constructor(message: string) {
    super(message);
    this.name = "SummaryMergeError";
  }
}

/** A shard's summary and the name (file) it came from, for messages. */
export interface NamedSummary {
  name: string;
  summary: ReplaySummary;
}

const share = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const REPLAY_SKIPS: ReadonlySet<string> = new Set(REPLAY_SKIP_KINDS);

/** Observation point name → number, for the order a replay lists them in. */
const POINT_NUMBERS = new Map(Object.entries(OBSERVATION_POINT_NAMES).map(([n, name]) => [name, Number(n)]));
const pointOrder = (name: string): number =>
  POINT_NUMBERS.get(name) ?? (/^\d+$/.test(name) ? Number(name) : 1e9);

/** Adds `rows` into `into` by key; `add` sums one row into the kept one. */
function mergeRows<T>(rows: T[], keyOf: (row: T) => string, add: (kept: T, row: T) => void): T[] {
  const into = new Map<string, T>();
  for (const row of rows) {
    const kept = into.get(keyOf(row));
    if (kept === undefined) into.set(keyOf(row), { ...row });
    else add(kept, row);
  }
  return [...into.values()];
}

function sumCounts(records: Record<string, number>[], order: (a: string, b: string) => number) {
  const out: Record<string, number> = {};
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))].sort(order);
  for (const key of keys) out[key] = sum(records.map((r) => r[key] ?? 0));
  return out;
}

/** Throws unless the summaries are shards 0..N-1 of one N, once each, of the same run and input. */
function checkShards(named: NamedSummary[]): NamedSummary[] {
  if (named.length === 0) throw new SummaryMergeError("no shard summaries to merge");
  const first = named[0]!;
  const ofShard = (n: NamedSummary) => {
    if (n.summary.shard === undefined)
      throw new SummaryMergeError(
        `${n.name} is not a shard's summary (no "shard": replay it with --shard K/N)`,
      );
    return n.summary.shard;
  };
  const count = ofShard(first).count;
  const byIndex = new Map<number, NamedSummary>();
  for (const n of named) {
    const s = ofShard(n);
    if (s.count !== count)
      throw new SummaryMergeError(
        `${n.name} is shard ${s.index}/${s.count} but ${first.name} is of ${count} shards`,
      );
    if (s.index >= count)
      throw new SummaryMergeError(`${n.name}: shard index ${s.index} is not below ${count}`);
    const twin = byIndex.get(s.index);
    if (twin !== undefined)
      throw new SummaryMergeError(`shard ${s.index}/${count} given twice: ${twin.name} and ${n.name}`);
    byIndex.set(s.index, n);
    checkSameRun(first, n);
  }
  const missing = [...Array(count).keys()].filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    const shown = missing.length > 8 ? `${missing.slice(0, 8).join(", ")}, ...` : missing.join(", ");
    throw new SummaryMergeError(`missing ${missing.length} of ${count} shards: ${shown}`);
  }
  return [...Array(count).keys()].map((i) => byIndex.get(i)!);
}

/** What every shard of one run shares: the run identity, the input as read, the reader's skips. */
function checkSameRun(a: NamedSummary, b: NamedSummary): void {
  const x = a.summary;
  const y = b.summary;
  const differ = (what: string) =>
    new SummaryMergeError(`${a.name} and ${b.name} are not shards of one run: ${what} differ`);
  if (x.shard!.run !== y.shard!.run) throw differ("snapshot or replay options (shard.run)");
  if (x.format !== y.format || x.shard!.packetsRead !== y.shard!.packetsRead) throw differ("inputs");
  const readerSkips = (s: ReplaySummary) =>
    JSON.stringify(Object.entries(s.skipped).filter(([kind]) => !REPLAY_SKIPS.has(kind)));
  if (readerSkips(x) !== readerSkips(y)) throw differ("inputs (skipped packets)");
  const shardOfRead = (s: ReplaySummary) => s.packets + s.shard!.otherShards + replaySkips(s);
  if (shardOfRead(y) !== y.shard!.packetsRead)
    throw new SummaryMergeError(`${b.name}: packets do not add up to shard.packetsRead`);
}

const replaySkips = (s: ReplaySummary): number => sum(REPLAY_SKIP_KINDS.map((k) => s.skipped[k] ?? 0));

function mergeServices(all: ReplaySummary[]): ServiceShare[] {
  const rows = mergeRows(
    all.flatMap((s) => s.services),
    (r) => String(r.revNatId),
    (kept, r) => {
      kept.packets += r.packets;
      kept.flows += r.flows;
    },
  ).sort((x, y) => x.revNatId - y.revNatId);
  const packets = sum(rows.map((r) => r.packets));
  const flows = sum(rows.map((r) => r.flows));
  return rows.map((r) => ({
    ...r,
    packetShare: share(r.packets, packets),
    flowShare: share(r.flows, flows),
  }));
}

function backendOrder(address: string): [number, number] {
  const colon = address.lastIndexOf(":");
  return [parseIPv4(address.slice(0, colon)) ?? 0, Number(address.slice(colon + 1))];
}

function mergeBackends(all: ReplaySummary[]): BackendShare[] {
  const rows = mergeRows(
    all.flatMap((s) => s.backends),
    (r) => `${r.revNatId} ${r.address}`,
    (kept, r) => {
      kept.packets += r.packets;
      kept.flows += r.flows;
    },
  ).sort((x, y) => {
    const [xa, xp] = backendOrder(x.address);
    const [ya, yp] = backendOrder(y.address);
    return x.revNatId - y.revNatId || xa - ya || xp - yp;
  });
  const totals = new Map<number, { packets: number; flows: number }>();
  for (const r of rows) {
    const t = totals.get(r.revNatId) ?? { packets: 0, flows: 0 };
    t.packets += r.packets;
    t.flows += r.flows;
    totals.set(r.revNatId, t);
  }
  return rows.map((r) => {
    const t = totals.get(r.revNatId)!;
    return { ...r, packetShare: share(r.packets, t.packets), flowShare: share(r.flows, t.flows) };
  });
}

function mergeObserved(all: ObservedComparison[]): ObservedComparison {
  const compared = sum(all.map((o) => o.compared));
  const agree = sum(all.map((o) => o.agree));
  const byKind = { ...all[0]!.byKind };
  for (const o of all.slice(1))
    for (const k of Object.keys(byKind) as (keyof typeof byKind)[]) byKind[k] += o.byKind[k];
  const disagreements = mergeRows(
    all.flatMap((o) => o.disagreements),
    (d) => JSON.stringify([d.kind, d.observed, d.emulated]),
    (kept, d) => void (kept.flows += d.flows),
  ).sort(compareDisagreements);
  return {
    compared,
    agree,
    disagree: compared - agree,
    notComparable: sum(all.map((o) => o.notComparable)),
    byKind,
    disagreements,
  };
}

function mergeSkipped(all: ReplaySummary[]): Record<string, number> {
  // The reader's skips once (all shards agree on them), then the replay's, summed, in their order.
  const out: Record<string, number> = {};
  for (const [kind, n] of Object.entries(all[0]!.skipped)) if (!REPLAY_SKIPS.has(kind)) out[kind] = n;
  for (const kind of REPLAY_SKIP_KINDS) {
    const n = sum(all.map((s) => s.skipped[kind] ?? 0));
    if (n > 0) out[kind] = n;
  }
  return out;
}

/**
 * The summary of the run the shards split: throws SummaryMergeError unless `named` holds each shard
 * 0..N-1 of one N exactly once, all of the same run (`shard.run`) and input. Timing: the slowest
 * shard's elapsed time (the shards of a run go in parallel), and packets per second over it.
 */
export function mergeReplaySummaries(named: NamedSummary[]): ReplaySummary {
  const all = checkShards(named).map((n) => n.summary);
  const first = all[0]!;
  const total = (pick: (s: ReplaySummary) => number): number => sum(all.map(pick));
  const packets = total((s) => s.packets);
  const elapsedSeconds = Math.max(...all.map((s) => s.elapsedSeconds));
  const drops = mergeRows(
    all.flatMap((s) => s.drops),
    (d) => String(d.code),
    (kept, d) => void (kept.packets += d.packets),
  ).sort((x, y) => x.code - y.code);
  const merged: ReplaySummary = {
    format: first.format,
    ...(all.some((s) => s.interrupted) ? { interrupted: true as const } : {}),
    packets,
    skipped: mergeSkipped(all),
    flows: total((s) => s.flows),
    verdicts: {
      forwarded: total((s) => s.verdicts.forwarded),
      dropped: total((s) => s.verdicts.dropped),
      observationPoints: sumCounts(
        all.map((s) => s.verdicts.observationPoints),
        (a, b) => pointOrder(a) - pointOrder(b),
      ),
      ctStates: sumCounts(
        all.map((s) => s.verdicts.ctStates),
        (a, b) =>
          Object.keys(first.verdicts.ctStates).indexOf(a) - Object.keys(first.verdicts.ctStates).indexOf(b),
      ),
    },
    drops,
    services: mergeServices(all),
    backends: mergeBackends(all),
    ct: {
      tcp: {
        entries: total((s) => s.ct.tcp.entries),
        max: first.ct.tcp.max,
        capacity: total((s) => s.ct.tcp.capacity),
      },
      any: {
        entries: total((s) => s.ct.any.entries),
        max: first.ct.any.max,
        capacity: total((s) => s.ct.any.capacity),
      },
      evictions: total((s) => s.ct.evictions),
      // Every shard collects at the same points of the input: the runs are one run's.
      gc: { runs: Math.max(...all.map((s) => s.ct.gc.runs)), deleted: total((s) => s.ct.gc.deleted) },
    },
    nat: {
      entries: total((s) => s.nat.entries),
      max: first.nat.max,
      capacity: total((s) => s.nat.capacity),
      evictions: total((s) => s.nat.evictions),
      gcDeleted: total((s) => s.nat.gcDeleted),
    },
    workers: total((s) => s.workers),
    elapsedSeconds,
    packetsPerSecond: elapsedSeconds > 0 ? packets / elapsedSeconds : 0,
  };
  const observed = all.map((s) => s.observed).filter((o) => o !== undefined);
  if (observed.length > 0) merged.observed = mergeObserved(observed);
  return merged;
}
