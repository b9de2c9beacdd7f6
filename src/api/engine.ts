// "dpemu/engine": the contract every datapath engine implements and the stages around it — snapshot
// state per node, backend slot layout, reading the maps back as cilium-dbg dump models, trace steps.
export type { DatapathEngine, EngineStats } from "../engine/engine.js";
export type { MapReader } from "../engine/map-records.js";
export { ctBootTime, datapathStateFromView, type DumpClock } from "../load/from-snapshot.js";
export { layoutSlots, slotFlags, type SlotLayout } from "../control/slot-layout.js";
export { describeVerdict } from "../datapath/trace.js";
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
} from "../readback/to-model.js";
export { SOCKNAT_NOTE } from "../readback/maps-dump.js";
export { notLoadedNotes } from "../load/not-loaded.js";
