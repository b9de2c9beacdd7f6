// One cilium_lb4_reverse_nat entry: replies of a connection with this rev-NAT ID get their source
// rewritten to the frontend address:port the client used.
import type { IpFamily } from "./ip.js";

/** One reverse-NAT entry: rev-NAT ID → the frontend a client used. */
export interface RevNatEntry {
  readonly id: number;
  readonly address: string;
  readonly port: number;
  readonly family: IpFamily;
}
