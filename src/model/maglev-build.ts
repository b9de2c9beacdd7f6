// Cilium's Maglev table build (pkg/maglev/maglev.go, GetLookupTable / computeLookupTable) in plain
// TypeScript, written as directly as possible: the twin of assembly/lb/maglev.ts, run by the
// reference datapath and by buildMaglevTableSync (src/lb/maglev.ts). The permutation entry
// perm_i[j] = (offset_i + j * skip_i) mod M is computed when needed instead of stored.
import { MAGLEV_EMPTY, MAGLEV_TABLE_SIZES, type MaglevEntry } from "./maglev-table.js";
import { murmur3Hash128 } from "./murmur3.js";

const utf8 = new TextEncoder();

/** Go's string order: byte-wise on the UTF-8 encoding, a proper prefix sorts first. */
function compareGoStrings(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  }
  return x.length - y.length;
}

/** Cilium's getOffsetAndSkip: offset = h1 mod M, skip = h2 mod (M - 1) + 1. */
export function offsetAndSkip(hashString: string, m: number, seedMurmur: number): [number, number] {
  const [h1, h2] = murmur3Hash128(utf8.encode(hashString), seedMurmur);
  return [Number(h1 % BigInt(m)), Number(h2 % BigInt(m - 1)) + 1];
}

/** Whether `m` is one of Cilium's supported table sizes. */
export function maglevTableSizeSupported(m: number): boolean {
  return MAGLEV_TABLE_SIZES.includes(m);
}

/** The Maglev table of M backend IDs for `entries`, entry for entry as Cilium builds it. */
export function maglevBuild(entries: readonly MaglevEntry[], m: number, seedMurmur: number): Uint32Array {
  if (!maglevTableSizeSupported(m)) throw new Error(`unsupported Maglev table size ${m}`);
  if (entries.length === 0) throw new Error("a Maglev table needs at least one backend");

  const backends = [...entries].sort((a, b) => compareGoStrings(a.hashString, b.hashString));
  const l = backends.length;
  const perms = backends.map((b) => offsetAndSkip(b.hashString, m, seedMurmur));
  const perm = (i: number, j: number): number => {
    const [offset, skip] = perms[i]!;
    return (offset + j * skip) % m;
  };

  const weightSum = backends.reduce((sum, b) => sum + b.weight, 0);
  const weightCounter = backends.map((b) => b.weight / l);
  const weightsUsed = Math.floor(weightSum / l) > 1;

  const next = new Array<number>(l).fill(0);
  const entry = new Uint32Array(m).fill(MAGLEV_EMPTY);
  for (let n = 0; n < m; n++) {
    let i = n % l;
    for (;;) {
      if (weightsUsed) {
        // Cilium: if (n+1)*weight < uint64(weightCntr[i]) the backend skips this turn.
        if ((n + 1) * backends[i]!.weight < Math.trunc(weightCounter[i]!)) {
          i = (i + 1) % l;
          continue;
        }
        weightCounter[i] = weightCounter[i]! + weightSum;
      }
      let c = perm(i, next[i]!);
      while (entry[c] !== MAGLEV_EMPTY) {
        next[i] = next[i]! + 1;
        c = perm(i, next[i]!);
      }
      entry[c] = backends[i]!.id;
      next[i] = next[i]! + 1;
      break;
    }
  }
  return entry;
}
