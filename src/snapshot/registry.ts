// Every dump format dpemu reads, in recognition order (more specific first), each with where its
// model goes. Adding a format is one `register(...)` line.
import type { DumpFormat } from "./dump-format.js";
import type { NodeDumps } from "./node-dumps.js";
import type { DumpRecord } from "../model/snapshot.js";
import type { IpcacheEntry } from "../model/ipcache.js";
import { agentConfigFormat, agentConfigFromEntries } from "./formats/agent-config.js";
import { bpfCtListFormat } from "./formats/bpf-ct-list.js";
import { bpfIpcacheListFormat } from "./formats/bpf-ipcache-list.js";
import { bpfIpmasqListFormat } from "./formats/bpf-ipmasq-list.js";
import { bpfNatListFormat } from "./formats/bpf-nat-list.js";
import { bpfSocknatListFormat } from "./formats/bpf-socknat-list.js";
import { endpointListFormat } from "./formats/endpoint-list.js";
import { ipListFormat } from "./formats/ip-list.js";
import { mapGetIpcacheFormat } from "./formats/map-get-ipcache.js";
import { mapListFormat } from "./formats/map-list.js";
import { mapListVerboseFormat } from "./formats/map-list-verbose.js";
import { bpfLbListFormat } from "./formats/bpf-lb-list.js";
import { bpfLbMaglevListFormat } from "./formats/bpf-lb-maglev-list.js";
import { bpfLbListBackendsFormat, mapGetLb4BackendsFormat } from "./formats/map-get-lb4-backends.js";
import { bpfLbListRevNatFormat, mapGetLb4ReverseNatFormat } from "./formats/map-get-lb4-reverse-nat.js";
import { bpfLbListFrontendsFormat, mapGetLb4ServicesFormat } from "./formats/map-get-lb4-services.js";
import { serviceListFormat } from "./formats/service-list.js";
import { serviceListJsonFormat } from "./formats/service-list-json.js";
import { statusVerboseFormat } from "./formats/status-verbose.js";
import { ownAddresses } from "./node-conflicts.js";

/**
 * Dumps of one family describe one part of a node's datapath together (IDs are only consistent
 * within a node), so a node without any dump of a family borrows the whole family from the dumps
 * whose node is unknown.
 */
export type DumpFamily =
  "lb" | "config" | "ipcache" | "identities" | "ct" | "nat" | "ipmasq" | "socknat" | "endpoints" | "maps";

/** A dump format and where its parsed model goes in a node's dumps. */
export interface RegisteredFormat {
  readonly format: DumpFormat<unknown>;
  readonly family: DumpFamily;
  readonly collect: (into: NodeDumps, model: unknown, where: DumpRecord) => void;
}

/** Ties a format to its collector; the model handed to `collect` is the one `format` parsed. */
export function register<Model>(
  format: DumpFormat<Model>,
  family: DumpFamily,
  collect: (into: NodeDumps, model: Model, where: DumpRecord) => void,
): RegisteredFormat {
  return {
    format: format as DumpFormat<unknown>,
    family,
    collect: (into, model, where) => collect(into, model as Model, where),
  };
}

/**
 * The ipcache maps the node's own addresses (reserved:host, identity 1) as host-length prefixes, which
 * tells whose node a set of shared dumps came from.
 */
function collectIpcache(into: NodeDumps, entries: readonly IpcacheEntry[], where: DumpRecord): void {
  into.ipcache.push({ value: entries, where });
  for (const a of ownAddresses(entries)) into.hostAddresses.add(a);
}

/** Every dump format dpemu recognises, in recognition order. */
export const FORMATS: readonly RegisteredFormat[] = [
  register(serviceListJsonFormat, "lb", (n, m, where) => n.serviceList.push({ value: m.services, where })),
  register(serviceListFormat, "lb", (n, m, where) => n.serviceList.push({ value: m.services, where })),
  register(bpfLbListFormat, "lb", (n, m, where) => n.lbList.push({ value: m.rows, where })),
  register(bpfLbListFrontendsFormat, "lb", (n, m, where) => n.servicesMap.push({ value: m.entries, where })),
  register(mapGetLb4ServicesFormat, "lb", (n, m, where) => n.servicesMap.push({ value: m.entries, where })),
  register(bpfLbListBackendsFormat, "lb", (n, m, where) => n.backendsMap.push({ value: m.entries, where })),
  register(mapGetLb4BackendsFormat, "lb", (n, m, where) => n.backendsMap.push({ value: m.entries, where })),
  register(bpfLbListRevNatFormat, "lb", (n, m, where) => n.revNatMap.push({ value: m.entries, where })),
  register(mapGetLb4ReverseNatFormat, "lb", (n, m, where) => n.revNatMap.push({ value: m.entries, where })),
  register(bpfLbMaglevListFormat, "lb", (n, m, where) => n.maglev.push({ value: m.tables, where })),
  register(statusVerboseFormat, "config", (n, m, where) => n.config.push({ value: m.config, where })),
  register(bpfIpcacheListFormat, "ipcache", collectIpcache),
  register(mapGetIpcacheFormat, "ipcache", collectIpcache),
  register(ipListFormat, "identities", (n, m, where) => n.identities.push({ value: m, where })),
  register(bpfCtListFormat, "ct", (n, m, where) => n.ct.push({ value: m, where })),
  register(bpfNatListFormat, "nat", (n, m, where) => n.nat.push({ value: m, where })),
  register(bpfIpmasqListFormat, "ipmasq", (n, m, where) => n.ipmasq.push({ value: m, where })),
  register(bpfSocknatListFormat, "socknat", (n, m, where) => n.socknat.push({ value: m, where })),
  register(endpointListFormat, "endpoints", (n, m, where) => n.endpoints.push({ value: m, where })),
  register(mapListVerboseFormat, "maps", (n, m, where) => n.mapList.push({ value: m, where })),
  register(mapListFormat, "maps", (n, m, where) => n.mapList.push({ value: m, where })),
  register(agentConfigFormat, "config", (n, m, where) =>
    n.config.push({ value: agentConfigFromEntries(m.entries), where }),
  ),
];

/** The registered format of a kind. */
export function formatOfKind(kind: string): RegisteredFormat | undefined {
  return FORMATS.find((f) => f.format.kind === kind);
}

/** The first format that recognises these lines. */
export function recognise(lines: readonly string[]): RegisteredFormat | undefined {
  return FORMATS.find((f) => f.format.matches(lines));
}
