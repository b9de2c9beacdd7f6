// `cilium-dbg map list` (one row per open map) and `map list --verbose` (every map's cached entries).

/** The agent's userspace-cache bookkeeping for one map entry (`map get` State / Error columns). */
export interface MapCacheStatus {
  /** `sync`, `to-be-inserted`, `to-be-deleted`, `unknown`; empty when the agent dumped the map directly. */
  readonly state: string;
  /** Last error syncing the entry to the BPF map; empty when none. */
  readonly error: string;
}

/** One `Key  Value  State  Error` row, key and value as the agent's Go String() forms. */
export interface MapCacheRow extends MapCacheStatus {
  readonly key: string;
  readonly value: string;
}

/** One map of `map list`: its name, entry count and cache state. */
export interface MapListEntry {
  /** Pinned map name, e.g. `cilium_ipcache_v2`, `cilium_policy_v2_01769`. */
  readonly name: string;
  /** Number of cached entries; null when the agent printed `unknown` (cache disabled, newer agents). */
  readonly entries: number | null;
  /** Entries whose last sync failed. */
  readonly errors: number;
  readonly cacheEnabled: boolean;
  /** `map list --verbose` only: the cached rows (empty for `Cache is empty` / `Cache is disabled`). */
  readonly rows?: readonly MapCacheRow[];
}
