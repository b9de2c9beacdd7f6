// Dumped Maglev tables against the ones Cilium would compute for the same services: a mismatch
// means the snapshot's backends, weights, table size or seed are not what the agent used (or the
// dumps were taken at different times), so replays of it would pick other backends than the node.
//
// What the agent does (pkg/loadbalancer/reconciler bpf_reconciler.go, useMaglev/updateMaglev): one
// table per frontend, keyed by its rev-NAT ID, built from the backends in slots 1..count (the
// active ones, or the terminating ones when none is active) with their weights; the service's own
// algorithm annotation overrides the agent-wide `bpf-lb-algorithm`.
import type { AgentConfig } from "../model/agent-config.js";
import type { Backend } from "../model/backend.js";
import type { Service } from "../model/service.js";
import type { MaglevTable } from "../model/maglev-table.js";
import { DEFAULT_MAGLEV_SEED } from "../model/cluster-seed.js";
import { InvalidInputError } from "../model/errors.js";
import { buildMaglevTableSync } from "../lb/maglev.js";
import type { MaglevBackend } from "../lb/backend.js";
import { MAGLEV_TABLE_SIZES } from "../model/maglev-table.js";
import { frontendText } from "../model/service.js";
import type { SnapshotWarning } from "./errors.js";
import type { Located } from "./node-dumps.js";

/** Per table, how many mismatching entries are reported one by one before they are summed up. */
export const MISMATCHES_LISTED = 10;

export interface MaglevComparison {
  /** Tables compared entry by entry. */
  readonly compared: number;
  /** Tables whose every entry matched. */
  readonly identical: number;
}

function usesMaglev(service: Service, config: AgentConfig): boolean {
  if (service.lbAlgorithm !== "default") return service.lbAlgorithm === "maglev";
  return config.backendSelection === "Maglev";
}

function describe(service: Service): string {
  return `${frontendText(service.frontend)} (rev-NAT ID ${service.revNatId})`;
}

function backendName(id: number, backends: ReadonlyMap<number, Backend>): string {
  const b = backends.get(id);
  return b === undefined ? `backend ${id}` : `backend ${id} (${b.address}:${b.port})`;
}

/**
 * Compares every dumped table of a Maglev service with the computed one, reporting each
 * mismatching entry (the first MISMATCHES_LISTED per table one by one, then their total).
 */
export function compareMaglevTables(
  dumped: readonly Located<readonly MaglevTable[]>[],
  services: readonly Service[],
  backendList: readonly Backend[],
  config: AgentConfig,
  warn: (warning: SnapshotWarning) => void,
): MaglevComparison {
  const comparing: Comparing = {
    backends: new Map(backendList.map((b) => [b.id, b])),
    config,
    seed: config.maglevHashSeed ?? DEFAULT_MAGLEV_SEED,
    seedNote:
      config.maglevHashSeed === undefined
        ? `; the snapshot does not show bpf-lb-maglev-hash-seed, so Cilium's default ${DEFAULT_MAGLEV_SEED} was assumed`
        : "",
    built: new Map(),
  };
  let compared = 0;
  let identical = 0;
  let notMaglev = 0;
  for (const { value: tables, where } of dumped) {
    const at = (message: string) => warn({ file: where.file, line: where.line, message });
    for (const table of tables) {
      const family = table.family ?? 4;
      const service = services.find((s) => s.revNatId === table.revNatId && s.family === family);
      if (service === undefined) continue; // reported by the dump consistency check
      if (!usesMaglev(service, config)) {
        notMaglev++;
        continue;
      }
      const outcome = compareTable(comparing, service, table, at);
      if (outcome !== "not compared") compared++;
      if (outcome === "identical") identical++;
    }
  }
  if (notMaglev > 0) {
    const first = dumped[0]?.where;
    warn({
      file: first?.file ?? "",
      line: first?.line ?? 0,
      message: `${notMaglev} dumped Maglev tables not compared: their services do not use Maglev as far as the snapshot shows (backend selection ${config.backendSelection ?? "unknown: add status --verbose or the agent config"})`,
    });
  }
  return { compared, identical };
}

