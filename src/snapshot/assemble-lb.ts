// Merges one node's load-balancing dumps into services, backends and reverse NAT. Dumps overlap
// and each shows part of the truth: the services map has IDs and counts but no addresses,
// `bpf lb list` has addresses per slot, `service list` has states and service IDs. The most
// exact source wins per field; disagreements and dangling references become warnings.
import type { Backend, BackendStateName } from "../model/backend.js";
import type { IpFamily } from "../model/ip.js";
import type { L4Protocol } from "../model/protocol.js";
import type { RevNatEntry } from "../model/revnat.js";
import type { Frontend, Service, ServiceLbAlgorithm } from "../model/service.js";
import { frontendKey, frontendText } from "../model/service.js";
import {
  flagNames,
  flagsFromNames,
  ServiceFlag,
  serviceTypeBits,
  serviceTypeOf,
  type ServiceType,
} from "../model/service-flags.js";
import type { ServiceListBackend } from "../model/service-list-entry.js";
import type { DumpRecord } from "../model/snapshot.js";
import type { SnapshotWarning } from "./errors.js";
import type { NodeDumps } from "./node-dumps.js";

export interface AssembledLb {
  readonly services: Service[];
  readonly backends: Backend[];
  readonly revNat: RevNatEntry[];
  readonly derivedIds: boolean;
}

interface SlotAddress {
  readonly address: string;
  readonly family: IpFamily;
  readonly port: number;
  readonly protocol: L4Protocol | undefined;
}

interface FrontendAcc {
  readonly frontend: Frontend;
  readonly family: IpFamily;
  readonly where: DumpRecord;
  revNatId?: number;
  listId?: number;
  combinedFlags?: number;
  count?: number;
  qcount?: number;
  union?: number;
  l7ProxyPort?: number;
  type?: ServiceType;
  name?: string;
  namespace?: string;
  extLocal?: boolean;
  intLocal?: boolean;
  readonly slotIds: Map<number, number>;
  readonly slotQuarantined: Set<number>;
  readonly slotAddresses: Map<number, SlotAddress>;
  listBackends?: readonly ServiceListBackend[];
  /** Number of slot entries the services map dump held (to check against count + qcount). */
  mapSlots: number;
  fromMap: boolean;
}

const STATE_RANK: Readonly<Record<BackendStateName, number>> = {
  active: 0,
  terminating: 1,
  quarantined: 2,
  maintenance: 3,
};

const at = (where: DumpRecord) => ({ file: where.file, line: where.line });

