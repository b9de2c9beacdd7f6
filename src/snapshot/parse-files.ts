// The in-memory entry point (Node and browsers): files (dumps, or sysdump/bugtool archives) in,
// a Snapshot out. Node's file-system side is in load.ts.
import { mergeAgentConfig, type AgentConfig } from "../model/agent-config.js";
import type { DumpRecord, NodeView, Snapshot } from "../model/snapshot.js";
import { frontendText } from "../model/service.js";
import type { ArchiveEntry } from "./archive/entries.js";
import { ARCHIVE_NAME, archiveKind, expandArchive } from "./archive/expand.js";
import { UnpackBudget, type UnpackLimits } from "./archive/limits.js";
import { mayHoldDump } from "./archive/member-names.js";
import { assembleLb } from "./assemble-lb.js";
import { compareMaglevTables } from "./compare-maglev.js";
import { escapedWarning, InputError, type ParseOptions, type SnapshotWarning } from "./errors.js";
import { checkOneNode } from "./node-conflicts.js";
import { NodeDumps } from "./node-dumps.js";
import { assignNodes, nodeFromArchivePath, podNodes } from "./node-names.js";
import { readSegment } from "./read-segment.js";
import type { DumpFamily, RegisteredFormat } from "./registry.js";
import { splitDumps } from "./split.js";
import { ipv6Entries, stateTables } from "./state-tables.js";

/** One input file: its name and its text or bytes. */
export interface SnapshotFile {
  readonly name: string;
  readonly text?: string;
  readonly bytes?: Uint8Array;
}

/** How to parse a snapshot: the node to view, lenient parsing, the name used in messages. */
export interface SnapshotOptions {
  /** The node whose view the datapath takes. */
  readonly node?: string;
  /** Skip unparseable lines with a warning instead of failing. */
  readonly lenient?: boolean;
  /** How to name the snapshot in messages (default: the first file's name). */
  readonly source?: string;
  /**
   * Caps on unpacking archives and reading files (defaults: 256 MiB per file or member, 1 GiB
   * unpacked in total, 200,000 members per archive); going over is an InputError naming the limit.
   */
  readonly limits?: Partial<UnpackLimits>;
}

/** The name of the view when no dump says which node it came from. */
export const UNNAMED_NODE = "(unnamed)";

interface TextFile {
  readonly name: string;
  readonly text: string;
  readonly archiveNode: string | undefined;
  readonly inArchive: boolean;
}

interface ParsedDump {
  readonly registered: RegisteredFormat;
  readonly model: unknown;
  readonly file: string;
  readonly line: number;
}

const decoder = new TextDecoder("utf-8");

function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8192).includes(0);
}

/** How deep archives are opened: a sysdump (depth 0) and the bugtool archives inside it (depth 1). */
const MAX_ARCHIVE_DEPTH = 1;

/** Archive members not read, per outermost archive, for one summary warning each. */
type Unread = Map<string, string[]>;

function noteUnread(unread: Unread, file: string): void {
  const archive = file.split("!/")[0] ?? file;
  let names = unread.get(archive);
  if (names === undefined) unread.set(archive, (names = []));
  names.push(file.slice(file.lastIndexOf("/") + 1));
}

/** Every directory an archive's paths sit in, ancestors included. */
function directoriesOf(paths: readonly string[]): Set<string> {
  const dirs = new Set<string>();
  for (const path of paths) {
    for (let slash = path.indexOf("/"); slash >= 0; slash = path.indexOf("/", slash + 1))
      dirs.add(path.slice(0, slash));
  }
  return dirs;
}

/**
 * Flattens archives (a sysdump and the bugtool archives inside it) into text files, one at a time:
 * each file's bytes can be dropped once it is parsed. Members that cannot hold a dump by name are
 * skipped before they are decompressed; deeper archives are reported, never silently dropped.
 */
