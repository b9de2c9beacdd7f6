// How much an archive may unpack to. A sysdump is tens of MB; a zip bomb inflates kilobytes into
// gigabytes. Every byte inflated is counted against a budget so a bomb stops at the cap, with an
// error naming the member and the limit, instead of exhausting memory.
import { InvalidInputError } from "../../model/errors.js";
import { InputError } from "../errors.js";

/** Caps on what loading a snapshot may unpack and read. */
export interface UnpackLimits {
  /** Largest single file: an archive member after decompression, or a dump file read as text. */
  readonly maxMemberBytes: number;
  /** All archive members together, after decompression (nested archives count at every level). */
  readonly maxTotalBytes: number;
  /** Members in one archive. */
  readonly maxEntries: number;
}

const MiB = 1024 * 1024;

/** Generous defaults: 256 MiB per member, 1 GiB in total, 200,000 members per archive. */
export const DEFAULT_UNPACK_LIMITS: UnpackLimits = {
  maxMemberBytes: 256 * MiB,
  maxTotalBytes: 1024 * MiB,
  maxEntries: 200_000,
};

/** The option that raises the limits, named in every limit error. */
const RAISE_HINT = "raise it with --max-unpacked MEMBER[,TOTAL] or the loader's `limits` option";

/** A byte count as people write limits: `256 MiB`, `1 GiB`, `512 bytes`. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ["GiB", 1024 * MiB],
    ["MiB", MiB],
    ["KiB", 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

/** Counts decompressed bytes against the limits; throws InputError naming what went over. */
export class UnpackBudget {
  readonly limits: UnpackLimits;
  private used = 0;

  constructor(limits: Partial<UnpackLimits> = {}) {
    this.limits = { ...DEFAULT_UNPACK_LIMITS, ...limits };
    for (const [key, value] of Object.entries(this.limits)) {
      if (!Number.isSafeInteger(value) || value <= 0)
        throw new RangeError(`unpack limit ${key} must be a positive integer, got ${String(value)}`);
    }
  }

  /** Refuses a member whose size (declared or read so far) is over the per-member limit. */
  checkMember(member: string, bytes: number): void {
    if (bytes > this.limits.maxMemberBytes) {
      throw new InputError(
        { file: member, line: 0 },
        `expected at most ${formatBytes(this.limits.maxMemberBytes)} per file, found more (${RAISE_HINT})`,
      );
    }
  }

  /** Records `bytes` more decompressed out of `archive`; refuses once the total is over. */
  spend(archive: string, bytes: number): void {
    this.used += bytes;
    if (this.used > this.limits.maxTotalBytes) {
      throw new InputError(
        { file: archive, line: 0 },
        `expected archives to unpack to at most ${formatBytes(this.limits.maxTotalBytes)} in total, found more (${RAISE_HINT})`,
      );
    }
  }

  /** Refuses `bytes` more (what an archive declares it holds) when they would go over the total. */
  checkTotal(archive: string, bytes: number): void {
    if (this.used + bytes > this.limits.maxTotalBytes) this.spend(archive, bytes);
  }

  /** Refuses an archive with more members than the limit, before reading any of them. */
  checkEntries(archive: string, entries: number, counted = false): void {
    if (entries > this.limits.maxEntries) {
      throw new InputError(
        { file: archive, line: 0 },
        `expected at most ${this.limits.maxEntries} archive members, found ${counted ? "more" : entries} (raise it with the loader's \`limits.maxEntries\` option)`,
      );
    }
  }
}

/** Parses a `--max-unpacked` value: `MEMBER[,TOTAL]`, each a byte count with an optional K/M/G suffix. */
export function parseUnpackLimits(text: string): Partial<UnpackLimits> {
  const sizes = text.split(",").map((part) => {
    const m = /^\s*(\d+)\s*([KMG]i?B?)?\s*$/i.exec(part);
    const unit = (m?.[2] ?? "").charAt(0).toUpperCase();
    const scale = unit === "K" ? 1024 : unit === "M" ? MiB : unit === "G" ? 1024 * MiB : 1;
    const value = m === null ? NaN : Number(m[1]) * scale;
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  });
  const [member, total] = sizes;
  if (sizes.length > 2 || member === undefined || (sizes.length === 2 && total === undefined))
    throw new InvalidInputError(
      `expected --max-unpacked MEMBER[,TOTAL] as byte counts (e.g. 512M or 512M,4G), found ${JSON.stringify(text)}`,
    );
  return {
    maxMemberBytes: member,
    maxTotalBytes: total ?? Math.max(member, DEFAULT_UNPACK_LIMITS.maxTotalBytes),
  };
}
