// The inverse of the snapshot loader (from-snapshot.ts): map-level entries read back from an
// emulated node, turned into the dump models, so `dpemu maps dump` prints the emulated maps with
// the snapshot's own printers. Times go back onto the dump's clocks (DumpClock); fields the
// emulator does not keep (CT packet/byte counters, ifindex, NatPort, ClusterMesh cluster and zone)
// print as zero. The value layouts follow the release the snapshot's dumps came from (DumpStyle).
import type { BackendMapEntry as BackendDumpEntry } from "../model/backend-map-entry.js";
import type { CtEntry, CtValueLayout } from "../model/ct.js";
import { ipcacheFlagsFromBits, type IpcacheEntry } from "../model/ipcache.js";
import type { IpmasqEntry } from "../model/ipmasq.js";
import { formatIPv4, type Cidr } from "../model/ipv4.js";
import type { MaglevTable } from "../model/maglev-table.js";
import type { NatEntry, NatValueLayout } from "../model/nat.js";
import { protocolName, type L4Protocol } from "../model/protocol.js";
import type { RevNatEntry } from "../model/revnat.js";
import type { ServiceMapEntry as ServiceDumpEntry } from "../model/service-map-entry.js";
import type { NodeView } from "../model/snapshot.js";
import { ctFlagNames } from "../snapshot/formats/bpf-ct-list.js";
import type { MapDumpContent } from "../snapshot/map-content.js";
import type { Datapath } from "../datapath/datapath.js";
import { serviceUnionWord } from "../engine/engine.js";
import { ctBootTime, type DumpClock } from "../load/from-snapshot.js";
import type { BackendRecord, MaglevMapEntry } from "../engine/map-records.js";
import {
  TupleFlag,
  type CtMapEntry,
  type IpcacheMapEntry,
  type NatMapEntry,
  type RevNatMapEntry,
  type ServiceMapEntry,
} from "../engine/state.js";
import { withU64Json } from "../model/u64-json.js";

/** How the snapshot's agent printed the values whose form changed over releases. */
export interface DumpStyle {
  ctLayout: CtValueLayout;
  /** `bpf ct list global --time-diff`: `(remaining: N sec(s))` after expires. */
  ctTimeDiff: boolean;
  /** Pre-1.15 agents printed SVC entries as `OUT <frontend> -> <client> service`. */
  ctLegacyServiceKey: boolean;
  natLayout: NatValueLayout;
  /** Older agents printed ipcache values without `flags=`. */
  ipcacheFlagsPrinted: boolean;
  /** Releases up to 1.11 keyed Maglev tables without the `/v4` family. */
  maglevFamily: boolean;
}

/** The forms of the current releases: what a snapshot without such dumps gets. */
export const CURRENT_DUMP_STYLE: Readonly<DumpStyle> = {
  ctLayout: "backend-id",
  ctTimeDiff: false,
  ctLegacyServiceKey: false,
  natLayout: "needs-ct-ago",
  ipcacheFlagsPrinted: true,
  maglevFamily: true,
};

/** The value most entries have (ties: the first seen), or `fallback` when there are none. */
function mostCommon<T>(values: readonly T[], fallback: T): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = fallback;
  let bestCount = 0;
  for (const [v, n] of counts) {
    if (n > bestCount) [best, bestCount] = [v, n];
  }
  return best;
}

/** The forms the view's IPv4 dumps used, table by table (current forms where a table is empty). */
export function dumpStyleOf(view: NodeView): DumpStyle {
  const ct = view.ct.filter((e) => e.family === "ipv4");
  const services = ct.filter((e) => e.direction === "SVC");
  const c = CURRENT_DUMP_STYLE;
  return {
    ctLayout: mostCommon(
      ct.map((e) => e.layout),
      c.ctLayout,
    ),
    ctTimeDiff: mostCommon(
      ct.map((e) => e.remainingSeconds !== null),
      c.ctTimeDiff,
    ),
    ctLegacyServiceKey: mostCommon(
      services.map((e) => e.legacyServiceKey),
      c.ctLegacyServiceKey,
    ),
    natLayout: mostCommon(
      view.nat.filter((e) => e.family === "ipv4").map((e) => e.layout),
      c.natLayout,
    ),
    ipcacheFlagsPrinted: mostCommon(
      view.ipcache.filter((e) => e.prefix.family === "ipv4").map((e) => e.flagsPrinted),
      c.ipcacheFlagsPrinted,
    ),
    maglevFamily: mostCommon(
      view.maglevTables.filter((t) => t.family !== 6).map((t) => t.family !== undefined),
      c.maglevFamily,
    ),
  };
}