function* textFiles(
  files: readonly SnapshotFile[],
  budget: UnpackBudget,
  warn: (warning: SnapshotWarning) => void,
  unread: Unread,
  skipped: Map<string, string>,
): Generator<TextFile> {
  function* visit(file: SnapshotFile, depth: number, inArchive: boolean): Generator<TextFile> {
    const { name, bytes } = file;
    let text = file.text;
    if (bytes !== undefined) {
      const kind = archiveKind(name, bytes);
      if (kind !== undefined && depth > MAX_ARCHIVE_DEPTH) {
        warn({
          file: name,
          line: 0,
          message: `nested ${kind} archive not opened (dpemu opens an archive and the archives directly inside it)`,
        });
        return;
      }
      if (kind !== undefined) {
        const wanted = (path: string) => {
          if (mayHoldDump(path)) return true;
          noteUnread(unread, `${name}!/${path}`);
          return false;
        };
        // Nested archives are opened after the rest, when every path of this one is known.
        const nested: ArchiveEntry[] = [];
        const paths: string[] = [];
        for (const entry of expandArchive(name, kind, bytes, { budget, wanted })) {
          paths.push(entry.path);
          if (ARCHIVE_NAME.test(entry.path) || archiveKind(entry.path, entry.bytes) !== undefined)
            nested.push(entry);
          else yield* visit({ name: `${name}!/${entry.path}`, bytes: entry.bytes }, depth + 1, true);
        }
        const dirs = directoriesOf(paths);
        for (const entry of nested) {
          // A sysdump keeps each bugtool archive both packed and unpacked: read the unpacked tree.
          const unpacked = entry.path.replace(/\.(tar\.gz|tgz|tar|zip)$/i, "");
          if (unpacked !== entry.path && dirs.has(unpacked)) continue;
          yield* visit({ name: `${name}!/${entry.path}`, bytes: entry.bytes }, depth + 1, true);
        }
        return;
      }
      budget.checkMember(name, bytes.length);
      if (isBinary(bytes)) {
        if (inArchive) noteUnread(unread, name);
        else warn({ file: name, line: 0, message: "binary file skipped (not a cilium-dbg dump)" });
        skipped.set(name, "binary");
        return;
      }
      text = decoder.decode(bytes);
    } else if (text !== undefined) budget.checkMember(name, text.length);
    yield {
      name,
      text: text ?? "",
      archiveNode: nodeFromArchivePath(name.split("!/").slice(1).join("/")),
      inArchive,
    };
  }
  for (const f of files) yield* visit(f, 0, false);
}

/** Every file's dumps and what the files say about the nodes they came from. */
interface ReadFiles {
  readonly parsed: ReadonlyMap<string, readonly ParsedDump[]>;
  readonly archiveNodes: ReadonlyMap<string, string | undefined>;
  /** Agent pod -> Kubernetes node, from the sysdump files that list the pods. */
  readonly podNodeNames: ReadonlyMap<string, string>;
}

/** Reads every file (archives flattened) into its dumps; a snapshot with none is an InputError. */
function readFiles(
  files: readonly SnapshotFile[],
  options: SnapshotOptions,
  source: string,
  warnings: readonly SnapshotWarning[],
  warn: (w: SnapshotWarning) => void,
): ReadFiles {
  const parseOptions: ParseOptions = { lenient: options.lenient ?? false, warn };
  const parsed = new Map<string, ParsedDump[]>();
  const archiveNodes = new Map<string, string | undefined>();
  const unread: Unread = new Map();
  const budget = new UnpackBudget(options.limits);
  // Why each file that gave no dump was skipped, for the "no dump recognised" error.
  const skipped = new Map<string, string>();
  const podNodeNames = new Map<string, string>();
  for (const file of textFiles(files, budget, warn, unread, skipped)) {
    archiveNodes.set(file.name, file.archiveNode);
    for (const [pod, node] of podNodes(file.name, file.text) ?? []) podNodeNames.set(pod, node);
    const dumps = readTextFile(file, parseOptions, unread, skipped);
    parsed.set(file.name, dumps);
    if (dumps.length > 0) skipped.delete(file.name);
  }
  if ([...parsed.values()].every((dumps) => dumps.length === 0))
    throw noDumpRecognised(source, skipped, warnings);
  for (const [archive, names] of unread) {
    const unique = [...new Set(names)];
    warn({
      file: archive,
      line: 0,
      message: `${unique.length} archive files hold no dump dpemu reads (e.g. ${unique.slice(0, 4).join(", ")})`,
    });
  }
  return { parsed, archiveNodes, podNodeNames };
}

