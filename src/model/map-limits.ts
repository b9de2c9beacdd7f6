// The sizes Cilium accepts for the maps dpemu sizes from a node's configuration. The agent refuses
// to start outside these bounds (pkg/option/config.go: LimitTableMin = 1Ki, LimitTableMax = 16Mi
// entries, checked for bpf-ct-global-tcp-max, bpf-ct-global-any-max and bpf-nat-global-max; the
// LB maps only need a positive size). A snapshot showing another value is damaged; the datapath
// would loop looking for a free slot in a map of size 0, or fail to allocate a huge one.

/** Cilium's `LimitTableMin`: the smallest CT or NAT map. */
export const LIMIT_TABLE_MIN = 1 << 10;
/** Cilium's `LimitTableMax`: the largest CT or NAT map (also dpemu's cap for the affinity map). */
export const LIMIT_TABLE_MAX = 1 << 24;

/** Size bounds of each configurable map, by its `MapSizes` field. */
export const MAP_SIZE_BOUNDS = {
  ctTcp: { min: LIMIT_TABLE_MIN, max: LIMIT_TABLE_MAX },
  ctAny: { min: LIMIT_TABLE_MIN, max: LIMIT_TABLE_MAX },
  nat: { min: LIMIT_TABLE_MIN, max: LIMIT_TABLE_MAX },
  lbAffinity: { min: 1, max: LIMIT_TABLE_MAX },
} as const;

/** A map whose size comes from the node's configuration. */
export type SizedMap = keyof typeof MAP_SIZE_BOUNDS;

/** Whether Cilium would accept `size` for the map `field`. */
export function isValidMapSize(field: SizedMap, size: number): boolean {
  const { min, max } = MAP_SIZE_BOUNDS[field];
  return Number.isSafeInteger(size) && size >= min && size <= max;
}

/** What a message expects of a size of map `field`. */
export function expectedMapSize(field: SizedMap): string {
  const { min, max } = MAP_SIZE_BOUNDS[field];
  return `a map size between ${min} and ${max} entries (Cilium's bounds)`;
}
