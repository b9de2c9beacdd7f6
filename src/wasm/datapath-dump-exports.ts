// Raw exports of assembly/datapath/dump.ts: the emulated node's maps read back in key order.
// Records are key bytes then value bytes; i32 results are counts/sizes or negative errno values.

export interface DatapathDumpExports {
  readonly DUMP_MAP_SERVICES: WebAssembly.Global;
  readonly DUMP_MAP_BACKENDS: WebAssembly.Global;
  readonly DUMP_MAP_REV_NAT: WebAssembly.Global;
  readonly DUMP_MAP_IPCACHE: WebAssembly.Global;
  readonly DUMP_MAP_IPMASQ: WebAssembly.Global;
  readonly DUMP_MAP_CT_TCP: WebAssembly.Global;
  readonly DUMP_MAP_CT_ANY: WebAssembly.Global;
  readonly DUMP_MAP_NAT: WebAssembly.Global;
  readonly DUMP_MAP_MAGLEV: WebAssembly.Global;
  readonly DUMP_MAP_ENDPOINTS: WebAssembly.Global;
  readonly DUMP_MAP_AFFINITY: WebAssembly.Global;
  dpMapKeySize(h: number, map: number): number;
  dpMapValueSize(h: number, map: number): number;
  dpMapCount(h: number, map: number): number;
  dpMapRead(h: number, map: number, after: number, out: number, capacity: number): number;
  dpMaglevRead(h: number, revNat: number, out: number, capacity: number): number;
}