/** The dumps of one text file; content no format recognises is warned about (or noted, in archives). */
function readTextFile(
  file: TextFile,
  parseOptions: ParseOptions,
  unread: Unread,
  skipped: Map<string, string>,
): ParsedDump[] {
  const dumps: ParsedDump[] = [];
  const segments = splitDumps(file.name, file.text);
  if (segments.length === 0) skipped.set(file.name, "empty");
  for (const segment of segments) {
    const read = readSegment(segment, parseOptions);
    for (const d of read.dumps) {
      dumps.push({ registered: d.registered, model: d.model, file: file.name, line: d.source.firstLine });
    }
    for (const part of read.unrecognised) {
      const first = part.lines.find((l) => l.trim() !== "") ?? "";
      const after = segment.command === undefined ? "" : ` after ${JSON.stringify(shorten(segment.command))}`;
      if (!skipped.has(file.name))
        skipped.set(
          file.name,
          `line ${part.firstLine} ${JSON.stringify(shorten(first.trim()))}${after} is no dump dpemu reads`,
        );
      if (file.inArchive) noteUnread(unread, file.name);
      else {
        parseOptions.warn({
          file: file.name,
          line: part.firstLine,
          message: `unrecognised content (${part.lines.length} lines, starting ${JSON.stringify(shorten(first.trim()))}${after}): not a dump dpemu reads`,
        });
      }
    }
  }
  return dumps;
}

/** The dumps of one node (or of no named node), merged and by family. */
interface NodeGroup {
  readonly dumps: NodeDumps;
  readonly records: DumpRecord[];
  readonly families: Set<DumpFamily>;
  readonly byFamily: Map<DumpFamily, ParsedDump[]>;
}

/** The dumps grouped by the node their file belongs to (undefined: no node named). */
function groupByNode(read: ReadFiles): Map<string | undefined, NodeGroup> {
  const nodeOfFile = assignNodes(
    [...read.parsed].map(([file, dumps]) => ({
      file,
      kinds: dumps.map((d) => d.registered.format.kind),
      archiveNode: read.archiveNodes.get(file),
    })),
  );
  const groups = new Map<string | undefined, NodeGroup>();
  for (const [file, dumps] of read.parsed) {
    const node = nodeOfFile.get(file);
    for (const d of dumps) {
      let g = groups.get(node);
      if (!g) {
        g = { dumps: new NodeDumps(), records: [], families: new Set(), byFamily: new Map() };
        groups.set(node, g);
      }
      const where: DumpRecord = { kind: d.registered.format.kind, file: d.file, line: d.line, node };
      d.registered.collect(g.dumps, d.model, where);
      g.records.push(where);
      g.families.add(d.registered.family);
      const family = g.byFamily.get(d.registered.family);
      if (family === undefined) g.byFamily.set(d.registered.family, [d]);
      else family.push(d);
    }
  }
  for (const [node, g] of groups) checkOneNode(g.dumps.ipcache, node);
  return groups;
}

/**
 * A node's own addresses as its dumps show them: host and device addresses, NodePort and HostPort
 * frontends. Assembling a group's services is not free on big snapshots: once per group.
 */
