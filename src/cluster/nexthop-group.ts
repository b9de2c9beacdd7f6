// A router's ECMP next-hop group, selected the way Linux selects.
// - hash-threshold (RFC 2992; `fib_select_multipath`, nexthop.c `nexthop_select_path_hthr`): each
//   next hop owns a range of the 31-bit hash space in proportion to its weight, bounded above by
//   `round(cumulative_weight << 31 / total_weight) - 1`; the first next hop whose bound is not below
//   the hash wins. Removing a path shifts every range after it, so flows of surviving paths move too.
// - resilient (`nexthop_select_path_res`): a table of buckets, the hash modulo the bucket count picks
//   one; a change moves only the buckets it has to (those of a removed path, and the excess of a path
//   over its new share). dpemu migrates buckets at once, as with an idle timer of 0.

/** Which next-hop group type the router uses. */
export type NexthopGroupType = "hash-threshold" | "resilient";

/** One member of the group: a node (by name) and its weight. */
export interface GroupMember {
  readonly node: string;
  readonly weight: number;
}

/** The choice for one hash: the member, and its position as "bucket index of count". */
export interface NexthopChoice {
  readonly node: string;
  readonly bucket: number;
  readonly buckets: number;
}

/** Buckets of a resilient group when none is given (iproute2's default). */
export const DEFAULT_RESILIENT_BUCKETS = 128;

/** A next-hop group; `setMembers` changes the ECMP set (drain, failure, join) as the router would. */
export class NexthopGroup {
  readonly type: NexthopGroupType;
  private members: GroupMember[] = [];
  private upperBounds: number[] = [];
  private readonly table: Int32Array;

  constructor(type: NexthopGroupType, members: readonly GroupMember[], buckets = DEFAULT_RESILIENT_BUCKETS) {
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > 65535)
      throw new Error(`resilient group buckets must be 1..65535, got ${buckets}`);
    this.type = type;
    this.table = new Int32Array(type === "resilient" ? buckets : 0).fill(-1);
    this.setMembers(members);
  }

  /** The current members, in the router's order. */
  get nodes(): readonly GroupMember[] {
    return this.members;
  }

  /** Replaces the members; a resilient group keeps every bucket whose member stays and has room. */
  setMembers(members: readonly GroupMember[]): void {
    for (const m of members) {
      if (!Number.isInteger(m.weight) || m.weight < 1)
        throw new Error(`next-hop weight must be ≥ 1, got ${m.weight}`);
    }
    const old = this.members;
    this.members = members.map((m) => ({ ...m }));
    const total = this.members.reduce((s, m) => s + m.weight, 0);
    let cumulative = 0;
    this.upperBounds = this.members.map((m) => {
      cumulative += m.weight;
      return Math.round((cumulative * 2 ** 31) / total) - 1;
    });
    if (this.type === "resilient") this.rebalance(old);
  }

  private rebalance(old: readonly GroupMember[]): void {
    const n = this.table.length;
    const total = this.members.reduce((s, m) => s + m.weight, 0);
    // Each member's share of buckets, by the same rounding of cumulative bounds.
    let cumulative = 0;
    let previous = 0;
    const wants = this.members.map((m) => {
      cumulative += m.weight;
      const bound = Math.round((cumulative * n) / total);
      const want = bound - previous;
      previous = bound;
      return want;
    });
    const index = new Map(this.members.map((m, i) => [m.node, i]));
    const has = new Array<number>(this.members.length).fill(0);
    for (let b = 0; b < n; b++) {
      const was = this.table[b]!;
      const now = was >= 0 ? index.get(old[was]?.node ?? "") : undefined;
      if (now !== undefined && has[now]! < wants[now]!) {
        this.table[b] = now;
        has[now]!++;
      } else this.table[b] = -1;
    }
    let next = 0;
    for (let b = 0; b < n; b++) {
      if (this.table[b] !== -1) continue;
      while (next < wants.length && has[next]! >= wants[next]!) next++;
      if (next >= wants.length) break;
      this.table[b] = next;
      has[next]!++;
    }
  }

  /** The member a 31-bit multipath hash selects; undefined when the group is empty. */
  select(hash: number): NexthopChoice | undefined {
    if (this.members.length === 0) return undefined;
    if (this.type === "resilient") {
      const bucket = hash % this.table.length;
      const member = this.members[this.table[bucket]!]!;
      return { node: member.node, bucket, buckets: this.table.length };
    }
    for (let i = 0; i < this.upperBounds.length; i++) {
      if (hash <= this.upperBounds[i]!)
        return { node: this.members[i]!.node, bucket: i, buckets: this.members.length };
    }
    const last = this.members.length - 1;
    return { node: this.members[last]!.node, bucket: last, buckets: this.members.length };
  }
}
