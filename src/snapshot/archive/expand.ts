// Opens sysdump (.zip) and bugtool (.tar, .tar.gz, .tgz) archives in memory. Browser-safe: fflate
// and a small tar reader, no file system.
import { gunzipSync, unzipSync } from "fflate";
import { InputError } from "../errors.js";
import { ArchiveFormatError, readTar, type ArchiveEntry } from "./tar.js";

export type ArchiveKind = "zip" | "tar" | "tar.gz";

/** The archive kind by magic bytes (and name for plain tar); undefined for ordinary files. */
export function archiveKind(name: string, bytes: Uint8Array): ArchiveKind | undefined {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return "zip";
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return "tar.gz";
  const ustar = bytes.length >= 263 && new TextDecoder().decode(bytes.subarray(257, 262)) === "ustar";
  return ustar || /\.tar$/i.test(name) ? "tar" : undefined;
}

/** The regular files inside an archive. Corrupt archives are bad input (InputError). */
export function expandArchive(name: string, kind: ArchiveKind, bytes: Uint8Array): ArchiveEntry[] {
  try {
    if (kind === "zip") {
      const files = unzipSync(bytes);
      return Object.entries(files)
        .filter(([path]) => !path.endsWith("/"))
        .map(([path, data]) => ({ path, bytes: data }));
    }
    return readTar(kind === "tar.gz" ? gunzipSync(bytes) : bytes);
  } catch (error) {
    const reason =
      error instanceof ArchiveFormatError || error instanceof Error ? error.message : String(error);
    throw new InputError(
      { file: name, line: 0 },
      `expected a readable ${kind} archive, found a corrupt one (${reason})`,
    );
  }
}
