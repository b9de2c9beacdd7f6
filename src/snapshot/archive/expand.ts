// Opens sysdump (.zip) and bugtool (.tar, .tar.gz, .tgz) archives in memory. Browser-safe: fflate's
// inflater and small zip and tar readers, no file system. Members are decompressed one at a time
// and only when asked for, so memory stays near one member whatever the archive holds.
import { Gunzip } from "fflate";
import { InputError } from "../errors.js";
import { ArchiveFormatError, type ArchiveEntry, type ArchiveReadOptions } from "./entries.js";
import { tarEntries } from "./tar.js";
import { zipEntries } from "./zip.js";

export type ArchiveKind = "zip" | "tar" | "tar.gz";

/** Compressed bytes handed to the inflater at a time: bounds what one step can produce. */
const STEP = 64 * 1024;

/** The archive kind by magic bytes (and name for plain tar); undefined for ordinary files. */
export function archiveKind(name: string, bytes: Uint8Array): ArchiveKind | undefined {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return "zip";
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return "tar.gz";
  const ustar = bytes.length >= 263 && new TextDecoder().decode(bytes.subarray(257, 262)) === "ustar";
  return ustar || /\.tar$/i.test(name) ? "tar" : undefined;
}

/** Archive names by extension, to tell nested archives before reading them. */
export const ARCHIVE_NAME = /\.(zip|tar|tar\.gz|tgz)$/i;

/** A gzip stream's content, chunk by chunk, each counted against the budget as it is produced. */
function* gunzipChunks(
  archive: string,
  bytes: Uint8Array,
  options: ArchiveReadOptions,
): Generator<Uint8Array> {
  const produced: Uint8Array[] = [];
  const gunzip = new Gunzip((chunk) => produced.push(chunk));
  for (let at = 0; at < bytes.length; at += STEP) {
    gunzip.push(bytes.subarray(at, at + STEP), at + STEP >= bytes.length);
    for (const chunk of produced) {
      options.budget.spend(archive, chunk.length);
      yield chunk;
    }
    produced.length = 0;
  }
}

/**
 * The members of an archive that `options.wanted` asks for, read lazily. Corrupt archives are bad
 * input (InputError naming the archive); limits are enforced as members are decompressed.
 */
export function* expandArchive(
  name: string,
  kind: ArchiveKind,
  bytes: Uint8Array,
  options: ArchiveReadOptions,
): Generator<ArchiveEntry> {
  try {
    if (kind === "zip") yield* zipEntries(name, bytes, options);
    else yield* tarEntries(name, kind === "tar.gz" ? gunzipChunks(name, bytes, options) : [bytes], options);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const reason =
      error instanceof ArchiveFormatError || error instanceof Error ? error.message : String(error);
    throw new InputError(
      { file: name, line: 0 },
      `expected a readable ${kind} archive, found a corrupt one (${reason})`,
    );
  }
}
