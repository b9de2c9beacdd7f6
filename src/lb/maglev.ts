// Public Maglev table build: validated backends in, Cilium's table of backend IDs out.
import { maglevBuild } from "../model/maglev-build.js";
import { MAGLEV_TABLE_SIZES } from "../model/maglev-table.js";
import { toEntries, type MaglevBackend } from "./backend.js";
import { InvalidInputError } from "../model/errors.js";
import { MaglevWasm, encodeBackends, type MaglevTableHandle } from "../wasm/maglev.js";
import { parseClusterSeed, type ClusterSeed } from "../model/cluster-seed.js";

/** Cilium's default table size (pkg/maglev DefaultTableSize). */
export const DEFAULT_MAGLEV_TABLE_SIZE = 16381;

/** The table size and cluster seed of a Maglev build. */
export interface MaglevTableOptions {
  /** M: one of Cilium's supported primes (MAGLEV_TABLE_SIZES); default 16381. */
  tableSize?: number;
  /** Cluster seed as base64 text (default Cilium's) or already parsed. */
  seed?: string | ClusterSeed;
}

/** Throws an InvalidInputError unless `m` is a table size Cilium accepts. */
export function checkTableSize(m: unknown): number {
  if (typeof m !== "number" || !MAGLEV_TABLE_SIZES.includes(m)) {
    throw new InvalidInputError(
      `Maglev table size ${String(m)} is not supported (expected one of ${MAGLEV_TABLE_SIZES.join(", ")})`,
    );
  }
  return m;
}

export function resolveSeed(seed: string | ClusterSeed | undefined): ClusterSeed {
  return typeof seed === "object" ? seed : parseClusterSeed(seed);
}

let shared: Promise<SharedBuilder> | undefined;

interface SharedBuilder {
  maglev: MaglevWasm;
  tables: Map<number, MaglevTableHandle>;
}

async function sharedBuilder(): Promise<SharedBuilder> {
  shared ??= MaglevWasm.load().then((maglev) => ({ maglev, tables: new Map() }));
  try {
    return await shared;
  } catch (err) {
    shared = undefined; // let a later call retry (e.g. after `npm run build:wasm`)
    throw err;
  }
}

/**
 * Builds Cilium's Maglev lookup table in WebAssembly: M backend IDs, identical entry by entry to
 * what the Cilium agent writes for the same backends, weights, table size and seed. Async only
 * because browsers cannot compile Wasm synchronously; the module is compiled once and cached.
 */
export async function buildMaglevTable(
  backends: readonly MaglevBackend[],
  options: MaglevTableOptions = {},
): Promise<Uint32Array> {
  const m = checkTableSize(options.tableSize ?? DEFAULT_MAGLEV_TABLE_SIZE);
  const seed = resolveSeed(options.seed);
  const entries = toEntries(backends);
  const { maglev, tables } = await sharedBuilder();
  let table = tables.get(m);
  if (!table) {
    table = maglev.allocTable(m);
    tables.set(m, table);
  }
  maglev.build(encodeBackends(entries), seed.murmur, table);
  return maglev.readTable(table);
}

/** The same table computed synchronously in plain TypeScript (src/model/maglev-build.ts; slower). */
export function buildMaglevTableSync(
  backends: readonly MaglevBackend[],
  options: MaglevTableOptions = {},
): Uint32Array {
  const m = checkTableSize(options.tableSize ?? DEFAULT_MAGLEV_TABLE_SIZE);
  const seed = resolveSeed(options.seed);
  return maglevBuild(toEntries(backends), m, seed.murmur);
}