/**
 * A dump time that makes the loader's time conversion exactly invertible: not before the CT boot
 * clock's latest report (so no CT time is clamped at 0) nor before the oldest NAT entry's creation.
 */
export function invertibleDumpTime(view: NodeView): number {
  const ct = view.ct.filter((e) => e.family === "ipv4");
  const natAges = view.nat.filter((e) => e.family === "ipv4").map((e) => e.createdSecondsAgo);
  return natAges.reduce((latest, age) => Math.max(latest, age), ctBootTime(ct));
}

function l4Protocol(proto: number, what: string): L4Protocol {
  const name = protocolName(proto);
  if (name === undefined) throw new Error(`${what} has protocol ${proto}, which cilium-dbg cannot print`);
  return name;
}

/** A services-map entry as the `map get cilium_lb4_services_v2` model. */
export function serviceToModel(e: ServiceMapEntry): ServiceDumpEntry {
  const address = formatIPv4(e.address);
  return {
    frontend: {
      address,
      port: e.port,
      protocol: l4Protocol(e.proto, `service ${address}:${e.port}`),
      scope: e.scope === 1 ? "internal" : "external",
    },
    family: 4,
    slot: e.slot,
    value: serviceUnionWord(e),
    count: e.count,
    qcount: e.qcount,
    revNatId: e.revNatId,
    flags: e.flags,
    flags2: e.flags2,
  };
}

/** A backends-map entry, with its port (the `_v3` printer leaves it out). */
export function backendToModel(b: BackendRecord): BackendDumpEntry {
  return {
    id: b.id,
    address: formatIPv4(b.address),
    family: 4,
    protocol: l4Protocol(b.proto, `backend ${b.id}`),
    port: b.port,
    clusterId: 0,
    zone: undefined,
  };
}

/** A reverse-NAT entry as its dump model. */
export function revNatToModel(r: RevNatMapEntry): RevNatEntry {
  return { id: r.id, address: formatIPv4(r.address), port: r.port, family: 4 };
}

/** An ipcache entry as its dump model, in the given release's style. */
export function ipcacheToModel(e: IpcacheMapEntry, style: DumpStyle): IpcacheEntry {
  return {
    prefix: { address: formatIPv4(e.prefix), length: e.prefixLen, family: "ipv4" },
    clusterId: 0,
    identity: e.identity,
    encryptKey: e.encryptKey,
    tunnelEndpoint: formatIPv4(e.tunnelEndpoint),
    flags: ipcacheFlagsFromBits(e.flags),
    flagsPrinted: style.ipcacheFlagsPrinted,
  };
}

/** An ip-masq-agent CIDR as its dump model. */
export function ipMasqToModel(c: Cidr): IpmasqEntry {
  return { prefix: { address: formatIPv4(c.prefix), length: c.prefixLen, family: "ipv4" } };
}

const SPLIT_LAYOUTS: ReadonlySet<CtValueLayout> = new Set(["slave", "split", "split-ifindex"]);

/** A CT entry with its times back on the node's boot clock (the inverse of the loader's re-basing). */
export function ctToModel(e: CtMapEntry, clock: DumpClock, style: DumpStyle): CtEntry {
  const boot = clock.ctBootTime ?? clock.dumpTime;
  const bootClock = (t: number): number => Math.max(0, t - clock.dumpTime + boot);
  const t = e.tuple;
  const service = (t.flags & TupleFlag.SERVICE) !== 0;
  // Stored tuples: SVC entries as the request {daddr: frontend, saddr: client, dport: client port,
  // sport: frontend port}; IN/OUT in reply layout {daddr: originator, saddr: responder, ...}.
  const [source, destination] = service
    ? [
        { address: formatIPv4(t.saddr), port: t.dport },
        { address: formatIPv4(t.daddr), port: t.sport },
      ]
    : [
        { address: formatIPv4(t.daddr), port: t.sport },
        { address: formatIPv4(t.saddr), port: t.dport },
      ];
  const split = SPLIT_LAYOUTS.has(style.ctLayout);
  const backendId = BigInt(e.backendId);
  return withU64Json<CtEntry>({
    protocol: protocolName(t.nexthdr) ?? String(t.nexthdr),
    nexthdr: t.nexthdr,
    family: "ipv4",
    direction: service ? "SVC" : (t.flags & TupleFlag.IN) !== 0 ? "IN" : "OUT",
    related: (t.flags & TupleFlag.RELATED) !== 0,
    source,
    destination,
    expires: bootClock(e.lifetime),
    remainingSeconds: style.ctTimeDiff ? e.lifetime - clock.dumpTime : null,
    layout: style.ctLayout,
    rxPackets: 0n,
    // The split layouts kept a service entry's backend ID in RxBytes.
    rxBytes: split && service ? backendId : 0n,
    txPackets: 0n,
    txBytes: 0n,
    packets: 0n,
    bytes: 0n,
    rxFlagsSeen: e.rxFlagsSeen,
    txFlagsSeen: e.txFlagsSeen,
    lastRxReport: bootClock(e.lastRxReport),
    lastTxReport: bootClock(e.lastTxReport),
    flags: e.flags,
    flagNames: style.ctLayout === "slave" ? null : ctFlagNames(e.flags),
    revNat: e.revNatId,
    sourceSecurityId: e.srcSecId,
    ifIndex: 0,
    backendId: split && !service ? 0n : backendId,
    natPort: 0,
    legacyServiceKey: service && style.ctLegacyServiceKey,
    ipv6Brackets: false,
  });
}