function hostAddressFinder(): (dumps: NodeDumps) => Set<string> {
  const cache = new Map<NodeDumps, Set<string>>();
  return (dumps) => {
    const cached = cache.get(dumps);
    if (cached !== undefined) return cached;
    const lb = assembleLb(dumps, () => {});
    const addresses = new Set(dumps.hostAddresses);
    for (const c of dumps.config) for (const a of c.value.deviceAddresses ?? []) addresses.add(a);
    for (const s of lb.services) {
      if (
        (s.type === "NodePort" || s.type === "HostPort") &&
        s.frontend.address !== "0.0.0.0" &&
        s.frontend.address !== "::"
      )
        addresses.add(s.frontend.address);
    }
    cache.set(dumps, addresses);
    return addresses;
  };
}

/** Which node the unnamed dumps came from: the one whose own addresses they show. */
function commonOwnerOf(
  groups: ReadonlyMap<string | undefined, NodeGroup>,
  named: readonly string[],
  hostAddresses: (dumps: NodeDumps) => Set<string>,
): string | undefined {
  const common = groups.get(undefined);
  if (common === undefined || named.length === 0) return undefined;
  const mine = hostAddresses(common.dumps);
  const theirs = new Map(named.map((n) => [n, hostAddresses(groups.get(n)?.dumps ?? new NodeDumps())]));
  // An address several nodes claim (a NAT uplink every VM has, say) tells none of them apart.
  const claims = new Map<string, number>();
  for (const addresses of theirs.values()) for (const a of addresses) claims.set(a, (claims.get(a) ?? 0) + 1);
  const owners = named.filter((n) =>
    [...mine].some((a) => theirs.get(n)?.has(a) === true && claims.get(a) === 1),
  );
  return owners.length === 1 ? owners[0] : undefined;
}

/** What every node's view is built from. */
interface ViewContext {
  readonly source: string;
  /** The dumps no node is named for. */
  readonly common: NodeGroup | undefined;
  /** The node the common dumps came from, when their addresses tell. */
  readonly commonOwner: string | undefined;
  readonly hostAddresses: (dumps: NodeDumps) => Set<string>;
}

/**
 * A node's dumps merged: its own, then the common ones for what it has no dump of (its own when the
 * common dumps came from it, borrowed otherwise).
 */
function collectView(
  context: ViewContext,
  name: string,
  own: NodeGroup | undefined,
): { dumps: NodeDumps; records: DumpRecord[]; borrowed: DumpRecord[] } {
  const { common, commonOwner } = context;
  const dumps = new NodeDumps();
  const records: DumpRecord[] = [];
  const borrowed: DumpRecord[] = [];
  const add = (group: NodeGroup, family: DumpFamily, into: DumpRecord[]) => {
    for (const d of group.byFamily.get(family) ?? []) {
      const where: DumpRecord = {
        kind: d.registered.format.kind,
        file: d.file,
        line: d.line,
        node: name === UNNAMED_NODE ? undefined : name,
      };
      d.registered.collect(dumps, d.model, where);
      into.push(where);
    }
  };
  for (const family of own?.families ?? []) if (own) add(own, family, records);
  if (common !== undefined && common !== own) {
    for (const family of common.families) {
      if (own?.families.has(family)) continue;
      add(common, family, commonOwner === name ? records : borrowed);
    }
  }
  for (const a of own?.dumps.hostAddresses ?? []) dumps.hostAddresses.add(a);
  return { dumps, records, borrowed };
}

