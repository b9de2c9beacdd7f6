// One service as `cilium-dbg service list` shows it (text or `-o json`): the frontend with its
// ID and type, and its backends in slot order with their states.
import type { BackendStateName } from "./backend.js";
import type { IpFamily } from "./ip.js";
import type { L4Protocol } from "./protocol.js";
import type { Frontend, ServiceType } from "./service.js";

export interface ServiceListBackend {
  readonly address: string;
  readonly family: IpFamily;
  readonly port: number;
  readonly protocol: L4Protocol;
  readonly state: BackendStateName;
  /** ClusterMesh affinity marker (`--clustermesh-affinity`, or `preferred` in JSON). */
  readonly preferred: boolean;
  readonly weight?: number;
  readonly nodeName?: string;
  readonly zone?: string;
}

export interface ServiceListEntry {
  /** Undefined for the releases whose table had no ID column. */
  readonly id: number | undefined;
  readonly frontend: Frontend;
  readonly family: IpFamily;
  readonly type: ServiceType;
  /** A ClusterMesh service from another cluster (` (Remote)` after the type). */
  readonly remote: boolean;
  readonly backends: readonly ServiceListBackend[];
  readonly name?: string;
  readonly namespace?: string;
  readonly extTrafficPolicy?: "Cluster" | "Local";
  readonly intTrafficPolicy?: "Cluster" | "Local";
}
