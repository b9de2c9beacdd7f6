// What the agent writes into the BPF maps when a frontend's backends change, as Cilium's BPF
// reconciler does (pkg/loadbalancer/reconciler/bpf_reconciler.go, BPFOps.Update / updateMaglev):
// the backend slots in every scope, the masters' counts, the stale slots deleted, and the Maglev
// table of the active backends.
import type { DatapathEngine } from "../engine/engine.js";
import type { BackendMapEntry, ServiceMapEntry } from "../engine/state.js";
import type { MaglevBackend } from "../lb/backend.js";
import type { MaglevTableOptions } from "../lb/maglev.js";
import { BackendState } from "../model/backend.js";
import { formatIPv4 } from "../model/ipv4.js";
import { protocolName } from "../model/protocol.js";
import { layoutSlots, slotFlags } from "./slot-layout.js";

/** One frontend as last written to the services map: its masters (one per scope) and slots. */
export interface FrontendSlots {
  masters: ServiceMapEntry[];
  /** Backend IDs of slots 1..n, in slot order (active first). */
  backendIds: number[];
}

/** Builds a Maglev table of backend IDs: the Wasm build, or the plain-TypeScript one. */
export type MaglevBuilder = (
  backends: readonly MaglevBackend[],
  options: MaglevTableOptions,
) => Uint32Array | Promise<Uint32Array>;

/**
 * Lays out `ids` (the frontend's backends, in any order) as the agent does and writes the slots of
 * every scope, deleting slots past the new end; the masters get the new count and qcount.
 */
export function writeSlots(
  engine: DatapathEngine,
  frontend: FrontendSlots,
  ids: readonly number[],
  backends: ReadonlyMap<number, BackendMapEntry>,
): void {
  const layout = layoutSlots(ids.map((id) => backends.get(id)!));
  const oldTotal = frontend.backendIds.length;
  for (const master of frontend.masters) {
    const { l7ProxyPort: _proxyPort, ...key } = master;
    layout.backendIds.forEach((id, i) => {
      engine.upsertService({
        ...key,
        slot: i + 1,
        backendId: id,
        count: 0,
        qcount: 0,
        ...slotFlags(master, backends.get(id)!.state === BackendState.QUARANTINED),
        affinityTimeoutSec: 0,
        algorithm: 0,
      });
    });
    for (let slot = layout.backendIds.length + 1; slot <= oldTotal; slot++) {
      const { address, port, proto, scope } = master;
      engine.deleteService({ address, port, proto, scope, slot });
    }
    master.count = layout.count;
    master.qcount = layout.qcount;
    engine.upsertService(master);
  }
  frontend.backendIds = layout.backendIds;
}

/**
 * Writes the frontend's Maglev table, built from the backends of slots 1..count with their
 * weights; with no active backend (or one the agent does not know) the table is removed.
 */
export async function updateMaglev(
  engine: DatapathEngine,
  frontend: FrontendSlots,
  backends: ReadonlyMap<number, BackendMapEntry>,
  options: MaglevTableOptions,
  build: MaglevBuilder,
): Promise<void> {
  const master = frontend.masters.find((m) => m.scope === 0) ?? frontend.masters[0];
  if (!master) return;
  const active = frontend.backendIds.slice(0, master.count).map((id) => backends.get(id));
  if (master.count === 0 || active.some((b) => b === undefined)) {
    engine.setMaglevTable(master.revNatId, null);
    return;
  }
  const members: MaglevBackend[] = (active as BackendMapEntry[]).map((b) => ({
    address: formatIPv4(b.address),
    port: b.port,
    protocol: protocolName(b.proto) ?? "ANY",
    weight: b.weight,
    id: b.id,
  }));
  engine.setMaglevTable(master.revNatId, await build(members, options));
}
