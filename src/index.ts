// dpemu public API, for every platform: browsers, workers and Node. Nothing here may reach a `node:`
// module (test/browser/embed.test.ts bundles it for a browser); what reads files is added by node.ts.
export { loadWasm, setDefaultWasmSource, WasmInstance, type WasmSource } from "./wasm/module.js";
export {
  parseSnapshotFiles,
  UNNAMED_NODE,
  type SnapshotFile,
  type SnapshotOptions,
} from "./snapshot/parse-files.js";
export { FORMATS, recognise, register, type RegisteredFormat } from "./snapshot/registry.js";
export { InputError, type SnapshotWarning } from "./snapshot/errors.js";
export type { Snapshot, NodeView, DumpRecord, StateTables } from "./model/snapshot.js";
export type { Service, Frontend, ServiceType, LookupScope } from "./model/service.js";
export type { Backend, BackendState } from "./model/backend.js";
export type { RevNatEntry } from "./model/revnat.js";
export type { MaglevTable } from "./model/maglev-table.js";
export type { AgentConfig } from "./model/agent-config.js";
export { flagNames, flagsFromNames, ServiceFlag } from "./model/service-flags.js";
export { servicesMapEntries, backendsMapEntries } from "./snapshot/lb-maps.js";

// Node-state models read from cilium-dbg dumps (ipcache, identities, conntrack, NAT, ip-masq,
// socket rev-NAT, endpoints, maps).
export { formatPrefix, type IpFamily, type IpPrefix, type L4Address } from "./model/ip-prefix.js";
export {
  IPCACHE_FLAG_NAMES,
  ipcacheFlagBits,
  ipcacheFlagsFromBits,
  type IpcacheEntry,
  type IpcacheFlags,
} from "./model/ipcache.js";
export type { IdentityEntry } from "./model/ip-list.js";
export { CT_FLAG_BITS, type CtDirection, type CtEntry, type CtValueLayout } from "./model/ct.js";
export type { NatEntry, NatValueLayout } from "./model/nat.js";
export type { IpmasqEntry } from "./model/ipmasq.js";
export type { SocknatEntry } from "./model/socknat.js";
export type { EndpointEntry, PolicyEnforcement } from "./model/endpoint.js";
export type { MapCacheRow, MapCacheStatus, MapListEntry } from "./model/map-list.js";
export {
  buildMaglevTable,
  buildMaglevTableSync,
  DEFAULT_MAGLEV_TABLE_SIZE,
  type MaglevTableOptions,
} from "./lb/maglev.js";
export { MAGLEV_TABLE_SIZES } from "./reference/maglev.js";
export {
  backendHashString,
  BACKEND_PROTOCOLS,
  type MaglevBackend,
  type BackendProtocol,
} from "./lb/backend.js";
export { parseClusterSeed, DEFAULT_MAGLEV_SEED, type ClusterSeed } from "./lb/seed.js";
export { portPackingForCiliumVersion, DEFAULT_PORT_PACKING } from "./lb/cilium-version.js";
export type { PortPacking } from "./reference/flow-hash.js";
export {
  pickBackend,
  maglevFlowHash,
  createPrng,
  Xoshiro128,
  type Flow,
  type BackendSelection,
  type MaglevHashOptions,
} from "./lb/select.js";
export { MaglevWasm, type MaglevTableHandle } from "./wasm/maglev.js";
export { InvalidInputError } from "./lb/errors.js";

// Flow sources: the packet record and the streaming readers that fill it.
export {
  EntryPoint,
  IcmpType,
  IpProto,
  ReplyState,
  TcpFlag,
  copyPacketRecord,
  createPacketRecord,
  type PacketRecord,
} from "./model/packet.js";
export { createObservedFlow, type ObservedFlow } from "./model/observed-flow.js";
export { formatIPv4, parseIPv4 } from "./model/ipv4.js";
export { chunkBytes, type ByteSource } from "./readers/byte-source.js";
export { CaptureFormatError, type CaptureErrorPosition } from "./readers/capture-error.js";
export {
  runDecoder,
  type PacketDecoder,
  type PacketHandler,
  type ReaderOptions,
} from "./readers/packet-decoder.js";
export { createReadSummary, type CaptureFormat, type ReadSummary } from "./readers/read-summary.js";
export {
  SKIP_KINDS,
  nonZeroSkips,
  totalSkipped,
  type SkipCounts,
  type SkipKind,
} from "./readers/skip-counts.js";
export { LinkType } from "./readers/link-type.js";
export { PcapDecoder, readPcap, type PcapHeader } from "./readers/pcap-reader.js";
export { PcapngDecoder, readPcapng, type PcapngInterface } from "./readers/pcapng-reader.js";
export { HubbleDecoder, readHubble, type HubbleReaderOptions } from "./readers/hubble-reader.js";
export { detectCaptureFormat, type DetectedFormat } from "./readers/detect-format.js";
export { readCapture, UnknownCaptureFormatError, type ReadCaptureOptions } from "./replay/read-capture.js";
export {
  SyntheticFlowGenerator,
  readSynthetic,
  type ChurnEvent,
  type SyntheticReaderOptions,
} from "./synthetic/synthetic.js";
export {
  SyntheticSpecError,
  parseSyntheticSpec,
  type SyntheticSpec,
  type SyntheticSpecJson,
} from "./synthetic/synthetic-spec.js";
export { formatRfc3339, parseRfc3339 } from "./readers/rfc3339.js";

