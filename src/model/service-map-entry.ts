// One raw entry of cilium_lb4_services_v2 (key: frontend + slot; value: lb4_service), as
// `map get cilium_lb4_services_v2` and `bpf lb list --frontends` print it.
import type { IpFamily } from "./ip.js";
import type { Frontend } from "./service.js";

export interface ServiceMapEntry {
  readonly frontend: Frontend;
  readonly family: IpFamily;
  readonly slot: number;
  /**
   * The value's first word as printed: the backend ID on slots >= 1; on the master the affinity
   * timeout (low 24 bits) with the LB algorithm in the top byte, or for L7 LB services the proxy
   * port (Cilium prints it already decoded).
   */
  readonly value: number;
  readonly count: number;
  /** Undefined for releases that did not print `[qcount]`. */
  readonly qcount: number | undefined;
  readonly revNatId: number;
  readonly flags: number;
  readonly flags2: number;
}
