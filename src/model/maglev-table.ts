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
