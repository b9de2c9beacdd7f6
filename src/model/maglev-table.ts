// A Maglev lookup table as dumped by `cilium-dbg bpf lb maglev list`: M backend IDs for one
// service (keyed by its rev-NAT ID).
import type { IpFamily } from "./ip.js";

/** One service's Maglev table as `bpf lb maglev list` prints it: backend IDs by table entry. */
export interface MaglevTable {
  readonly revNatId: number;
  /** Undefined for old releases whose key did not name the family. */
  readonly family: IpFamily | undefined;
  readonly backendIds: readonly number[];
}

/** Cilium's supported Maglev table sizes (maglevSupportedTableSizes), all prime. */
export const MAGLEV_TABLE_SIZES: readonly number[] = [
  251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071,
];

/** Cilium fills the table with this ID first, so it cannot be a backend's ID. */
export const MAGLEV_EMPTY = 0xffffffff;

/** One backend as the Maglev table build takes it. */
export interface MaglevEntry {
  /** The backend's hash string, e.g. "[10.0.0.1:80/TCP,State:active]" (src/lb/backend.ts). */
  hashString: string;
  /** u16 weight. */
  weight: number;
  /** Backend ID written into the table. */
  id: number;
}