function ipCompare(a: string, b: string): number {
  const key = (ip: string) =>
    ip.includes(":")
      ? ip
      : ip
          .split(".")
          .map((o) => o.padStart(3, "0"))
          .join(".");
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

interface BackendAcc {
  id: number;
  address: string;
  family: IpFamily;
  port: number | undefined;
  protocol: L4Protocol;
  clusterId: number;
  zone?: string;
  state?: BackendStateName;
  weight?: number;
  nodeName?: string;
  referenced: boolean;
  where: DumpRecord;
}

type Warn = (w: SnapshotWarning) => void;

/**
 * Merges one node's LB dumps; each numbered phase reads one kind of dump, the most exact source
 * first (as the agent's own view would rank them), then services and backends are put together.
 */
export function assembleLb(dumps: NodeDumps, warn: Warn): AssembledLb {
  const accs = new FrontendAccs();
  readServicesMap(dumps, accs);
  readLbList(dumps, accs, warn);
  readServiceList(dumps, accs, warn);
  const backends = readBackendsMap(dumps);
  const ids = new IdAllocator(accs, backends);
  const hasRealIds = dumps.servicesMap.length > 0 || dumps.backendsMap.length > 0;
  const ordered = accs.ordered();
  const services = ordered.map((acc) => assembleService(acc, backends, ids, warn));
  if (ids.derived && hasRealIds) {
    warn({
      file: ordered[0]?.where.file ?? "",
      line: 0,
      message:
        "some backend or service IDs were not in any dump and were derived; dump `map get cilium_lb4_services_v2` for the real ones",
    });
  }
  const result = completeBackends(backends, services, accs, warn);
  return {
    services,
    backends: result,
    revNat: assembleRevNat(dumps, services, warn),
    derivedIds: ids.derived,
  };
}

/** One accumulator per frontend, in the order the dumps first name them. */
class FrontendAccs {
  private readonly byKey = new Map<string, FrontendAcc>();

  get(frontend: Frontend): FrontendAcc | undefined {
    return this.byKey.get(frontendKey(frontend));
  }

  for(frontend: Frontend, family: IpFamily, where: DumpRecord): FrontendAcc {
    const key = frontendKey(frontend);
    let acc = this.byKey.get(key);
    if (!acc) {
      acc = {
        frontend,
        family,
        where,
        slotIds: new Map(),
        slotQuarantined: new Set(),
        slotAddresses: new Map(),
        mapSlots: 0,
        fromMap: false,
      };
      this.byKey.set(key, acc);
    }
    return acc;
  }

  values(): IterableIterator<FrontendAcc> {
    return this.byKey.values();
  }

  /** By service ID (as dumped), then frontend text: the order services are assembled and listed. */
  ordered(): FrontendAcc[] {
    return [...this.byKey.values()].sort(
      (a, b) =>
        (a.revNatId ?? a.listId ?? 1e6) - (b.revNatId ?? b.listId ?? 1e6) ||
        frontendKey(a.frontend).localeCompare(frontendKey(b.frontend)),
    );
  }
}

// 1. The services map: IDs, counts, flags, backend IDs per slot.
function readServicesMap(dumps: NodeDumps, accs: FrontendAccs): void {
  for (const { value: entries, where } of dumps.servicesMap) {
    for (const e of entries) {
      const acc = accs.for(e.frontend, e.family, where);
      acc.fromMap = true;
      if (e.slot === 0) {
        acc.revNatId = e.revNatId;
        acc.count = e.count;
        acc.qcount = e.qcount;
        acc.combinedFlags = e.flags | (e.flags2 << 8);
        acc.union = e.value;
      } else {
        acc.mapSlots++;
        acc.slotIds.set(e.slot, e.value);
        if ((e.flags | (e.flags2 << 8)) & ServiceFlag.QuarantinedOrDeny) acc.slotQuarantined.add(e.slot);
      }
    }
  }
}

// 2. `bpf lb list`: addresses per slot, flags by name, L7 proxy port.
function readLbList(dumps: NodeDumps, accs: FrontendAccs, warn: Warn): void {
  for (const { value: rows, where } of dumps.lbList) {
    const legacySlot = new Map<string, number>();
    for (const row of rows) {
      const acc = accs.for(row.frontend, row.family, where);
      const v = row.value;
      if (v.kind === "master") {
        acc.revNatId ??= v.revNatId;
        if (acc.combinedFlags === undefined) {
          const combined = flagsFromNames(v.flagNames);
          if (combined === undefined) {
            warn({
              ...at(where),
              message: `${frontendText(row.frontend)}: unknown service flags [${v.flagNames.join(", ")}]`,
            });
          } else acc.combinedFlags = combined;
        }
        if (v.l7ProxyPort !== undefined) acc.l7ProxyPort = v.l7ProxyPort;
        continue;
      }
      const key = frontendKey(row.frontend);
      const slot =
        v.kind === "backend" ? (v.slot ?? row.keySlot ?? (legacySlot.get(key) ?? 0) + 1) : row.keySlot;
      if (v.kind === "backend") legacySlot.set(key, slot ?? 0);
      if (slot === undefined) continue;
      if (v.kind === "missing-backend") {
        if (!acc.slotIds.has(slot)) acc.slotIds.set(slot, v.backendId);
        continue;
      }
      acc.slotAddresses.set(slot, {
        address: v.address,
        family: v.family,
        port: v.port,
        protocol: v.protocol,
      });
      if (v.revNatId !== 0) acc.revNatId ??= v.revNatId;
    }
  }
}

// 3. `service list` (text or JSON): service IDs, types, backend states.
function readServiceList(dumps: NodeDumps, accs: FrontendAccs, warn: Warn): void {
  for (const { value: entries, where } of dumps.serviceList) {
    for (const s of entries) {
      const acc = accs.for(s.frontend, s.family, where);
      acc.listId ??= s.id;
      acc.type ??= s.type;
      acc.listBackends ??= s.backends;
      if (s.name !== undefined) acc.name ??= s.name;
      if (s.namespace !== undefined) acc.namespace ??= s.namespace;
      if (s.extTrafficPolicy) acc.extLocal ??= s.extTrafficPolicy === "Local";
      if (s.intTrafficPolicy) acc.intLocal ??= s.intTrafficPolicy === "Local";
      if (acc.revNatId !== undefined && s.id !== undefined && s.id !== acc.revNatId && acc.fromMap) {
        warn({
          ...at(where),
          message: `${frontendText(s.frontend)}: service list says ID ${s.id}, the services map rev-NAT ID ${acc.revNatId}`,
        });
      }
    }
  }
}

// 4. Backends known by ID from the backends map.
function readBackendsMap(dumps: NodeDumps): Map<number, BackendAcc> {
  const backends = new Map<number, BackendAcc>();
  for (const { value: entries, where } of dumps.backendsMap) {
    for (const e of entries) {
      backends.set(e.id, {
        id: e.id,
        address: e.address,
        family: e.family,
        port: e.port,
        protocol: e.protocol,
        clusterId: e.clusterId,
        ...(e.zone !== undefined ? { zone: e.zone } : {}),
        referenced: false,
        where,
      });
    }
  }
  return backends;
}

/** Backend and service IDs for what no dump numbered: one above the largest seen, as the agent would. */
class IdAllocator {
  /** Whether any ID had to be made up. */
  derived = false;
  private nextBackendId: number;
  private nextServiceId: number;
  private readonly idByAddress = new Map<string, number>();

  constructor(accs: FrontendAccs, backends: ReadonlyMap<number, BackendAcc>) {
    this.nextBackendId = Math.max(0, ...backends.keys()) + 1;
    for (const b of backends.values()) {
      if (b.port !== undefined) this.idByAddress.set(`${b.address}|${b.port}|${b.protocol}`, b.id);
    }
    const usedServiceIds = new Set<number>();
    for (const acc of accs.values()) {
      const id = acc.revNatId ?? acc.listId;
      if (id !== undefined) usedServiceIds.add(id);
    }
    this.nextServiceId = Math.max(0, ...usedServiceIds) + 1;
  }

  /** The ID of the backend at this address (the same address gets the same ID across services). */
  backend(address: SlotAddress, protocol: L4Protocol): number {
    const key = `${address.address}|${address.port}|${protocol}`;
    let id = this.idByAddress.get(key);
    if (id === undefined) {
      id = this.nextBackendId++;
      this.derived = true;
      this.idByAddress.set(key, id);
    }
    return id;
  }

  service(): number {
    this.derived = true;
    return this.nextServiceId++;
  }
}

// 5. Per frontend: slot order, backend IDs (joined or derived), counts, flags.
function assembleService(
  acc: FrontendAcc,
  backends: Map<number, BackendAcc>,
  ids: IdAllocator,
  warn: Warn,
): Service {
  // Slots from the list: the agent's slot order (state, then address, then port); maintenance gets none.
  const listSlots = [...(acc.listBackends ?? [])]
    .filter((b) => b.state !== "maintenance")
    .sort(
      (a, b) =>
        STATE_RANK[a.state] - STATE_RANK[b.state] || ipCompare(a.address, b.address) || a.port - b.port,
    );
  const slots = assembleSlots(acc, listSlots, backends, ids, warn);
  const revNatId = acc.revNatId ?? acc.listId ?? ids.service();
  // Counts: as dumped, else from the backend states the list shows, else every slot active.
  const activeListed = listSlots.filter((b) => b.state === "active").length;
  const count =
    acc.count ??
    (acc.listBackends !== undefined
      ? activeListed > 0
        ? activeListed
        : listSlots.filter((b) => b.state === "terminating").length
      : slots.length);
  const qcount = acc.qcount ?? Math.max(0, slots.length - count);
  if (acc.fromMap && acc.count !== undefined && acc.mapSlots !== count + (acc.qcount ?? 0)) {
    warn({
      ...at(acc.where),
      message: `${frontendText(acc.frontend)}: count ${count} + qcount ${acc.qcount ?? 0} but ${acc.mapSlots} backend slots in the services map`,
    });
  }
  const combined = acc.combinedFlags ?? derivedFlags(acc);
  const l7 = (combined & ServiceFlag.L7LoadBalancer) !== 0;
  const union = acc.union ?? 0;
  const algorithmByte = l7 ? 0 : union >>> 24;
  const lbAlgorithm: ServiceLbAlgorithm =
    algorithmByte === 1 ? "random" : algorithmByte === 2 ? "maglev" : "default";
  // A slot beyond `count` holds a draining backend: quarantined if flagged so, else terminating.
  slots.forEach((id, index) => {
    const backend = backends.get(id);
    if (backend && backend.state === undefined && index >= count) {
      backend.state = acc.slotQuarantined.has(index + 1) ? "quarantined" : "terminating";
    }
  });
  return {
    id: revNatId,
    frontend: acc.frontend,
    family: acc.family,
    type: serviceTypeOf(combined),
    flags: combined & 0xff,
    flags2: (combined >> 8) & 0xff,
    flagNames: flagNames(combined),
    revNatId,
    backendSlots: slots,
    count: Math.min(count, slots.length),
    qcount: Math.min(qcount, Math.max(0, slots.length - Math.min(count, slots.length))),
    lbAlgorithm,
    affinityTimeout: l7 ? 0 : union & 0xffffff,
    l7ProxyPort: acc.l7ProxyPort ?? (l7 ? union : 0),
    ...(acc.name !== undefined ? { name: acc.name } : {}),
    ...(acc.namespace !== undefined ? { namespace: acc.namespace } : {}),
  };
}

/** A frontend's backend IDs in slot order, joining each slot's ID and address across the dumps. */
function assembleSlots(
  acc: FrontendAcc,
  listSlots: readonly ServiceListBackend[],
  backends: Map<number, BackendAcc>,
  ids: IdAllocator,
  warn: Warn,
): number[] {
  const label = frontendText(acc.frontend);
  const slotCount = Math.max(0, ...acc.slotIds.keys(), ...acc.slotAddresses.keys(), listSlots.length);
  const slots: number[] = [];
  for (let slot = 1; slot <= slotCount; slot++) {
    const listed = listSlots[slot - 1];
    const address: SlotAddress | undefined =
      acc.slotAddresses.get(slot) ??
      (listed && {
        address: listed.address,
        family: listed.family,
        port: listed.port,
        protocol: listed.protocol,
      });
    let id = acc.slotIds.get(slot);
    if (id === undefined && address !== undefined)
      id = ids.backend(address, address.protocol ?? acc.frontend.protocol);
    if (id === undefined) {
      warn({ ...at(acc.where), message: `${label}: slot ${slot} has no backend in any dump` });
      continue;
    }
    slots.push(id);
    if (address !== undefined) joinSlotAddress(acc, slot, id, address, backends, warn);
    const backend = backends.get(id);
    if (backend) {
      backend.referenced = true;
      if (listed && listed.address === backend.address && listed.port === backend.port) {
        backend.state ??= listed.state;
        if (listed.weight !== undefined) backend.weight ??= listed.weight;
        if (listed.nodeName !== undefined) backend.nodeName ??= listed.nodeName;
        if (listed.zone !== undefined) backend.zone ??= listed.zone;
      }
    }
  }
  return slots;
}

/** Records a slot's address on its backend, or warns where another dump places that ID elsewhere. */
function joinSlotAddress(
  acc: FrontendAcc,
  slot: number,
  id: number,
  address: SlotAddress,
  backends: Map<number, BackendAcc>,
  warn: Warn,
): void {
  const known = backends.get(id);
  if (known === undefined) {
    backends.set(id, {
      id,
      address: address.address,
      family: address.family,
      port: address.port,
      protocol: address.protocol ?? acc.frontend.protocol,
      clusterId: 0,
      referenced: true,
      where: acc.where,
    });
  } else if (known.address !== address.address || (known.port !== undefined && known.port !== address.port)) {
    warn({
      ...at(acc.where),
      message: `${frontendText(acc.frontend)}: slot ${slot} is backend ${id} at ${address.address}:${address.port}, but another dump has backend ${id} at ${known.address}:${known.port ?? "?"}`,
    });
  } else if (known.port === undefined) {
    known.port = address.port;
  }
}

// 6. Backends: complete ones only (the _v3 map printer omits ports).
function completeBackends(
  backends: ReadonlyMap<number, BackendAcc>,
  services: readonly Service[],
  accs: FrontendAccs,
  warn: Warn,
): Backend[] {
  const result: Backend[] = [];
  for (const b of [...backends.values()].sort((x, y) => x.id - y.id)) {
    if (!b.referenced) {
      warn({ ...at(b.where), message: `backend ${b.id} (${b.address}) belongs to no service` });
    }
    if (b.port === undefined) {
      warn({
        ...at(b.where),
        message: `backend ${b.id} (${b.address}): port unknown (the cilium_lb4_backends_v3 dump does not print it; add \`bpf lb list\` or \`service list\`)`,
      });
      continue;
    }
    result.push({
      id: b.id,
      address: b.address,
      port: b.port,
      protocol: b.protocol,
      family: b.family,
      state: b.state ?? "active",
      weight: b.weight ?? 100,
      clusterId: b.clusterId,
      ...(b.zone !== undefined ? { zone: b.zone } : {}),
      ...(b.nodeName !== undefined ? { nodeName: b.nodeName } : {}),
    });
  }
  const resultIds = new Set(result.map((b) => b.id));
  for (const s of services) {
    s.backendSlots.forEach((id, index) => {
      if (!resultIds.has(id) && !backends.has(id)) {
        warn({
          ...at(accs.get(s.frontend)?.where ?? { kind: "", file: "", line: 0, node: undefined }),
          message: `${frontendText(s.frontend)}: slot ${index + 1} points at backend ${id}, which no dump describes`,
        });
      }
    });
  }
  return result;
}

/** The flags the agent would have written, for services only `service list` describes. */
function derivedFlags(acc: FrontendAcc): number {
  const type = acc.type ?? "ClusterIP";
  let combined = serviceTypeBits(type);
  const unspecified = acc.frontend.address === "0.0.0.0" || acc.frontend.address === "::";
  if (type !== "ClusterIP" && !unspecified) combined |= ServiceFlag.Routable;
  if (acc.extLocal) combined |= ServiceFlag.ExtLocalScope;
  if (acc.intLocal) combined |= ServiceFlag.IntLocalScope;
  if (
    acc.extLocal !== undefined &&
    acc.intLocal !== undefined &&
    acc.extLocal !== acc.intLocal &&
    type !== "ClusterIP"
  ) {
    combined |= ServiceFlag.TwoScopes;
  }
  return combined;
}

/** The reverse-NAT map as dumped, else as the agent writes it (one entry per frontend's rev-NAT ID). */
function assembleRevNat(dumps: NodeDumps, services: readonly Service[], warn: Warn): RevNatEntry[] {
  const byId = new Map<number, RevNatEntry>();
  for (const { value } of dumps.revNatMap) for (const e of value) byId.set(e.id, e);
  const dumped = dumps.revNatMap.length > 0;
  for (const s of services) {
    if (s.revNatId === 0) continue;
    const existing = byId.get(s.revNatId);
    if (existing === undefined) {
      if (dumped) {
        const where = dumps.revNatMap[0]?.where;
        warn({
          file: where?.file ?? "",
          line: where?.line ?? 0,
          message: `rev-NAT ID ${s.revNatId} of ${frontendText(s.frontend)} is missing from the reverse-NAT map`,
        });
      }
      byId.set(s.revNatId, {
        id: s.revNatId,
        address: s.frontend.address,
        port: s.frontend.port,
        family: s.family,
      });
    } else if (dumped && (existing.address !== s.frontend.address || existing.port !== s.frontend.port)) {
      const where = dumps.revNatMap[0]?.where;
      warn({
        file: where?.file ?? "",
        line: where?.line ?? 0,
        message: `rev-NAT ID ${s.revNatId} maps to ${existing.address}:${existing.port}, but the service with that ID is ${frontendText(s.frontend)}`,
      });
    }
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
