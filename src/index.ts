// dpemu's public API, for every platform: browsers, workers and Node (the package's "dpemu" entry; the
// Node entry node.ts adds what reads files). It is the task-level surface: load a snapshot, build the
// emulated node, replay captures, compare Maglev with random selection, and the models they return.
// Engine internals live behind subpaths (src/api/*.ts: "dpemu/maps", "dpemu/wasm", "dpemu/reference",
// "dpemu/engine", "dpemu/snapshot", "dpemu/readers", "dpemu/analysis"). test/api/exports.test.ts keeps
// a checked-in list of every entry's names, so a change here is deliberate. Nothing here may reach a
// `node:` module (test/browser/embed.test.ts bundles it for a browser).

// The Wasm module every emulated node and Maglev build runs on.
export { loadWasm, setDefaultWasmSource, WasmInstance, type WasmSource } from "./wasm/module.js";

// Errors: everything thrown for bad input extends InvalidInputError.
export { InvalidInputError } from "./model/errors.js";
export { InputError, type InputLocation, type SnapshotWarning } from "./snapshot/errors.js";

// Snapshots: cilium-dbg dumps and sysdumps parsed into models.
export {
  parseSnapshotFiles,
  UNNAMED_NODE,
  type SnapshotFile,
  type SnapshotOptions,
} from "./snapshot/parse-files.js";
export type { Snapshot, NodeView, DumpRecord, StateTables } from "./model/snapshot.js";
export type { Service, Frontend, LookupScope, ServiceLbAlgorithm } from "./model/service.js";
export { ServiceFlag, flagNames, flagsFromNames, type ServiceType } from "./model/service-flags.js";
export {
  BackendState,
  BACKEND_STATES,
  type Backend,
  type BackendStateName,
  type BackendStateValue,
} from "./model/backend.js";
export type { RevNatEntry } from "./model/revnat.js";
export type { MaglevTable } from "./model/maglev-table.js";
export type { AgentConfig } from "./model/agent-config.js";
export type { IpFamily, IpPrefix, L4Address } from "./model/ip-prefix.js";
export type { IpcacheEntry, IpcacheFlags } from "./model/ipcache.js";
export type { IdentityEntry } from "./model/ip-list.js";
export type { CtDirection, CtEntry, CtValueLayout } from "./model/ct.js";
export type { NatEntry, NatValueLayout } from "./model/nat.js";
export type { IpmasqEntry } from "./model/ipmasq.js";
export type { SocknatEntry } from "./model/socknat.js";
export type { EndpointEntry, PolicyEnforcement } from "./model/endpoint.js";
export type { MapCacheRow, MapCacheStatus, MapListEntry } from "./model/map-list.js";

// Addresses, protocols and the packet record every flow source fills.
export { formatIPv4, parseCidr, parseIPv4, requireIPv4, type Cidr } from "./model/ipv4.js";
export { IpProto, parseProtocol, protocolName, protocolNumber, type L4Protocol } from "./model/protocol.js";
export {
  EntryPoint,
  IcmpType,
  ReplyState,
  TcpFlag,
  copyPacketRecord,
  createPacketRecord,
  type PacketRecord,
} from "./model/packet.js";
export type { ObservedFlow } from "./model/observed-flow.js";

// The emulated node: its BPF-map-level state, the Datapath built from it, verdicts and traces.
export { Datapath, type DatapathOptions, type DatapathStats, type TraceResult } from "./datapath/datapath.js";
export type { BackendSpec, ServiceSelector } from "./control/service-manager.js";
export type { EngineOptions } from "./engine/config.js";
export {
  datapathStateFromSnapshot,
  type FromSnapshotOptions,
  type SnapshotDatapathState,
} from "./load/from-snapshot.js";
export {
  CtEntryFlag,
  DEFAULT_CT_TIMEOUTS,
  IpcacheFlag,
  TupleFlag,
  defaultNodeConfig,
  type BackendMapEntry,
  type CtMapEntry,
  type CtTimeouts,
  type CtTuple,
  type DatapathState,
  type DsrDispatchMode,
  type HostRouting,
  type IpcacheMapEntry,
  type KprMode,
  type LbAlgorithm,
  type LocalEndpoint,
  type NatMapEntry,
  type NodeConfig,
  type RevNatMapEntry,
  type RoutingMode,
  type ServiceAlgorithm,
  type ServiceMapEntry,
  type ServiceScope,
  type SourceRangeEntry,
  type TunnelProtocol,
} from "./engine/state.js";
export {
  CT_STATE_NAMES,
  ENCAP_NAMES,
  OBSERVATION_POINT_NAMES,
  type CtState,
  type DatapathVerdict,
  type EncapType,
} from "./engine/verdict.js";
export { observationPointText, type TraceEndpoint, type TraceStep } from "./datapath/trace.js";
export { dropReason, knownDropReasons, type DropReasonInfo } from "./engine/drop-reasons.js";
export {
  DATAPATH_MAP_NAMES,
  type AffinityMapEntry,
  type BackendRecord,
  type DatapathMapName,
  type DatapathMaps,
  type MaglevMapEntry,
} from "./engine/map-records.js";
export { EmulatedMaps, type EmulatedMapsOptions, type MapsDumpResult } from "./readback/maps-dump.js";