/** What comparing a snapshot's tables needs, and the tables built so far. */
interface Comparing {
  readonly backends: ReadonlyMap<number, Backend>;
  readonly config: AgentConfig;
  readonly seed: string;
  /** Appended to a mismatch report when the seed was assumed. */
  readonly seedNote: string;
  /** Frontends sharing a backend set share a table: each set is built once. */
  readonly built: Map<string, Uint32Array>;
}

/** One dumped table of a Maglev service against the computed one. */
function compareTable(
  comparing: Comparing,
  service: Service,
  table: MaglevTable,
  at: (message: string) => void,
): "not compared" | "identical" | "different" {
  const members = comparableMembers(comparing, service, table, at);
  if (members === undefined) return "not compared";
  const m = table.backendIds.length;
  const key = `${m} ${members.map((b) => `${b.id}/${b.weight}`).join(",")}`;
  let computed = comparing.built.get(key);
  if (computed === undefined) {
    try {
      computed = buildMaglevTableSync(members, { tableSize: m, seed: comparing.seed });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      at(`Maglev table of ${describe(service)} not compared: ${error.message}`);
      return "not compared";
    }
    comparing.built.set(key, computed);
  }
  const mismatches = reportMismatches(comparing.backends, service, table, computed, at);
  if (mismatches === 0) return "identical";
  at(
    `Maglev table of ${describe(service)}: ${mismatches} of ${m} entries differ from the table computed for backends ${members.map((b) => b.id).join(", ")}${mismatches > MISMATCHES_LISTED ? ` (first ${MISMATCHES_LISTED} listed)` : ""}${comparing.seedNote}`,
  );
  return "different";
}

/**
 * The backends the agent builds the service's table from (those in slots 1..count), or undefined,
 * with the reason reported, when the table cannot be compared.
 */
function comparableMembers(
  { backends, config }: Comparing,
  service: Service,
  table: MaglevTable,
  at: (message: string) => void,
): MaglevBackend[] | undefined {
  const m = table.backendIds.length;
  if (!MAGLEV_TABLE_SIZES.includes(m)) {
    at(
      `Maglev table of ${describe(service)} not compared: ${m} entries is not a Cilium table size (${MAGLEV_TABLE_SIZES.join(", ")}); is the dump cut short?`,
    );
    return undefined;
  }
  if (config.maglevTableSize !== undefined && config.maglevTableSize !== m) {
    at(
      `Maglev table of ${describe(service)} has ${m} entries but the agent config says table size ${config.maglevTableSize}; compared at ${m}`,
    );
  }
  const active = service.backendSlots.slice(0, service.count);
  const unknown = active.filter((id) => !backends.has(id));
  if (active.length === 0 || unknown.length > 0) {
    at(
      active.length === 0
        ? `Maglev table of ${describe(service)} not compared: the service has no active backend, so the agent keeps no table for it`
        : `Maglev table of ${describe(service)} not compared: backends ${unknown.join(", ")} of its slots are not described by any dump`,
    );
    return undefined;
  }
  return active.map((id) => {
    const b = backends.get(id) as Backend;
    return {
      address: b.address,
      port: b.port,
      protocol: b.protocol,
      weight: b.weight,
      id: b.id,
      clusterId: b.clusterId,
    };
  });
}

/** Reports the first MISMATCHES_LISTED entries that differ; returns how many differ in all. */
function reportMismatches(
  backends: ReadonlyMap<number, Backend>,
  service: Service,
  table: MaglevTable,
  computed: Uint32Array,
  at: (message: string) => void,
): number {
  let mismatches = 0;
  table.backendIds.forEach((id, index) => {
    const expected = computed[index] as number;
    if (id === expected) return;
    mismatches++;
    if (mismatches <= MISMATCHES_LISTED) {
      at(
        `Maglev table of ${describe(service)}, entry ${index}: dumped ${backendName(id, backends)}, computed ${backendName(expected, backends)}`,
      );
    }
  });
  return mismatches;
}
