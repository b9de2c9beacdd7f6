// BPF_MAP_TYPE_HASH: fixed key/value sizes, max_entries, update flags as the kernel's
// htab_map_update_elem().
import { HashCore, lookupEach } from "./hash-core";
import { KeyBytes } from "./key-bytes";
import { BPF_EXIST, BPF_NOEXIST, E2BIG, EEXIST, EINVAL, ENOENT } from "./errno";

export class HashMap extends HashCore {
  static check(keySize: u32, valueSize: u32, maxEntries: u32): i32 {
    return HashCore.check(keySize, valueSize, maxEntries, 0);
  }

  constructor(keySize: u32, valueSize: u32, maxEntries: u32) {
    super(keySize, valueSize, maxEntries, 0);
  }

  /** Value of the `keySize`-byte key at `key`, or 0. */
  @inline
  lookup(key: usize): usize {
    const id = this.findId(key);
    return id < 0 ? 0 : this.entryValue(<u32>id);
  }

  /** As lookup, for a map with 4-byte keys (ids, addresses), the key given as its value. */
  @inline
  lookupU32(key: u32): usize {
    const id = this.findU32(key);
    return id < 0 ? 0 : this.entryValue(<u32>id);
  }

  /**
   * Looks up `n` keys stored back to back at `keys`, storing each value pointer (0 = absent) as a
   * u32 at `results`. Returns the number found.
   */
  lookupBatch(keys: usize, n: u32, results: usize): u32 {
    return lookupEach<HashMap>(this, keys, n, results);
  }

  /**
   * Inserts or replaces. 0 or: -EINVAL (flags other than BPF_ANY/NOEXIST/EXIST), -EEXIST (NOEXIST
   * on an existing key), -ENOENT (EXIST on a missing key), -E2BIG (a new key in a full map). As in the
   * kernel, replacing an existing key succeeds in a full map.
   */
  update(key: usize, value: usize, flags: u32): i32 {
    if (flags > BPF_EXIST) return -EINVAL;
    const hash = this.hashOf(key);
    const id = this.findHashed(key, hash);
    if (id >= 0) {
      if (flags == BPF_NOEXIST) return -EEXIST;
      KeyBytes.copy(this.entryValue(<u32>id), value, this.valueSize);
      return 0;
    }
    if (flags == BPF_EXIST) return -ENOENT;
    if (this.count == this.maxEntries) return -E2BIG;
    this.insertNew(key, value, hash);
    return 0;
  }

  /** 0, or -ENOENT if the key is absent. */
  delete(key: usize): i32 {
    const id = this.findId(key);
    if (id < 0) return -ENOENT;
    this.removeId(<u32>id);
    return 0;
  }
}