// BPF maps: shared interfaces and constants, the Wasm maps, and their TypeScript twins.
export * from "./maps/types.js";
export { WasmHashMap, WasmLpmMap } from "./wasm/maps.js";
export { ReferenceLpmMap } from "./reference/maps/lpm-map.js";
export { ReferenceHashMap } from "./reference/maps/hash-map.js";

// Maglev vs random comparison (dpemu compare): experiments, statistics, reports.
export {
  compareSelection,
  DEFAULT_CT_FLOWS,
  type CompareOptions,
  type FlowSource,
} from "./analysis/run-compare.js";
export {
  runComparison,
  type CompareInput,
  type ConntrackInput,
  type ServiceFlows,
} from "./analysis/compare.js";
export {
  ServiceNode,
  ServiceNodes,
  datapathProtocol,
  type ServiceNodeOptions,
} from "./analysis/service-node.js";
export { sampleFlows } from "./analysis/flow-sample.js";
export type { NodeSelector, SelectionEngine } from "./analysis/selection.js";
export { WasmSelectionEngine } from "./analysis/wasm-engine.js";
export { ReferenceSelectionEngine } from "./analysis/reference-engine.js";
export type { SelectionEngineOptions } from "./analysis/engine-options.js";
export type { Algorithm, CompareBackend, CompareService, FlowSet } from "./analysis/model.js";
export type * from "./analysis/results.js";
export { syntheticFlows, type RandomSource, type SyntheticFlowOptions } from "./analysis/flows.js";
export { syntheticService, parseWeights } from "./analysis/synthetic-service.js";
export { servicesToCompare, maglevTableCount } from "./analysis/snapshot-services.js";
export {
  binomialBounds,
  binomialCdf,
  binomialSurvival,
  chiSquareGoodnessOfFit,
  chiSquareSurvival,
  coefficientOfVariation,
  peakToMean,
  regularizedGammaP,
  regularizedGammaQ,
  type BinomialBounds,
  type ChiSquareResult,
} from "./analysis/stats.js";
export { formatTextReport } from "./report/text.js";
export { formatJsonReport } from "./report/json.js";
export { escapeHtml } from "./report/escape-html.js";

// The per-packet datapath: one emulated node (Wasm pipeline or its TypeScript reference twin).
export {
  Datapath,
  type DatapathOptions,
  type DatapathStats,
  type BackendSpec,
  type ServiceSelector,
  type TraceResult,
} from "./datapath/datapath.js";
export type { EngineOptions } from "./engine/config.js";
export type { DatapathEngine, EngineStats } from "./engine/engine.js";
export * from "./engine/state.js";
export {
  OBSERVATION_POINT_NAMES,
  CT_STATE_NAMES,
  parseIpv4,
  formatIpv4,
  parseCidr,
  type CtState,
  type DatapathVerdict,
} from "./engine/verdict.js";
export { dropReason, knownDropReasons, type DropReasonInfo } from "./engine/drop-reasons.js";
export {
  describeVerdict,
  observationPointText,
  type TraceStep,
  type TraceEndpoint,
} from "./datapath/trace.js";
export {
  datapathStateFromSnapshot,
  datapathStateFromView,
  ctBootTime,
  type DumpClock,
  type FromSnapshotOptions,
  type SnapshotDatapathState,
} from "./load/from-snapshot.js";
export { layoutSlots, slotFlags, type SlotLayout } from "./engine/service-slots.js";

// Reading the emulated maps back (dpemu maps dump): map-level entries, their dump models, printers.
export {
  DATAPATH_MAP_NAMES,
  type AffinityMapEntry,
  type BackendRecord,
  type DatapathMapName,
  type DatapathMaps,
  type MaglevMapEntry,
  type MapReader,
} from "./datapath/map-records.js";
export {
  CURRENT_DUMP_STYLE,
  backendToModel,
  ctToModel,
  dumpStyleOf,
  emulatedMapContent,
  invertibleDumpTime,
  ipMasqToModel,
  ipcacheToModel,
  maglevToModel,
  natToModel,
  revNatToModel,
  serviceToModel,
  type DumpStyle,
  type EmulatedContentOptions,
  type EmulatedMapContent,
} from "./readback/to-model.js";
export {
  EmulatedMaps,
  SOCKNAT_NOTE,
  type EmulatedMapsOptions,
  type MapsDumpResult,
} from "./readback/maps-dump.js";
export { notLoadedNotes } from "./load/not-loaded.js";
export { EMPTY_MAP_CONTENT, mapContentOfView, type MapDumpContent } from "./snapshot/map-content.js";
export { MAP_DUMPS, type MapDump } from "./snapshot/map-dumps.js";
export { WasmDatapathEngine } from "./wasm/datapath.js";
export {
  RECORD_LAYOUT,
  encodePacket,
  decodeVerdict,
  verdictFlagNames,
  type RecordLayout,
} from "./wasm/codec.js";
export { ReferenceDatapathEngine } from "./reference/datapath/engine.js";
export {
  replay,
  defaultWorkerCount,
  ReplayOptionError,
  DEFAULT_BATCH_SIZE,
  type ReplayOptions,
  type ReplayResult,
  type ReplayProgress,
} from "./replay/replayer.js";
export type {
  ReplaySummary,
  ServiceShare,
  BackendShare,
  ObservedComparison,
} from "./replay/replay-summary.js";
export type { ReplayedPacket, VerdictHandler, ObservedVerdict } from "./replay/replayed-packet.js";
export { ChurnError, type ChurnCommand } from "./replay/replay-core.js";
export { firstPacketSeconds } from "./replay/first-packet.js";
export { ShardRouter, MAX_WORKERS } from "./replay/shard-router.js";
