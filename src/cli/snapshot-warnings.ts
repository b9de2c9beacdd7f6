// How every command that reads a snapshot loads it: a snapshot in which nothing was recognised is an
// error (the loader throws it, exit 2), and warnings, which may change what the emulated node does,
// are summed up in one line on stderr whatever the command prints on stdout. Router-side outputs
// beside the node dumps (examples/lab-3node-lb) are a cluster run's inputs, not unreadable files.
import { stat } from "node:fs/promises";
import { loadClusterInputs } from "../cluster/load-cluster.js";
import type { Snapshot } from "../model/snapshot.js";
import { loadSnapshot, type LoadOptions } from "../snapshot/load.js";
import { processIo, type CliIo } from "./errors.js";

/** The stderr line summing up a snapshot's warnings, or undefined when it has none. */
export function warningsSummary(snapshot: Snapshot): string | undefined {
  const [first] = snapshot.warnings;
  if (first === undefined) return undefined;
  const count = snapshot.warnings.length;
  const where = first.line > 0 ? `${first.file}:${first.line}` : first.file;
  // Messages quote input text as JSON strings already; a terminal still gets one line, whatever.
  const text = [...`${where}: ${first.message}`].map((c) => (/\p{Cc}/u.test(c) ? " " : c)).join("");
  const shown = text.length > 160 ? `${text.slice(0, 157)}...` : text;
  return `dpemu: the snapshot loaded with ${count} warning${count === 1 ? "" : "s"} (${count === 1 ? "" : "first: "}${shown}); \`dpemu inspect\` lists ${count === 1 ? "it" : "them all"}`;
}

/** The snapshot of a directory read again without its router-side files, when it has some. */
async function withoutRouterSide(path: string, snapshot: Snapshot, options: LoadOptions): Promise<Snapshot> {
  if (!snapshot.warnings.some((w) => w.message.startsWith("unrecognised content"))) return snapshot;
  if (!(await stat(path)).isDirectory()) return snapshot;
  const { snapshot: nodes, router } = await loadClusterInputs(path, options);
  return router.files.length > 0 ? nodes : snapshot;
}

/** Loads the snapshot a command reads and reports its warnings on one stderr line. */
export async function loadCommandSnapshot(
  path: string,
  options: LoadOptions = {},
  io: CliIo = processIo,
): Promise<Snapshot> {
  const snapshot = await withoutRouterSide(path, await loadSnapshot(path, options), options);
  const summary = warningsSummary(snapshot);
  if (summary !== undefined) io.stderr(`${summary}\n`);
  return snapshot;
}
