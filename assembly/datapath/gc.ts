// Conntrack garbage collection, as the agent's CT GC does it: entries whose lifetime has passed are
// deleted, and the SNAT mapping of every deleted egress flow goes with it (for a DSR flow, the
// entry that gives its replies the service address). The datapath itself
// never treats an expired entry as missing, so collection timing is part of the semantics: it runs
// before the first packet whose clock reaches the next collection time (see docs/datapath.md).
import { LruHashMap } from "../maps/lru-hash-map";
import { Node } from "./node";
import {
  CT_FLAGS,
  CT_LIFETIME,
  CTF_DSR_INTERNAL,
  TUPLE_DADDR,
  TUPLE_DPORT,
  TUPLE_F_IN,
  TUPLE_F_OUT,
  TUPLE_F_RELATED,
  TUPLE_F_SERVICE,
  TUPLE_FLAGS,
  TUPLE_NEXTHDR,
  TUPLE_SADDR,
  TUPLE_SPORT,
} from "./layout";
import { natDeletePair } from "./nat";

/**
 * Entries are examined in id order (no key sort) and deleted from the highest id down, so the ids
 * they free are handed out again lowest first: new entries after a collection fill the records in
 * ascending address order. The reference twin deletes in the same order, which the LRU clock's
 * victims depend on.
 */
function collect(node: Node, map: LruHashMap, now: u32): void {
  const ids = node.gcIds;
  let n: u32 = 0;
  const bound = map.idBound;
  for (let id: u32 = 0; id < bound; id++) {
    if (map.hasId(id) && load<u32>(map.entryValue(id), CT_LIFETIME) < now) {
      store<u32>(ids + ((<usize>n) << 2), id);
      n++;
    }
  }
  const nat = node.natTuple;
  for (let i = n; i > 0; i--) {
    const id = load<u32>(ids + ((<usize>(i - 1)) << 2));
    const key = map.entryKey(id);
    // An egress (OUT) entry tracks a flow this node may have SNATed: drop that mapping too.
    if ((load<u8>(key, TUPLE_FLAGS) & (TUPLE_F_IN | TUPLE_F_RELATED | TUPLE_F_SERVICE)) == 0) {
      store<u32>(nat, load<u32>(key, TUPLE_SADDR), TUPLE_DADDR);
      store<u32>(nat, load<u32>(key, TUPLE_DADDR), TUPLE_SADDR);
      store<u16>(nat, load<u16>(key, TUPLE_DPORT), TUPLE_DPORT);
      store<u16>(nat, load<u16>(key, TUPLE_SPORT), TUPLE_SPORT);
      store<u8>(nat, load<u8>(key, TUPLE_NEXTHDR), TUPLE_NEXTHDR);
      store<u8>(nat, TUPLE_F_OUT, TUPLE_FLAGS);
      const v = node.nat.peek(nat);
      if (v != 0) node.gcNatDeleted += natDeletePair(node, nat, v);
      if ((load<u16>(map.entryValue(id), CT_FLAGS) & CTF_DSR_INTERNAL) != 0) {
        // snat_v4_create_dsr's entry is keyed by the reply: the same addresses, ports swapped.
        store<u32>(nat, load<u32>(key, TUPLE_DADDR), TUPLE_DADDR);
        store<u32>(nat, load<u32>(key, TUPLE_SADDR), TUPLE_SADDR);
        store<u16>(nat, load<u16>(key, TUPLE_SPORT), TUPLE_DPORT);
        store<u16>(nat, load<u16>(key, TUPLE_DPORT), TUPLE_SPORT);
        if (node.nat.delete(nat) == 0) node.gcNatDeleted++;
      }
    }
    map.delete(key);
  }
  node.gcCtDeleted += n;
}

/**
 * The agent's CT garbage collection: deletes every CT entry whose lifetime has passed, and the SNAT
 * pair of each deleted OUT entry.
 */
export function gcRun(node: Node, now: u32): void {
  collect(node, node.ctTcp, now);
  collect(node, node.ctAny, now);
  node.gcRuns++;
  node.nextGc = now + node.gcInterval;
  node.gcStarted = true;
}

/** Runs gcRun when the GC interval has passed since the last run (batch boundaries do not matter). */
export function gcIfDue(node: Node, now: u32): void {
  if (!node.gcStarted || now >= node.nextGc) gcRun(node, now);
}
