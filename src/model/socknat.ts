// One socket-LB reverse-NAT entry (`cilium_lb4_reverse_sk` / `cilium_lb6_reverse_sk`): lets a socket
// that connected to a service frontend see replies as coming from that frontend.
import type { IpFamily, L4Address } from "./ip-prefix.js";

/** One socket rev-NAT entry (cilium_lb4_reverse_sk). */
export interface SocknatEntry {
  /** Kernel socket cookie (u64; JSON.stringify writes it as a decimal string, see u64-json.ts). */
  readonly cookie: bigint;
  readonly family: IpFamily;
  /** The backend the socket was connected to; port decoded to host order. */
  readonly backend: L4Address;
  /** The service frontend the application asked for; port decoded to host order. */
  readonly frontend: L4Address;
  /** Service rev-NAT ID, decoded to host order (the dump prints it byte-swapped). */
  readonly revNatId: number;
}
