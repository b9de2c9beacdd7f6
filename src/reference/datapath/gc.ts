// Reference twin of assembly/datapath/gc.ts.
import type { ReferenceHashMap } from "../maps/hash-map.js";
import {
  CTF_DSR_INTERNAL,
  TUPLE_F_IN,
  TUPLE_F_RELATED,
  TUPLE_F_SERVICE,
  decodeCtEntry,
  decodeNatEntry,
  decodeTuple,
  encodeTuple,
  type RefNode,
} from "./node.js";
import { natDeletePair } from "./nat.js";

function collect(node: RefNode, map: ReferenceHashMap, now: number): void {
  const expired: Uint8Array[] = [];
  // Examined in id order, deleted from the highest id down (see the Wasm twin for why).
  const dsr = new Set<Uint8Array>();
  for (const { key, value } of map.entriesById()) {
    const e = decodeCtEntry(value);
    if (e.lifetime >= now) continue;
    expired.push(key);
    if ((e.flags & CTF_DSR_INTERNAL) !== 0) dsr.add(key);
  }
  for (const key of expired.reverse()) {
    const t = decodeTuple(key);
    if ((t.flags & (TUPLE_F_IN | TUPLE_F_RELATED | TUPLE_F_SERVICE)) === 0) {
      const out = {
        daddr: t.saddr,
        saddr: t.daddr,
        dport: t.dport,
        sport: t.sport,
        nexthdr: t.nexthdr,
        flags: 0,
      };
      const v = node.nat.peek(encodeTuple(out));
      if (v !== undefined) node.gcNatDeleted += natDeletePair(node, out, decodeNatEntry(v));
      if (dsr.has(key)) {
        // snat_v4_create_dsr's entry is keyed by the reply: the same addresses, ports swapped.
        const reply = { ...t, dport: t.sport, sport: t.dport, flags: 0 };
        if (node.nat.delete(encodeTuple(reply)) === 0) node.gcNatDeleted++;
      }
    }
    map.delete(key);
  }
  node.gcCtDeleted += expired.length;
}

/**
 * The agent's CT garbage collection: deletes every CT entry whose lifetime has passed, and the SNAT
 * pair of each deleted OUT entry.
 */
export function gcRun(node: RefNode, now: number): void {
  collect(node, node.ctTcp, now);
  collect(node, node.ctAny, now);
  node.gcRuns++;
  node.nextGc = (now + node.config.gcIntervalSec) >>> 0;
  node.gcStarted = true;
}

/** Runs gcRun when the GC interval has passed since the last run (batch boundaries do not matter). */
export function gcIfDue(node: RefNode, now: number): void {
  if (!node.gcStarted || now >= node.nextGc) gcRun(node, now);
}
