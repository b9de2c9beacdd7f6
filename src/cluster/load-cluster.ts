// Node's file-system side of loading a cluster: a directory holds node dumps and, beside them, the
// router-side outputs (ip route, vtysh, leases, route policies), recognised by content; the node
// dumps go to the snapshot loader, the rest to the router parsers. A file or archive is a snapshot
// alone (a sysdump has no router side).
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Snapshot } from "../model/snapshot.js";
import { loadSnapshot, type LoadOptions } from "../snapshot/load.js";
import { parseSnapshotFiles, type SnapshotFile } from "../snapshot/parse-files.js";
import { DEFAULT_UNPACK_LIMITS } from "../snapshot/archive/limits.js";
import { escapedWarning, InputError, type SnapshotWarning } from "../snapshot/errors.js";
import { emptyRouterInputs, readRouterFiles, type RouterInputs } from "./router/router-inputs.js";

/** A snapshot of several nodes and the router side of the cluster. */
export interface ClusterInputs {
  readonly snapshot: Snapshot;
  readonly router: RouterInputs;
}

/** Every regular file under `dir` (recursively, sorted by name, dot files skipped), each at most `maxBytes`. */
export async function regularFiles(
  dir: string,
  maxBytes: number,
  out: { name: string; bytes: Uint8Array }[],
): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await regularFiles(path, maxBytes, out);
      continue;
    }
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile() !== true)
      throw new InputError(
        { file: path, line: 0 },
        "expected a regular file or directory in the snapshot directory",
      );
    if (info.size > maxBytes)
      throw new InputError(
        { file: path, line: 0 },
        `expected a file of at most ${maxBytes} bytes, found ${info.size}`,
      );
    out.push({ name: path, bytes: new Uint8Array(await readFile(path)) });
  }
}

/** Loads a cluster's dumps and router side from a directory (or a snapshot alone from a file or archive). */
export async function loadClusterInputs(path: string, options: LoadOptions = {}): Promise<ClusterInputs> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory())
    return { snapshot: await loadSnapshot(path, options), router: emptyRouterInputs() };
  const limits = { ...DEFAULT_UNPACK_LIMITS, ...options.limits };
  const found: { name: string; bytes: Uint8Array }[] = [];
  await regularFiles(path, limits.maxMemberBytes, found);
  const decoder = new TextDecoder("utf-8");
  const texts = found.flatMap((f) =>
    f.bytes.subarray(0, 8192).includes(0) ? [] : [{ name: f.name, text: decoder.decode(f.bytes) }],
  );
  const warnings: SnapshotWarning[] = [];
  const { inputs, rest } = readRouterFiles(texts, {
    lenient: options.lenient ?? false,
    warn: (w) => warnings.push(escapedWarning(w)),
  });
  const routerFiles = new Set(inputs.files.map((f) => f.file));
  const dumps: SnapshotFile[] = found.filter((f) => !routerFiles.has(f.name) || rest.includes(f.name));
  if (dumps.length === 0)
    throw new InputError(
      { file: path, line: 0 },
      "expected node dumps beside the router-side files, found none",
    );
  const snapshot = parseSnapshotFiles(dumps, { ...options, source: path });
  return { snapshot: { ...snapshot, warnings: [...snapshot.warnings, ...warnings] }, router: inputs };
}
