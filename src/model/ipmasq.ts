// One ip-masq-agent non-masquerade CIDR (`cilium_ipmasq_v4`, LPM trie): traffic from pods to these
// destinations keeps its source address.
import type { IpPrefix } from "./ip-prefix.js";

/** One non-masquerade CIDR of the ip-masq-agent map. */
export interface IpmasqEntry {
  readonly prefix: IpPrefix;
}
