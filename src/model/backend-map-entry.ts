// One raw entry of the backends map as `map get cilium_lb4_backends_v3` (or the older _v2 /
// cilium_lb4_backends) and `bpf lb list --backends` print it: `<PROTO>://<addr>[@cluster][:port][[zone]]`.
// The _v3 printer omits the port (its Go String() never had one), older maps print it.
import type { IpFamily } from "./ip.js";
import type { L4Protocol } from "./protocol.js";

export interface BackendMapEntry {
  readonly id: number;
  readonly address: string;
  readonly family: IpFamily;
  readonly protocol: L4Protocol;
  readonly port: number | undefined;
  readonly clusterId: number;
  readonly zone: string | undefined;
}