/** One node's view: its dumps assembled into services, backends, state tables and config. */
function buildView(
  context: ViewContext,
  name: string,
  own: NodeGroup | undefined,
  viewWarn: (w: SnapshotWarning) => void,
): NodeView {
  const { common, commonOwner, hostAddresses } = context;
  const { dumps, records, borrowed } = collectView(context, name, own);
  const lb = assembleLb(dumps, viewWarn);
  const tables = stateTables(dumps, viewWarn);
  for (const kept of ipv6Entries(tables, dumps)) {
    viewWarn({
      file: kept.where?.file ?? context.source,
      line: kept.where?.line ?? 0,
      message: `${kept.count} IPv6 ${kept.table} entries kept but not emulated (dpemu emulates IPv4), e.g. ${kept.example}`,
    });
  }
  const config = dumps.config.reduce<AgentConfig>((acc, c) => mergeAgentConfig(acc, c.value), {});
  checkMaglev(
    dumps,
    lb.backends.map((b) => b.id),
    lb.services.map((s) => s.revNatId),
    viewWarn,
  );
  const maglevComparison = compareMaglevTables(dumps.maglev, lb.services, lb.backends, config, viewWarn);
  return {
    name,
    services: lb.services,
    backends: lb.backends,
    revNat: lb.revNat,
    maglevTables: dumps.maglev.flatMap((m) => m.value),
    maglevComparison,
    ...tables,
    config,
    derivedIds: lb.derivedIds,
    // Borrowed dumps show the other node's addresses, not this one's.
    hostAddresses: [
      ...new Set([
        ...hostAddresses(own?.dumps ?? new NodeDumps()),
        ...(commonOwner === name && common !== undefined ? hostAddresses(common.dumps) : []),
      ]),
    ].sort(),
    dumps: records,
    borrowed,
  };
}

/**
 * The node to view: `--node` (an agent pod or, in a sysdump, its Kubernetes node), else the owner of
 * the common dumps, else the first (with a warning when that is a guess).
 */
function selectNode(
  names: readonly string[],
  podNodeNames: ReadonlyMap<string, string>,
  context: ViewContext,
  node: string | undefined,
  warn: (w: SnapshotWarning) => void,
): { selectedName: string; kubernetesNodes: Record<string, string> } {
  const { source, commonOwner } = context;
  // Kubernetes node name -> agent pod, for the nodes a sysdump names after their agents.
  const kubernetesNodes: Record<string, string> = {};
  for (const name of names) {
    const kubernetesNode = podNodeNames.get(name);
    if (kubernetesNode !== undefined) kubernetesNodes[kubernetesNode] = name;
  }
  const asked = node !== undefined ? (kubernetesNodes[node] ?? node) : undefined;
  if (asked !== undefined && !names.includes(asked)) {
    throw new InputError(
      { file: source, line: 0 },
      `expected one of the snapshot's nodes (${names.join(", ")}), found --node ${JSON.stringify(asked)}`,
    );
  }
  if (asked !== undefined) return { selectedName: asked, kubernetesNodes };
  const selectedName = commonOwner ?? names[0] ?? UNNAMED_NODE;
  if (commonOwner === undefined && names.length > 1) {
    warn({
      file: source,
      line: 0,
      nodeView: true,
      message: `dumps of ${names.length} nodes (${names.join(", ")}) and no sign which one the shared dumps came from; showing ${selectedName} (choose with --node)`,
    });
  }
  return { selectedName, kubernetesNodes };
}

/** What the selected view borrows from another node and keeps without emulating (IPv6). */
function warnAboutSelected(
  selected: NodeView,
  context: ViewContext,
  warn: (w: SnapshotWarning) => void,
): void {
  const { source, commonOwner } = context;
  if (selected.borrowed.length > 0) {
    const files = [...new Set(selected.borrowed.map((d) => d.file))];
    warn({
      file: files[0] ?? source,
      line: 0,
      nodeView: true,
      message: `view of ${selected.name} uses dumps taken on ${commonOwner ?? "another node"} for what ${selected.name} has no dump of (${files.join(", ")}); node-IP frontends there belong to that node`,
    });
  }
  const v6 = selected.services.filter((s) => s.family === 6);
  const v6Backends = selected.backends.filter((b) => b.family === 6);
  if (v6.length + v6Backends.length > 0) {
    warn({
      file: source,
      line: 0,
      message: `${v6.length} IPv6 services and ${v6Backends.length} IPv6 backends kept but not emulated (dpemu emulates IPv4), e.g. ${v6[0] ? frontendText(v6[0].frontend) : v6Backends[0]?.address}`,
    });
  }
}