/** A SNAT entry with its creation time back as seconds before the dump. */
export function natToModel(e: NatMapEntry, clock: DumpClock, style: DumpStyle): NatEntry {
  const t = e.tuple;
  return {
    protocol: protocolName(t.nexthdr) ?? String(t.nexthdr),
    nexthdr: t.nexthdr,
    family: "ipv4",
    direction: (t.flags & TupleFlag.IN) !== 0 ? "IN" : "OUT",
    related: (t.flags & TupleFlag.RELATED) !== 0,
    source: { address: formatIPv4(t.saddr), port: t.sport },
    destination: { address: formatIPv4(t.daddr), port: t.dport },
    translated: { address: formatIPv4(e.address), port: e.port },
    createdSecondsAgo: Math.max(0, clock.dumpTime - e.created),
    needsCt: e.needsCt ? 1 : 0,
    layout: style.natLayout,
    ipv6Brackets: false,
  };
}

/** A Maglev table as its dump model, in the given release's style. */
export function maglevToModel(t: MaglevMapEntry, style: DumpStyle): MaglevTable {
  return { revNatId: t.revNatId, family: style.maglevFamily ? 4 : undefined, backendIds: t.backendIds };
}

/** Sorts by the numbers `key` gives, first number first. */
function byNumbers<T>(items: readonly T[], key: (item: T) => readonly number[]): T[] {
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return 0;
  });
}

const tupleOrder = (e: { tuple: CtMapEntry["tuple"] }): number[] => [
  e.tuple.saddr,
  e.tuple.sport,
  e.tuple.daddr,
  e.tuple.dport,
  e.tuple.nexthdr,
  e.tuple.flags,
];

/** The part of MapDumpContent an emulated node holds (socket-LB state is not a datapath map). */
export type EmulatedMapContent = Omit<MapDumpContent, "socknat">;

/** How emulatedMapContent prints times and which release's style it follows. */
export interface EmulatedContentOptions {
  /** The clock the snapshot was loaded with (from datapathStateFromView). */
  clock: DumpClock;
  style: DumpStyle;
}

/** One part of an emulated node's map content, in address order. */
export function emulatedMapContent<K extends keyof EmulatedMapContent>(
  dp: Datapath,
  part: K,
  options: EmulatedContentOptions,
): EmulatedMapContent[K] {
  const { clock, style } = options;
  const parts: { readonly [P in keyof EmulatedMapContent]: () => EmulatedMapContent[P] } = {
    services: () =>
      byNumbers(dp.readMap("services"), (s) => [s.address, s.port, s.proto, s.scope, s.slot]).map(
        serviceToModel,
      ),
    backends: () => byNumbers(dp.readMap("backends"), (b) => [b.id]).map(backendToModel),
    revNat: () => byNumbers(dp.readMap("revNat"), (r) => [r.id]).map(revNatToModel),
    maglev: () => dp.readMap("maglev").map((t) => maglevToModel(t, style)),
    ipcache: () =>
      byNumbers(dp.readMap("ipcache"), (e) => [e.prefix, e.prefixLen]).map((e) => ipcacheToModel(e, style)),
    ct: () =>
      byNumbers([...dp.readMap("ctTcp"), ...dp.readMap("ctAny")], tupleOrder).map((e) =>
        ctToModel(e, clock, style),
      ),
    nat: () => byNumbers(dp.readMap("nat"), tupleOrder).map((e) => natToModel(e, clock, style)),
    ipmasq: () => byNumbers(dp.readMap("ipMasq"), (c) => [c.prefix, c.prefixLen]).map(ipMasqToModel),
  };
  return parts[part]();
}
