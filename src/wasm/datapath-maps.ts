// Reads an emulated node's maps out of the Wasm module (assembly/datapath/dump.ts), a chunk of
// records per call, and decodes them with codec.ts (the decoders both engines' read-backs share).
import type { DatapathMapName, DatapathMaps, MaglevMapEntry } from "../engine/map-records.js";
import { decodeMaglevRecord, decodeRecords, type RawRecord } from "./codec.js";
import { WASM_CONSTANTS, type WasmConstantName } from "./layout.generated.js";
import type { WasmInstance } from "./module.js";

/** Records copied per call: bounds the scratch area whatever the map's size. */
const CHUNK = 4096;

const MAP_IDS: Readonly<Record<DatapathMapName, WasmConstantName>> = {
  services: "DUMP_MAP_SERVICES",
  backends: "DUMP_MAP_BACKENDS",
  revNat: "DUMP_MAP_REV_NAT",
  ipcache: "DUMP_MAP_IPCACHE",
  ipMasq: "DUMP_MAP_IPMASQ",
  ctTcp: "DUMP_MAP_CT_TCP",
  ctAny: "DUMP_MAP_CT_ANY",
  nat: "DUMP_MAP_NAT",
  maglev: "DUMP_MAP_MAGLEV",
  endpoints: "DUMP_MAP_ENDPOINTS",
  affinity: "DUMP_MAP_AFFINITY",
};

function check(what: string, rc: number): number {
  if (rc < 0) throw new Error(`dpemu datapath: reading ${what} failed (errno ${-rc})`);
  return rc;
}

/** Every record of one map of node `handle`, in key byte order. */
function readRecords(wasm: WasmInstance, handle: number, name: DatapathMapName): RawRecord[] {
  const x = wasm.exports;
  const map = WASM_CONSTANTS[MAP_IDS[name]];
  const keySize = check(name, x.dpMapKeySize(handle, map));
  const valueSize = check(name, x.dpMapValueSize(handle, map));
  const stride = keySize + valueSize;
  const records: RawRecord[] = [];
  const out = wasm.scratch(CHUNK * stride);
  let after = 0;
  for (;;) {
    const n = check(name, x.dpMapRead(handle, map, after, out, CHUNK));
    const bytes = wasm.memoryU8;
    for (let i = 0; i < n; i++) {
      const at = out + i * stride;
      records.push({
        key: bytes.slice(at, at + keySize),
        value: bytes.slice(at + keySize, at + stride),
      });
    }
    if (n < CHUNK) return records;
    // The next chunk starts after the last key copied, which the module reads before writing.
    after = out + (n - 1) * stride;
  }
}

/** Maglev tables by rev-NAT ID (numeric order, as the reference engine gives them). */
function readMaglev(wasm: WasmInstance, handle: number): MaglevMapEntry[] {
  const x = wasm.exports;
  const tables = readRecords(wasm, handle, "maglev").map((record) => {
    const { revNatId, m } = decodeMaglevRecord(record);
    const out = wasm.scratch(m * 4);
    check(`the Maglev table of ${revNatId}`, x.dpMaglevRead(handle, revNatId, out, m));
    return { revNatId, backendIds: Array.from(new Uint32Array(wasm.memoryU8.buffer, out, m)) };
  });
  return tables.sort((a, b) => a.revNatId - b.revNatId);
}

/** One map of the node behind `handle`, decoded. */
export function readWasmMap<K extends DatapathMapName>(
  wasm: WasmInstance,
  handle: number,
  name: K,
): DatapathMaps[K] {
  if (name === "maglev") return readMaglev(wasm, handle) as DatapathMaps[K];
  return decodeRecords(name as Exclude<K, "maglev">, readRecords(wasm, handle, name));
}
