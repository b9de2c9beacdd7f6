// A hash table keyed by a pair of u32 (an address and a port, a rev-NAT ID and a backend...) with two
// numeric columns, in typed arrays: lookups and increments on the per-packet path allocate nothing
// (a JS Map keyed by a 48-bit number boxes the key on every call). It only grows.

function mix(hi: number, lo: number): number {
  let x = (hi ^ Math.imul(lo, 0x9e3779b1)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The plain-data form (structured clone, merging). */
export interface PairTableEntries {
  hi: number[];
  lo: number[];
  a: number[];
  b: number[];
}

export class PairTable {
  private mask: number;
  private his: Uint32Array;
  private los: Uint32Array;
  private used: Uint8Array;
  private as: Float64Array;
  private bs: Float64Array;
  private count = 0;

  constructor(capacity = 64) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.mask = size - 1;
    this.his = new Uint32Array(size);
    this.los = new Uint32Array(size);
    this.used = new Uint8Array(size);
    this.as = new Float64Array(size);
    this.bs = new Float64Array(size);
  }

  get size(): number {
    return this.count;
  }

  /** Slot of the key, or -1. */
  find(hi: number, lo: number): number {
    hi >>>= 0;
    lo >>>= 0;
    let i = mix(hi, lo) & this.mask;
    while (this.used[i] === 1) {
      if (this.his[i] === hi && this.los[i] === lo) return i;
      i = (i + 1) & this.mask;
    }
    return -1;
  }

  has(hi: number, lo: number): boolean {
    return this.find(hi, lo) >= 0;
  }

  /** Slot of the key, inserted (with zero columns) if absent. */
  slot(hi: number, lo: number): number {
    hi >>>= 0;
    lo >>>= 0;
    let i = mix(hi, lo) & this.mask;
    while (this.used[i] === 1) {
      if (this.his[i] === hi && this.los[i] === lo) return i;
      i = (i + 1) & this.mask;
    }
    if ((this.count + 1) * 2 > this.mask + 1) {
      this.grow();
      return this.slot(hi, lo);
    }
    this.used[i] = 1;
    this.his[i] = hi;
    this.los[i] = lo;
    this.count++;
    return i;
  }

  add(hi: number, lo: number, a: number, b: number): void {
    const i = this.slot(hi, lo);
    this.as[i]! += a;
    this.bs[i]! += b;
  }

  a(slot: number): number {
    return this.as[slot]!;
  }

  b(slot: number): number {
    return this.bs[slot]!;
  }

  addA(slot: number, n: number): void {
    this.as[slot]! += n;
  }

  addB(slot: number, n: number): void {
    this.bs[slot]! += n;
  }

  entries(): PairTableEntries {
    const out: PairTableEntries = { hi: [], lo: [], a: [], b: [] };
    for (let i = 0; i <= this.mask; i++) {
      if (this.used[i] !== 1) continue;
      out.hi.push(this.his[i]!);
      out.lo.push(this.los[i]!);
      out.a.push(this.as[i]!);
      out.b.push(this.bs[i]!);
    }
    return out;
  }

  addEntries(entries: PairTableEntries): void {
    for (let k = 0; k < entries.hi.length; k++) {
      this.add(entries.hi[k]!, entries.lo[k]!, entries.a[k]!, entries.b[k]!);
    }
  }

  private grow(): void {
    const old = this.entries();
    const size = (this.mask + 1) * 2;
    this.mask = size - 1;
    this.his = new Uint32Array(size);
    this.los = new Uint32Array(size);
    this.used = new Uint8Array(size);
    this.as = new Float64Array(size);
    this.bs = new Float64Array(size);
    this.count = 0;
    this.addEntries(old);
  }
}
