// A service backend: one entry of cilium_lb4_backends_v3, with what the REST model adds.
import { joinHostPort, type IpFamily } from "./ip.js";
import type { L4Protocol } from "./protocol.js";

export type BackendState = "active" | "terminating" | "quarantined" | "maintenance";

export const BACKEND_STATES: readonly BackendState[] = [
  "active",
  "terminating",
  "quarantined",
  "maintenance",
];

/** lb4_backend.flags values. */
export function backendStateFlag(state: BackendState): number {
  return BACKEND_STATES.indexOf(state);
}

export interface Backend {
  readonly id: number;
  readonly address: string;
  readonly port: number;
  readonly protocol: L4Protocol;
  readonly family: IpFamily;
  readonly state: BackendState;
  /** Maglev weight (Cilium default 100). */
  readonly weight: number;
  /** ClusterMesh cluster of the backend (0 = local). */
  readonly clusterId: number;
  readonly zone?: string;
  readonly nodeName?: string;
}

/** `ip:port/PROTO`, as `service list` prints a backend. */
export function backendText(backend: Pick<Backend, "address" | "port" | "protocol">): string {
  return `${joinHostPort(backend.address, backend.port)}/${backend.protocol}`;
}
