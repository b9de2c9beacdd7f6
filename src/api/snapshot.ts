// "dpemu/snapshot": the dump-format machinery behind parseSnapshotFiles — the format registry, the
// LB map assembly, the per-map dump printers and the flag tables of the state dumps.
export { FORMATS, recognise, register, type RegisteredFormat } from "../snapshot/registry.js";
export { servicesMapEntries, backendsMapEntries } from "../snapshot/lb-maps.js";
export { EMPTY_MAP_CONTENT, mapContentOfView, type MapDumpContent } from "../snapshot/map-content.js";
export { MAP_DUMPS, type MapDump } from "../snapshot/map-dumps.js";
export { formatPrefix } from "../model/ip-prefix.js";
export { IPCACHE_FLAG_NAMES, ipcacheFlagBits, ipcacheFlagsFromBits } from "../model/ipcache.js";
export { CT_FLAG_BITS } from "../model/ct.js";
