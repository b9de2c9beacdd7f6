// Joins several dumps of one BPF map taken on the same node (say `bpf ipcache list` and
// `map get cilium_ipcache_v2`) into one table. A map holds each key once, so entries are merged by
// key; where two dumps disagree the later one wins and the disagreement is reported, never hidden.
import type { SnapshotWarning } from "./errors.js";
import type { Located } from "./node-dumps.js";

export interface TableKeying<T> {
  /** What one entry is called in messages, e.g. "ipcache entry". */
  readonly entryName: string;
  /** The map key of an entry, as text. */
  readonly key: (entry: T) => string;
  /** The part of an entry both dumps must agree on, as text (default: all of it, as JSON). */
  readonly comparable?: (entry: T) => string;
  /** How a later dump's entry replaces an earlier one (default: the later entry). */
  readonly combine?: (earlier: T, later: T) => T;
  /** Dumps of this table are expected to differ (e.g. counters taken at different times). */
  readonly quietConflicts?: boolean;
}

/** JSON that keeps bigints, for comparing entries. */
function comparableText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
}

function where(dump: Located<unknown>): string {
  return dump.where.line > 0 ? `${dump.where.file}:${dump.where.line}` : dump.where.file;
}

/**
 * One table from the dumps of one map, in the first dump's order with later additions appended. A
 * single dump is taken as it is; so are repeated keys within one dump (only dumps are merged).
 */
export function mergeTables<T>(
  dumps: readonly Located<readonly T[]>[],
  keying: TableKeying<T>,
  warn: (warning: SnapshotWarning) => void,
): T[] {
  if (dumps.length === 1) return [...(dumps[0]?.value ?? [])];
  const table: T[] = [];
  /** The dump each table entry last came from. */
  const sources: Located<readonly T[]>[] = [];
  const positions = new Map<string, number>();
  const comparable = keying.comparable ?? comparableText;
  for (const dump of dumps) {
    // Conflicts per earlier dump, reported once per pair of dumps with an example key.
    const conflicts = new Map<Located<readonly T[]>, { count: number; example: string }>();
    for (const entry of dump.value) {
      const key = keying.key(entry);
      const index = positions.get(key);
      const from = index === undefined ? undefined : sources[index];
      if (index === undefined || from === undefined || from === dump) {
        positions.set(key, table.length);
        table.push(entry);
        sources.push(dump);
        continue;
      }
      const before = table[index] as T;
      if (comparable(before) !== comparable(entry)) {
        const seen = conflicts.get(from) ?? { count: 0, example: key };
        conflicts.set(from, { count: seen.count + 1, example: seen.example });
      }
      table[index] = keying.combine ? keying.combine(before, entry) : entry;
      sources[index] = dump;
    }
    if (keying.quietConflicts) continue;
    for (const [earlier, { count, example }] of conflicts) {
      warn({
        file: dump.where.file,
        line: dump.where.line,
        message: `${count} ${keying.entryName}${count === 1 ? "" : "s"} (e.g. ${example}) differ from the dump at ${where(earlier)}; using this later dump's`,
      });
    }
  }
  return table;
}
