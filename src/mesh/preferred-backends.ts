// The ` (preferred)` markers of `cilium service list --clustermesh-affinity` (Cilium ≤ 1.17 marks the
// backends its affinity prefers; docs/clustermesh.md, fact 4): read from a cluster's service lists so
// the affinity a dump was taken with can be recovered — local when only the cluster's own backends are
// preferred, remote when only the others' are.
import { serviceListFormat } from "../snapshot/formats/service-list.js";
import { wholeFile } from "../snapshot/dump-source.js";
import { frontendText } from "../model/service.js";
import { parseIPv4 } from "../model/ipv4.js";

/** Frontend "IP:PORT/PROTO" → the backend addresses the dump marks preferred (only frontends with any). */
export type PreferredBackends = ReadonlyMap<string, ReadonlySet<number>>;

/** Comment lines and `...` elisions are blanked, as the snapshot splitter does, keeping line numbers. */
const blankNoise = (line: string): string => (line.startsWith("#") || line.trim() === "..." ? "" : line);

/** The preferred backends a text file shows, if it is a service list (otherwise none). */
export function preferredBackends(file: string, text: string): Map<string, Set<number>> {
  const source = wholeFile(file, text);
  const lines = source.lines.map(blankNoise);
  const out = new Map<string, Set<number>>();
  if (!serviceListFormat.matches(lines)) return out;
  const dump = serviceListFormat.parse({ ...source, lines }, { lenient: true, warn: () => undefined });
  for (const s of dump.services) {
    const preferred = s.backends.flatMap((b) => (b.preferred ? [parseIPv4(b.address) ?? 0] : []));
    if (preferred.length > 0) out.set(frontendText(s.frontend), new Set(preferred));
  }
  return out;
}
