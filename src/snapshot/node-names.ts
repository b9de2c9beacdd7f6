// Which node each input file was taken on. Sources, strongest first:
// 1. the archive layout: a sysdump holds one `cilium-bugtool-<pod>-<timestamp>/` tree per agent;
// 2. a node qualifier in the file name, `<command>.<node>.txt`, recognised as a node name when
//    several files hold dumps of the same per-node kind with different qualifiers (three
//    `bpf-ipcache-list.<node>.txt` files, say); a lone qualifier such as `bpf-lb-list.webpod.txt`
//    is only a description.

const BUGTOOL_DIR = /(?:^|\/)cilium-bugtool-(.+?)-\d{8}-\d{6}[^/]*\//;

/** The agent pod a file belongs to when it sits in a bugtool directory of a sysdump. */
export function nodeFromArchivePath(path: string): string | undefined {
  return BUGTOOL_DIR.exec(path)?.[1];
}

/** `bpf-ipcache-list.k8s-ctr.txt` -> { stem: "bpf-ipcache-list", qualifier: "k8s-ctr" }. */
export function fileQualifier(path: string): { stem: string; qualifier: string } | undefined {
  const base = path.split(/[/\\!]/).pop() ?? path;
  const m = /^([^.]+)\.([A-Za-z0-9][\w.-]*?)\.(txt|md|log|out|json|yaml)$/.exec(base);
  return m ? { stem: m[1] ?? "", qualifier: m[2] ?? "" } : undefined;
}

export interface FileKinds {
  readonly file: string;
  readonly kinds: readonly string[];
  readonly archiveNode: string | undefined;
}

/** Node per file (undefined when nothing names it). */
export function assignNodes(files: readonly FileKinds[]): Map<string, string | undefined> {
  const qualifiersByKind = new Map<string, Set<string>>();
  const filesByKind = new Map<string, number>();
  for (const f of files) {
    const q = fileQualifier(f.file);
    for (const kind of new Set(f.kinds)) {
      filesByKind.set(kind, (filesByKind.get(kind) ?? 0) + 1);
      if (q && f.archiveNode === undefined) {
        const set = qualifiersByKind.get(kind) ?? new Set<string>();
        set.add(q.qualifier);
        qualifiersByKind.set(kind, set);
      }
    }
  }
  const nodeNames = new Set<string>();
  for (const [kind, qualifiers] of qualifiersByKind) {
    if (qualifiers.size >= 2 && (filesByKind.get(kind) ?? 0) >= 2)
      for (const q of qualifiers) nodeNames.add(q);
  }
  const result = new Map<string, string | undefined>();
  for (const f of files) {
    const q = fileQualifier(f.file)?.qualifier;
    result.set(f.file, f.archiveNode ?? (q !== undefined && nodeNames.has(q) ? q : undefined));
  }
  return result;
}

/** A sysdump's pod summary (`kubectl get pods -A -o wide`), by file name. */
const POD_SUMMARY = /(?:^|\/)(?:k8s-pods|po)-[^/]*\.txt$/;

/**
 * pod name -> Kubernetes node name, from a sysdump's pod summary (NAME and NODE columns of
 * `kubectl get pods -o wide`); undefined when `path` is not one.
 */
export function podNodes(path: string, text: string): Map<string, string> | undefined {
  if (!POD_SUMMARY.test(path)) return undefined;
  const lines = text.split("\n");
  const header = lines[0] ?? "";
  // kubectl aligns every column under its header; RESTARTS can hold spaces ("2 (5d ago)").
  const nameAt = header.search(/(?:^|\s)NAME(?:\s|$)/);
  const nodeAt = header.search(/\sNODE(?:\s|$)/);
  if (nameAt < 0 || nodeAt < 0) return undefined;
  const cell = (line: string, at: number): string => /^\s*(\S*)/.exec(line.slice(at))?.[1] ?? "";
  const out = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const pod = cell(line, nameAt === 0 ? 0 : nameAt + 1);
    const node = cell(line, nodeAt + 1);
    if (pod !== "" && node !== "" && node !== "<none>") out.set(pod, node);
  }
  return out;
}
