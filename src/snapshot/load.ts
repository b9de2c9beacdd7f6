// Node's file-system side of snapshot loading: a directory of dumps, a single file, or a sysdump /
// bugtool archive (read into memory, never unpacked to disk). Only regular files and directories
// are read: a device or FIFO (`/dev/zero`, a named pipe) would never end.
import type { Stats } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Snapshot } from "../model/snapshot.js";
import { DEFAULT_UNPACK_LIMITS, formatBytes } from "./archive/limits.js";
import { InputError } from "./errors.js";
import { parseSnapshotFiles, type SnapshotFile, type SnapshotOptions } from "./parse-files.js";

/** Options of loadSnapshot: those of parseSnapshotFiles, bar the source label. */
export type LoadOptions = Omit<SnapshotOptions, "source">;

/** What a path is, for messages about paths that are neither file nor directory. */
function fileType(info: Stats): string {
  if (info.isFIFO()) return "a FIFO";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  if (info.isSocket()) return "a socket";
  return "not a regular file";
}

/** Reads a regular file, refusing one larger than any file or archive dpemu would read. */
async function readRegular(path: string, info: Stats, maxBytes: number): Promise<SnapshotFile> {
  if (info.size > maxBytes) {
    throw new InputError(
      { file: path, line: 0 },
      `expected a file of at most ${formatBytes(maxBytes)}, found ${info.size} bytes (raise it with --max-unpacked MEMBER[,TOTAL])`,
    );
  }
  return { name: path, bytes: new Uint8Array(await readFile(path)) };
}

async function collect(dir: string, maxBytes: number, out: SnapshotFile[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await collect(path, maxBytes, out);
      continue;
    }
    // Symlinks are followed to regular files only (a link to a directory could loop).
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile() === true) out.push(await readRegular(path, info, maxBytes));
    else {
      const found =
        info === undefined
          ? "a dangling symlink"
          : info.isDirectory()
            ? "a symlink to a directory"
            : fileType(info);
      throw new InputError(
        { file: path, line: 0 },
        `expected a regular file or directory in the snapshot directory, found ${found}`,
      );
    }
  }
}

/** Loads a snapshot from a directory, a file or an archive. */
export async function loadSnapshot(path: string, options: LoadOptions = {}): Promise<Snapshot> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new InputError(
      { file: path, line: 0 },
      "expected a snapshot directory, dump file or archive, found nothing at that path",
    );
  }
  // A file is a dump (at most one member's size) or an archive (at most the total it may unpack to).
  const limits = { ...DEFAULT_UNPACK_LIMITS, ...options.limits };
  const maxBytes = Math.max(limits.maxMemberBytes, limits.maxTotalBytes);
  const files: SnapshotFile[] = [];
  if (info.isDirectory()) await collect(path, maxBytes, files);
  else if (info.isFile()) files.push(await readRegular(path, info, maxBytes));
  else {
    throw new InputError(
      { file: path, line: 0 },
      `expected a snapshot directory, dump file or archive, found ${fileType(info)}`,
    );
  }
  if (files.length === 0)
    throw new InputError({ file: path, line: 0 }, "expected dump files, found an empty directory");
  return parseSnapshotFiles(files, { ...options, source: path });
}

/** A path relative to the snapshot root, for display. */
export function displayPath(root: string, file: string): string {
  return relative(root, file) || file;
}
