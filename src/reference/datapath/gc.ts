// Reference twin of assembly/datapath/gc.ts.
import type { ReferenceHashMap } from "../maps/hash-map.js";
import {
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
  for (const { key, value } of map.entriesById()) {
    if (decodeCtEntry(value).lifetime < now) expired.push(key);
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
