// The read-back conversion is the exact inverse of the snapshot loader, for any entries the maps can
// hold (not only the fixtures'): random CT, NAT and ipcache entries are loaded into a node, read
// back, converted to the dump models, printed in a random release's form, parsed and loaded again,
// and come back unchanged.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Datapath } from "../../src/datapath/datapath.js";
import { prefixMask } from "../../src/engine/engine.js";
import { datapathStateFromSnapshot } from "../../src/load/from-snapshot.js";
import {
  Proto,
  TupleFlag,
  defaultNodeConfig,
  type CtMapEntry,
  type DatapathState,
  type IpcacheMapEntry,
  type NatMapEntry,
} from "../../src/engine/state.js";
import { emulatedMapContent, type DumpStyle } from "../../src/readback/to-model.js";
import type { CtValueLayout } from "../../src/model/ct.js";
import { bpfCtListFormat } from "../../src/snapshot/formats/bpf-ct-list.js";
import { bpfNatListFormat } from "../../src/snapshot/formats/bpf-nat-list.js";
import { mapGetIpcacheFormat } from "../../src/snapshot/formats/map-get-ipcache.js";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";

/** The dump moment on both clocks: the latest trace report (the loader's assumption). */
const DUMP_TIME = 5_000_000;

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u8 = fc.integer({ min: 0, max: 0xff });
const nexthdr = fc.oneof(fc.constantFrom(Proto.TCP, Proto.UDP, Proto.ICMP), u8);
const report = fc.integer({ min: 0, max: DUMP_TIME });

const tuple = (flags: fc.Arbitrary<number>) =>
  fc.record({ daddr: u32, saddr: u32, dport: u16, sport: u16, nexthdr, flags });

const ctEntry: fc.Arbitrary<CtMapEntry> = fc.record({
  // A tuple is SVC, or IN/OUT, each possibly RELATED (the combinations a dump can print).
  tuple: tuple(fc.constantFrom(0, 1, 2, 3, 4, 6)),
  lifetime: u32,
  flags: u16,
  revNatId: u16,
  backendId: u32,
  txFlagsSeen: u8,
  rxFlagsSeen: u8,
  srcSecId: u32,
  lastTxReport: report,
  lastRxReport: report,
});

const natEntry: fc.Arbitrary<NatMapEntry> = fc.record({
  tuple: tuple(fc.constantFrom(0, 1, 2, 3)),
  created: fc.integer({ min: 0, max: DUMP_TIME }),
  needsCt: fc.boolean(),
  address: u32,
  port: u16,
});

const ipcacheEntry: fc.Arbitrary<IpcacheMapEntry> = fc
  .record({
    prefix: u32,
    prefixLen: fc.integer({ min: 1, max: 32 }),
    identity: u32,
    tunnelEndpoint: u32,
    encryptKey: u8,
    flags: fc.integer({ min: 0, max: 15 }),
  })
  .map((e) => ({ ...e, prefix: (e.prefix & prefixMask(e.prefixLen)) >>> 0 }));

const styleArb: fc.Arbitrary<DumpStyle> = fc.record({
  ctLayout: fc.constantFrom<CtValueLayout>(
    "slave",
    "split",
    "split-ifindex",
    "backend-id",
    "backend-id-natport",
  ),
  ctTimeDiff: fc.boolean(),
  ctLegacyServiceKey: fc.boolean(),
  natLayout: fc.constantFrom("host-local" as const, "needs-ct" as const, "needs-ct-ago" as const),
  ipcacheFlagsPrinted: fc.constant(true),
  maglevFamily: fc.boolean(),
});

const tupleKey = (t: CtMapEntry["tuple"]) =>
  `${t.daddr} ${t.saddr} ${t.dport} ${t.sport} ${t.nexthdr} ${t.flags}`;
/** Entries as sorted texts with sorted keys: the maps' order and the loader's differ. */
const sortedCanonical = (xs: readonly object[]) =>
  xs
    .map((x) =>
      JSON.stringify(x, (_k, v: unknown) =>
        v && typeof v === "object" && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
          : v,
      ),
    )
    .sort();

describe("read-back conversion", () => {
  it("is the exact inverse of the loader for random CT, NAT and ipcache entries in every release form", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(ctEntry, { selector: (e) => tupleKey(e.tuple), maxLength: 12 }),
        fc.uniqueArray(natEntry, { selector: (e) => tupleKey(e.tuple), maxLength: 12 }),
        fc.uniqueArray(ipcacheEntry, { selector: (e) => `${e.prefix}/${e.prefixLen}`, maxLength: 12 }),
        styleArb,
        async (ct, nat, ipcache, style) => {
          const split =
            style.ctLayout === "slave" || style.ctLayout === "split" || style.ctLayout === "split-ifindex";
          // The split layouts have no field for a non-service entry's backend ID (nor have agents one).
          const cts = ct.map((e, i) => ({
            ...e,
            backendId: split && (e.tuple.flags & TupleFlag.SERVICE) === 0 ? 0 : e.backendId,
            // One entry reports at the dump moment, which the loader takes as the boot clock's now.
            lastTxReport: i === 0 ? DUMP_TIME : e.lastTxReport,
          }));
          const world = { prefix: 0, prefixLen: 0, identity: 2, tunnelEndpoint: 0, encryptKey: 0, flags: 0 };
          const state: DatapathState = {
            node: defaultNodeConfig({
              addresses: [],
              ctTcpMax: 64,
              ctAnyMax: 64,
              natMax: 64,
              affinityMax: 8,
            }),
            services: [],
            backends: [],
            revNat: [],
            ipcache: [world, ...ipcache],
            ipMasqCidrs: [],
            sourceRanges: [],
            endpoints: [],
            ct: cts,
            nat,
          };
          const dp = await Datapath.create(state);
          try {
            const clock = { dumpTime: DUMP_TIME, ctBootTime: cts.length > 0 ? DUMP_TIME : null };
            const read = <K extends "ct" | "nat" | "ipcache">(part: K) =>
              emulatedMapContent(dp, part, { clock, style });
            const files = [
              { name: "ct.txt", text: bpfCtListFormat.print(read("ct")) },
              { name: "nat.txt", text: bpfNatListFormat.print(read("nat")) },
              { name: "ipcache.txt", text: mapGetIpcacheFormat.print(read("ipcache")) },
            ];
            const again = datapathStateFromSnapshot(parseSnapshotFiles(files), { dumpTime: DUMP_TIME }).state;
            expect(sortedCanonical(again.ct)).toEqual(sortedCanonical(cts));
            expect(sortedCanonical(again.nat)).toEqual(sortedCanonical(nat));
            expect(sortedCanonical(again.ipcache)).toEqual(sortedCanonical(state.ipcache));
          } finally {
            dp.dispose();
          }
        },
      ),
      { numRuns: 60, seed: 20260523 },
    );
  });
});