/**
 * Parses in-memory dump files (or archives) into a Snapshot; a bad line is an InputError naming file and
 * line.
 */
export function parseSnapshotFiles(files: readonly SnapshotFile[], options: SnapshotOptions = {}): Snapshot {
  const warnings: SnapshotWarning[] = [];
  const warn = (w: SnapshotWarning) => void warnings.push(escapedWarning(w));
  const source = options.source ?? files[0]?.name ?? "(no files)";
  const read = readFiles(files, options, source, warnings, warn);
  const groups = groupByNode(read);
  const named = [...groups.keys()].filter((n): n is string => n !== undefined).sort();
  const hostAddresses = hostAddressFinder();
  const context: ViewContext = {
    source,
    common: groups.get(undefined),
    commonOwner: commonOwnerOf(groups, named, hostAddresses),
    hostAddresses,
  };
  const names = named.length > 0 ? named : [UNNAMED_NODE];
  const { selectedName, kubernetesNodes } = selectNode(names, read.podNodeNames, context, options.node, warn);
  const nodes = names.map((name) => {
    const own = name === UNNAMED_NODE ? context.common : groups.get(name);
    return buildView(context, name, own, name === selectedName ? warn : () => {});
  });
  const selected = nodes.find((n) => n.name === selectedName) ?? nodes[0];
  if (selected === undefined)
    throw new InputError({ file: source, line: 0 }, "expected at least one file, found none");
  warnAboutSelected(selected, context, warn);
  return {
    source,
    nodes,
    selected,
    warnings,
    ...(Object.keys(kubernetesNodes).length > 0 ? { kubernetesNodes } : {}),
  };
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The error for a snapshot in which nothing was read: which files were skipped and why. */
function noDumpRecognised(
  source: string,
  skipped: ReadonlyMap<string, string>,
  warnings: readonly SnapshotWarning[],
): InputError {
  if (skipped.size === 0) {
    // Nothing was even read as text: what the archives held is in the warnings.
    const why = warnings.slice(0, 3).map((w) => `${w.file}: ${w.message}`);
    return new InputError(
      { file: source, line: 0 },
      `no dump recognised: ${why.length > 0 ? why.join("; ") : "no input files"}`,
    );
  }
  const shown = [...skipped].slice(0, 5).map(([file, why]) => `${file} (${why})`);
  const more = skipped.size > shown.length ? `, and ${skipped.size - shown.length} more` : "";
  return new InputError(
    { file: source, line: 0 },
    `no dump recognised, expected cilium-dbg output such as \`cilium-dbg service list\`; skipped ${shown.join(", ")}${more}`,
  );
}

/** Dumped Maglev tables must point at known backends and services. */
function checkMaglev(
  dumps: NodeDumps,
  backendIds: readonly number[],
  revNatIds: readonly number[],
  warn: (w: SnapshotWarning) => void,
): void {
  const backends = new Set(backendIds);
  const services = new Set(revNatIds);
  for (const { value: tables, where } of dumps.maglev) {
    for (const t of tables) {
      const unknown = [...new Set(t.backendIds)].filter((id) => !backends.has(id));
      if (backends.size > 0 && unknown.length > 0) {
        warn({
          file: where.file,
          line: where.line,
          message: `Maglev table of rev-NAT ID ${t.revNatId} points at backends ${unknown.join(", ")}, which no dump describes`,
        });
      }
      if (services.size > 0 && !services.has(t.revNatId)) {
        warn({
          file: where.file,
          line: where.line,
          message: `Maglev table for rev-NAT ID ${t.revNatId}, which no service has`,
        });
      }
    }
  }
}
