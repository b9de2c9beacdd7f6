// Node's file-system side of snapshot loading: a directory of dumps, a single file, or a sysdump /
// bugtool archive (read into memory, never unpacked to disk).
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Snapshot } from "../model/snapshot.js";
import { InputError } from "./errors.js";
import { parseSnapshotFiles, type SnapshotFile, type SnapshotOptions } from "./parse-files.js";

/** Options of loadSnapshot: those of parseSnapshotFiles, bar the source label. */
export type LoadOptions = Omit<SnapshotOptions, "source">;

async function collect(root: string, dir: string, out: SnapshotFile[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await collect(root, path, out);
    else if (entry.isFile()) out.push({ name: path, bytes: new Uint8Array(await readFile(path)) });
  }
  void root;
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
  const files: SnapshotFile[] = [];
  if (info.isDirectory()) await collect(path, path, files);
  else files.push({ name: path, bytes: new Uint8Array(await readFile(path)) });
  if (files.length === 0)
    throw new InputError({ file: path, line: 0 }, "expected dump files, found an empty directory");
  return parseSnapshotFiles(files, { ...options, source: path });
}

/** A path relative to the snapshot root, for display. */
export function displayPath(root: string, file: string): string {
  return relative(root, file) || file;
}