// Maglev tables and backend selection, exactly as Cilium computes them.
export {
  buildMaglevTable,
  buildMaglevTableSync,
  DEFAULT_MAGLEV_TABLE_SIZE,
  type MaglevTableOptions,
} from "./lb/maglev.js";
export { MAGLEV_TABLE_SIZES } from "./model/maglev-table.js";
export {
  backendHashString,
  BACKEND_PROTOCOLS,
  type BackendProtocol,
  type MaglevBackend,
} from "./lb/backend.js";
export { parseClusterSeed, DEFAULT_MAGLEV_SEED, type ClusterSeed } from "./model/cluster-seed.js";
export { portPackingForCiliumVersion, DEFAULT_PORT_PACKING } from "./model/cilium-version.js";
export type { PortPacking } from "./model/flow.js";
export {
  pickBackend,
  maglevFlowHash,
  createPrng,
  Xoshiro128,
  type BackendSelection,
  type Flow,
  type MaglevHashOptions,
} from "./lb/select.js";

// Flow sources: captures (pcap, pcapng, Hubble JSON) and synthetic workloads, read as packet records.
export { readCapture, UnknownCaptureFormatError, type ReadCaptureOptions } from "./replay/read-capture.js";
export { detectCaptureFormat, type DetectedFormat } from "./readers/detect-format.js";
export { readPcap, type PcapHeader } from "./readers/pcap-reader.js";
export { readPcapng, type PcapngInterface } from "./readers/pcapng-reader.js";
export { readHubble, type HubbleReaderOptions } from "./readers/hubble-reader.js";
export { LinkType } from "./readers/link-type.js";
export { readSynthetic, type ChurnEvent, type SyntheticReaderOptions } from "./synthetic/synthetic.js";
export {
  parseSyntheticSpec,
  SyntheticSpecError,
  type SyntheticSpec,
  type SyntheticSpecJson,
} from "./synthetic/synthetic-spec.js";
export { chunkBytes, type ByteSource } from "./readers/byte-source.js";
export type { PacketHandler, ReaderOptions } from "./readers/packet-decoder.js";
export { CaptureFormatError, type CaptureErrorPosition } from "./readers/capture-error.js";
export type { CaptureFormat, ReadSummary } from "./readers/read-summary.js";
export {
  SKIP_KINDS,
  nonZeroSkips,
  totalSkipped,
  type SkipCounts,
  type SkipKind,
} from "./readers/skip-counts.js";

// Replay: a whole capture through the emulated node, with a summary and per-packet verdicts.
export {
  replay,
  defaultWorkerCount,
  usesPipeline,
  SMALL_INPUT_BYTES,
  ReplayOptionError,
  DEFAULT_BATCH_SIZE,
  type ReplayOptions,
  type ReplayProgress,
  type ReplayResult,
} from "./replay/replayer.js";
export type {
  BackendShare,
  ObservedComparison,
  ReplaySummary,
  ServiceShare,
} from "./replay/replay-summary.js";
export type { ObservedVerdict, ReplayedPacket, VerdictHandler } from "./replay/replayed-packet.js";
export { ChurnError, type ChurnCommand } from "./replay/replay-core.js";

// Maglev against random selection (dpemu compare): experiments on a snapshot's services, reports.
export {
  compareSelection,
  DEFAULT_CT_FLOWS,
  type CompareOptions,
  type FlowSource,
} from "./analysis/run-compare.js";
export type { Algorithm, CompareBackend, CompareService, FlowSet } from "./analysis/model.js";
export type * from "./analysis/results.js";
export { servicesToCompare, UnknownServiceError } from "./analysis/snapshot-services.js";
export { syntheticService, parseWeights } from "./analysis/synthetic-service.js";
export { formatTextReport } from "./report/text.js";
export { formatJsonReport } from "./report/json.js";

// The whole cluster: one Datapath per node, ingress by ECMP / L2 lease / address, node-to-node hops.
export { Cluster, type ClusterNode, type ClusterOptions } from "./cluster/cluster.js";
export type { ClusterNodeState } from "./cluster/node-state.js";
export { Ingress, type IngressChoice, type IngressMode } from "./cluster/ingress.js";
export {
  NexthopGroup,
  type GroupMember,
  type NexthopChoice,
  type NexthopGroupType,
} from "./cluster/nexthop-group.js";
export { multipathHash, type MultipathHashPolicy } from "./cluster/ecmp-hash.js";
export { handOff, type Encapsulation, type Hop, type Passage, type PathEnd } from "./cluster/hand-off.js";
export { traceCluster, podNode, type ClusterTrace } from "./cluster/cluster-trace.js";
export { clusterTraceJson } from "./cluster/trace-json.js";
export { runFailover, type ClusterFailoverResult, type ClusterFailoverSpec } from "./cluster/failover.js";
export {
  ClusterReplayer,
  replayCluster,
  type ClusterReplaySummary,
  type NodeCounts,
} from "./cluster/cluster-replay.js";
export { syntheticClusterStates, type SyntheticClusterSpec } from "./cluster/synthetic-cluster.js";
export { readRouterFiles, type RouterInputs } from "./cluster/router/router-inputs.js";
