// What the archive readers hand out, and what they are told about which members to read.
import type { UnpackBudget } from "./limits.js";

/** A member read out of an archive. */
export interface ArchiveEntry {
  /** Path inside the archive. */
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface ArchiveReadOptions {
  /** Every decompressed byte is counted here; the readers stop at its limits. */
  readonly budget: UnpackBudget;
  /** Whether to read a member, decided by its path before it is decompressed. */
  readonly wanted: (path: string) => boolean;
}

/** Damage in an archive's structure; the caller names the archive. */
export class ArchiveFormatError extends Error {}
