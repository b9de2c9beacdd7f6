// The LB maps as raw entries, from the assembled model: what the dumps say the maps hold.
import type { Backend } from "../model/backend.js";
import type { BackendMapEntry } from "../model/backend-map-entry.js";
import type { Service } from "../model/service.js";
import type { ServiceMapEntry } from "../model/service-map-entry.js";
import { slotFlags } from "../control/slot-layout.js";

const ALGORITHM_BYTE = { default: 0, random: 1, maglev: 2 } as const;

/**
 * cilium_lb4_services_v2: a master entry per frontend, then one entry per backend slot. Slots carry
 * the flags the agent writes on them (slotFlags); `quarantined` says which backend IDs are.
 */
export function servicesMapEntries(
  services: readonly Service[],
  quarantined: (backendId: number) => boolean = () => false,
): ServiceMapEntry[] {
  return services.flatMap((s) => {
    const union =
      s.l7ProxyPort !== 0 ? s.l7ProxyPort : ((ALGORITHM_BYTE[s.lbAlgorithm] << 24) >>> 0) + s.affinityTimeout;
    const master: ServiceMapEntry = {
      frontend: s.frontend,
      family: s.family,
      slot: 0,
      value: union,
      count: s.count,
      qcount: s.qcount,
      revNatId: s.revNatId,
      flags: s.flags,
      flags2: s.flags2,
    };
    // Slot entries repeat the master's rev-NAT ID and flags (lab dump: `(1) 10 0[0] (10) [0x42 0x0]`).
    const slots = s.backendSlots.map<ServiceMapEntry>((id, index) => ({
      ...master,
      slot: index + 1,
      value: id,
      count: 0,
      qcount: 0,
      ...slotFlags(master, quarantined(id)),
    }));
    return [master, ...slots];
  });
}

/** cilium_lb4_backends_v3 (no port in its printed form) or the older _v2 layout (with port). */
export function backendsMapEntries(backends: readonly Backend[], withPort: boolean): BackendMapEntry[] {
  return backends.map((b) => ({
    id: b.id,
    address: b.address,
    family: b.family,
    protocol: b.protocol,
    port: withPort ? b.port : undefined,
    clusterId: b.clusterId,
    zone: b.zone,
  }));
}
