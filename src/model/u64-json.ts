// Model entries with u64 fields (socket cookies, conntrack counters) hold them as bigint, exact past
// 2^53; JSON has no bigint, so these entries give their u64 fields to JSON.stringify as decimal
// strings (exact too: BigInt(text) reads one back).
const u64JsonPrototype = {
  toJSON(this: Record<string, unknown>): Record<string, unknown> {
    const json: Record<string, unknown> = {};
    for (const key of Object.keys(this)) {
      const value = this[key];
      json[key] = typeof value === "bigint" ? value.toString() : value;
    }
    return json;
  },
};

/** `entry` as a model entry whose bigint fields JSON.stringify writes as decimal strings. */
export function withU64Json<T extends object>(entry: T): T {
  return Object.assign(Object.create(u64JsonPrototype) as T, entry);
}
