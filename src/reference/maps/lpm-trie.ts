// Reference twin of the Wasm LPM trie: a plain map from prefix to value. Lookup tries every prefix
// length from 32 down to 0, so it is obviously a longest-prefix match (and slow on purpose: it is
// the oracle, not the fast path).
import {
  BPF_ANY,
  BPF_EXIST,
  BPF_NOEXIST,
  EEXIST,
  EINVAL,
  ENOENT,
  ENOSPC,
  LPM_MAX_ENTRIES,
  LPM_MAX_VALUE_SIZE,
  type BpfUpdateFlag,
  type Ipv4Prefix,
  type LpmEntry,
  type LpmMap,
  type LpmMapOptions,
} from "../../maps/types.js";
import {
  canonicalPrefix,
  checkAddress,
  checkBytes,
  checkFlags,
  checkPrefix,
  checkSize,
} from "../../maps/validate.js";

/** One number per canonical prefix: length above the 32 address bits. */
function prefixId(prefix: Ipv4Prefix): number {
  return prefix.length * 2 ** 32 + prefix.address;
}

function comparePrefixes(a: Ipv4Prefix, b: Ipv4Prefix): number {
  return a.address - b.address || a.length - b.length;
}

/** A BPF LPM trie in plain TypeScript, the twin of the Wasm LPM map. */
export class ReferenceLpmMap implements LpmMap {
  readonly valueSize: number;
  readonly maxEntries: number;
  private readonly prefixes = new Map<number, LpmEntry>();

  constructor(options: LpmMapOptions) {
    checkSize("valueSize", options.valueSize, LPM_MAX_VALUE_SIZE);
    checkSize("maxEntries", options.maxEntries, LPM_MAX_ENTRIES);
    this.valueSize = options.valueSize;
    this.maxEntries = options.maxEntries;
  }

  get count(): number {
    return this.prefixes.size;
  }

  update(prefix: Ipv4Prefix, value: Uint8Array, flags: BpfUpdateFlag = BPF_ANY): number {
    checkPrefix(prefix);
    checkBytes("LPM value", value, this.valueSize);
    checkFlags(flags);
    if (flags > BPF_EXIST || prefix.length > 32) return -EINVAL;
    const key = canonicalPrefix(prefix);
    const exists = this.prefixes.has(prefixId(key));
    if (exists && flags === BPF_NOEXIST) return -EEXIST;
    if (!exists && flags === BPF_EXIST) return -ENOENT;
    if (!exists && this.prefixes.size === this.maxEntries) return -ENOSPC;
    this.prefixes.set(prefixId(key), { prefix: key, value: value.slice() });
    return 0;
  }

  delete(prefix: Ipv4Prefix): number {
    checkPrefix(prefix);
    if (prefix.length > 32) return -EINVAL;
    return this.prefixes.delete(prefixId(canonicalPrefix(prefix))) ? 0 : -ENOENT;
  }

  get(prefix: Ipv4Prefix): Uint8Array | undefined {
    checkPrefix(prefix);
    if (prefix.length > 32) return undefined;
    return this.prefixes.get(prefixId(canonicalPrefix(prefix)))?.value.slice();
  }

  lookup(address: number): LpmEntry | undefined {
    checkAddress(address);
    for (let length = 32; length >= 0; length--) {
      const entry = this.prefixes.get(prefixId(canonicalPrefix({ address, length })));
      if (entry) return { prefix: entry.prefix, value: entry.value.slice() };
    }
    return undefined;
  }

  lookupBatch(addresses: ArrayLike<number>): (Uint8Array | undefined)[] {
    return Array.from(addresses, (address) => this.lookup(address)?.value);
  }

  nextKey(previous?: Ipv4Prefix): Ipv4Prefix | undefined {
    const sorted = this.sortedPrefixes();
    if (previous === undefined) return sorted[0];
    checkPrefix(previous);
    if (previous.length > 32) throw new RangeError(`prefix length must be 0..32, got ${previous.length}`);
    const cursor = canonicalPrefix(previous);
    return sorted.find((prefix) => comparePrefixes(prefix, cursor) > 0);
  }

  *entries(): IterableIterator<LpmEntry> {
    for (const prefix of this.sortedPrefixes()) {
      const entry = this.prefixes.get(prefixId(prefix));
      if (entry) yield { prefix, value: entry.value.slice() };
    }
  }

  private sortedPrefixes(): Ipv4Prefix[] {
    return [...this.prefixes.values()].map((entry) => entry.prefix).sort(comparePrefixes);
  }
}
