// Reads a replay summary back from its JSON (`dpemu replay --summary-json`), checking every field
// merging uses: a summary is input like any other, and a hand-edited or truncated one must be a
// clear error naming the field, never a wrong merge.
import { InvalidInputError } from "../model/errors.js";
import type { CaptureFormat } from "../readers/read-summary.js";
import type {
  BackendShare,
  DisagreementKind,
  ObservedComparison,
  ReplaySummary,
  ServiceShare,
} from "./replay-summary.js";
import type { ShardSummary } from "./shard.js";

/** A summary document that is not what `--summary-json` writes; `path` names the field. */
export class SummaryFormatError extends InvalidInputError {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = "SummaryFormatError";
  }
}

type Json = Record<string, unknown>;

const FORMATS: readonly CaptureFormat[] = ["pcap", "pcapng", "hubble", "synthetic"];
const KINDS: readonly DisagreementKind[] = [
  "verdict",
  "drop-reason",
  "observation-point",
  "translated-destination",
];

function object(value: unknown, path: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new SummaryFormatError(path, "not an object");
  return value as Json;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new SummaryFormatError(path, "not an array");
  return value;
}

function count(parent: Json, key: string, path: string): number {
  const value = parent[key];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw new SummaryFormatError(`${path}.${key}`, "not a count (a non-negative integer)");
  return value;
}

function real(parent: Json, key: string, path: string): number {
  const value = parent[key];
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    throw new SummaryFormatError(`${path}.${key}`, "not a non-negative number");
  return value;
}

function text(parent: Json, key: string, path: string): string {
  const value = parent[key];
  if (typeof value !== "string") throw new SummaryFormatError(`${path}.${key}`, "not a string");
  return value;
}

function counts(value: unknown, path: string): Record<string, number> {
  const o = object(value, path);
  const out: Record<string, number> = {};
  for (const key of Object.keys(o)) out[key] = count(o, key, path);
  return out;
}

function service(value: unknown, path: string): ServiceShare {
  const o = object(value, path);
  return {
    revNatId: count(o, "revNatId", path),
    frontend: text(o, "frontend", path),
    packets: count(o, "packets", path),
    packetShare: real(o, "packetShare", path),
    flows: count(o, "flows", path),
    flowShare: real(o, "flowShare", path),
  };
}

function backend(value: unknown, path: string): BackendShare {
  const o = object(value, path);
  const id = o.id === null ? null : count(o, "id", path);
  return {
    revNatId: count(o, "revNatId", path),
    frontend: text(o, "frontend", path),
    id,
    address: text(o, "address", path),
    packets: count(o, "packets", path),
    packetShare: real(o, "packetShare", path),
    flows: count(o, "flows", path),
    flowShare: real(o, "flowShare", path),
  };
}

function occupancy(value: unknown, path: string): { entries: number; max: number; capacity: number } {
  const o = object(value, path);
  return {
    entries: count(o, "entries", path),
    max: count(o, "max", path),
    capacity: count(o, "capacity", path),
  };
}

function observed(value: unknown, path: string): ObservedComparison {
  const o = object(value, path);
  const byKindJson = object(o.byKind, `${path}.byKind`);
  const byKind = Object.fromEntries(KINDS.map((k) => [k, count(byKindJson, k, `${path}.byKind`)])) as Record<
    DisagreementKind,
    number
  >;
  const disagreements = array(o.disagreements, `${path}.disagreements`).map((d, i) => {
    const at = `${path}.disagreements[${i}]`;
    const row = object(d, at);
    const kind = text(row, "kind", at) as DisagreementKind;
    if (!KINDS.includes(kind)) throw new SummaryFormatError(`${at}.kind`, `not one of ${KINDS.join(", ")}`);
    return {
      kind,
      observed: text(row, "observed", at),
      emulated: text(row, "emulated", at),
      flows: count(row, "flows", at),
    };
  });
  return {
    compared: count(o, "compared", path),
    agree: count(o, "agree", path),
    disagree: count(o, "disagree", path),
    notComparable: count(o, "notComparable", path),
    byKind,
    disagreements,
  };
}

function shard(value: unknown, path: string): ShardSummary {
  const o = object(value, path);
  return {
    index: count(o, "index", path),
    count: count(o, "count", path),
    run: text(o, "run", path),
    packetsRead: count(o, "packetsRead", path),
    otherShards: count(o, "otherShards", path),
  };
}

/** The summary a `--summary-json` document holds; throws SummaryFormatError naming the first bad field. */
export function parseReplaySummary(json: unknown): ReplaySummary {
  const s = object(json, "summary");
  const p = "summary";
  const format = text(s, "format", p) as CaptureFormat;
  if (!FORMATS.includes(format))
    throw new SummaryFormatError(`${p}.format`, `not one of ${FORMATS.join(", ")}`);
  if (s.interrupted !== undefined && s.interrupted !== true)
    throw new SummaryFormatError(`${p}.interrupted`, "not true");
  const verdicts = object(s.verdicts, `${p}.verdicts`);
  const ct = object(s.ct, `${p}.ct`);
  const gc = object(ct.gc, `${p}.ct.gc`);
  const nat = object(s.nat, `${p}.nat`);
  return {
    format,
    ...(s.interrupted === true ? { interrupted: true as const } : {}),
    packets: count(s, "packets", p),
    skipped: counts(s.skipped, `${p}.skipped`),
    flows: count(s, "flows", p),
    verdicts: {
      forwarded: count(verdicts, "forwarded", `${p}.verdicts`),
      dropped: count(verdicts, "dropped", `${p}.verdicts`),
      observationPoints: counts(verdicts.observationPoints, `${p}.verdicts.observationPoints`),
      ctStates: counts(verdicts.ctStates, `${p}.verdicts.ctStates`),
    },
    drops: array(s.drops, `${p}.drops`).map((d, i) => {
      const at = `${p}.drops[${i}]`;
      const row = object(d, at);
      return {
        code: count(row, "code", at),
        reason: text(row, "reason", at),
        packets: count(row, "packets", at),
      };
    }),
    services: array(s.services, `${p}.services`).map((x, i) => service(x, `${p}.services[${i}]`)),
    backends: array(s.backends, `${p}.backends`).map((x, i) => backend(x, `${p}.backends[${i}]`)),
    ct: {
      tcp: occupancy(ct.tcp, `${p}.ct.tcp`),
      any: occupancy(ct.any, `${p}.ct.any`),
      evictions: count(ct, "evictions", `${p}.ct`),
      gc: { runs: count(gc, "runs", `${p}.ct.gc`), deleted: count(gc, "deleted", `${p}.ct.gc`) },
    },
    nat: {
      ...occupancy(nat, `${p}.nat`),
      evictions: count(nat, "evictions", `${p}.nat`),
      gcDeleted: count(nat, "gcDeleted", `${p}.nat`),
    },
    workers: count(s, "workers", p),
    ...(s.shard !== undefined ? { shard: shard(s.shard, `${p}.shard`) } : {}),
    ...(s.observed !== undefined ? { observed: observed(s.observed, `${p}.observed`) } : {}),
    elapsedSeconds: real(s, "elapsedSeconds", p),
    packetsPerSecond: real(s, "packetsPerSecond", p),
  };
}
