// How the agent lays out a service's backend slots (pkg/loadbalancer/reconciler/bpf_reconciler.go):
// active backends first, then terminating, then quarantined, each group by address then port;
// maintenance backends get no slot. `count` covers the active ones — or, when there are none, the
// terminating ones, so draining connections still find them; `qcount` covers the rest.
import { type BackendMapEntry } from "../engine/state.js";
import { BackendState } from "../model/backend.js";
import { ServiceFlag } from "../model/service-flags.js";

/** A service's backend slots and the counts the master entry stores. */
export interface SlotLayout {
  /** Backend IDs for slots 1..n. */
  backendIds: number[];
  count: number;
  qcount: number;
}

const stateRank = (state: number): number =>
  state === BackendState.ACTIVE ? 0 : state === BackendState.TERMINATING ? 1 : 2;

/**
 * The agent's slot layout of a service's backends: active first, then terminating, then quarantined;
 * maintenance gets no slot.
 */
export function layoutSlots(backends: readonly BackendMapEntry[]): SlotLayout {
  const slotted = backends
    .filter((b) => b.state !== BackendState.MAINTENANCE)
    .sort((a, b) => stateRank(a.state) - stateRank(b.state) || a.address - b.address || a.port - b.port);
  const active = slotted.filter((b) => b.state === BackendState.ACTIVE).length;
  const terminating = slotted.filter((b) => b.state === BackendState.TERMINATING).length;
  const count = active > 0 ? active : terminating;
  return { backendIds: slotted.map((b) => b.id), count, qcount: slotted.length - count };
}

/**
 * The flags the agent writes on a backend slot (bpf_reconciler.go): the master's, without the
 * source-range bits (flags2 0x40 means SOURCE_RANGE_DENY on a master but QUARANTINED on a slot),
 * with QUARANTINED on a quarantined backend's slot. The datapath reads neither; the map holds them.
 */
export function slotFlags(
  master: { readonly flags: number; readonly flags2: number },
  quarantined: boolean,
): { flags: number; flags2: number } {
  const flags2 = master.flags2 & ~(ServiceFlag.QuarantinedOrDeny >> 8) & 0xff;
  return {
    flags: master.flags & ~ServiceFlag.SourceRange & 0xff,
    flags2: quarantined ? flags2 | (ServiceFlag.QuarantinedOrDeny >> 8) : flags2,
  };
}
