// A loaded snapshot: what the dumps say about each node's datapath, plus everything the loader
// noticed on the way (warnings a user can act on).
import type { AgentConfig } from "./agent-config.js";
import type { Backend } from "./backend.js";
import type { CtEntry } from "./ct.js";
import type { EndpointEntry } from "./endpoint.js";
import type { IdentityEntry } from "./ip-list.js";
import type { IpcacheEntry } from "./ipcache.js";
import type { IpmasqEntry } from "./ipmasq.js";
import type { MaglevTable } from "./maglev-table.js";
import type { MapListEntry } from "./map-list.js";
import type { NatEntry } from "./nat.js";
import type { RevNatEntry } from "./revnat.js";
import type { Service } from "./service.js";
import type { SocknatEntry } from "./socknat.js";
import type { SnapshotWarning } from "./errors.js";

/** One recognised dump: where it came from and which format read it. */
export interface DumpRecord {
  readonly kind: string;
  readonly file: string;
  readonly line: number;
  /** The node the dump was taken on, when the file name, archive path or content says so. */
  readonly node: string | undefined;
}

/**
 * A node's state tables. Several dumps of one map on a node are merged by the map's key (the later
 * dump wins where they disagree, with a warning). IPv6 entries are kept but not emulated.
 */
export interface StateTables {
  readonly ipcache: readonly IpcacheEntry[];
  /** `ip list`: the agent's userspace ipcache with identity labels. */
  readonly identities: readonly IdentityEntry[];
  readonly ct: readonly CtEntry[];
  readonly nat: readonly NatEntry[];
  /** ip-masq-agent non-masquerade CIDRs. */
  readonly ipmasq: readonly IpmasqEntry[];
  /** Socket-LB reverse NAT (`cilium_lb4_reverse_sk`). */
  readonly socknat: readonly SocknatEntry[];
  readonly endpoints: readonly EndpointEntry[];
  /** `map list` (with `--verbose` rows when dumped). */
  readonly mapList: readonly MapListEntry[];
}

/** The datapath state of one node, as far as the dumps describe it. */
export interface NodeView extends StateTables {
  readonly name: string;
  /** Services (frontends) sorted by rev-NAT ID then frontend; IPv6 ones are kept but not emulated. */
  readonly services: readonly Service[];
  readonly backends: readonly Backend[];
  readonly revNat: readonly RevNatEntry[];
  /** Maglev tables as dumped by `bpf lb maglev list` (to compare with computed ones). */
  readonly maglevTables: readonly MaglevTable[];
  /** How the dumped tables of Maglev services compared with the computed ones (mismatches are warnings). */
  readonly maglevComparison: { readonly compared: number; readonly identical: number };
  readonly config: AgentConfig;
  /** Backend (and service) IDs were derived because no dump showed the real ones. */
  readonly derivedIds: boolean;
  /** Node addresses seen in the dumps (node-IP NodePort frontends, KPR devices, host ipcache entries). */
  readonly hostAddresses: readonly string[];
  readonly dumps: readonly DumpRecord[];
  /** Dumps taken on another node that fill kinds this node has no dump of. */
  readonly borrowed: readonly DumpRecord[];
}

/** Everything read from a snapshot: the parsed dumps, one view per node, and the warnings. */
export interface Snapshot {
  /** What the user passed (path, or a label for in-memory files). */
  readonly source: string;
  readonly nodes: readonly NodeView[];
  /** The view the datapath takes (`--node`, or the node the dumps came from). */
  readonly selected: NodeView;
  readonly warnings: readonly SnapshotWarning[];
  /**
   * Kubernetes node name -> the node's name here (a sysdump's agent pod), where the snapshot's pod
   * list (`k8s-pods-<ts>.txt` / `po-<ts>.txt`, `kubectl get pods -o wide`) says where each agent ran.
   */
  readonly kubernetesNodes?: Readonly<Record<string, string>>;
}
