// `cilium node list` (and `cilium-dbg node list`): one row per node the agent knows, named
// `<cluster>/<node>` under Cluster Mesh, with its IPv4 address, pod (endpoint) CIDR and the source it
// was learned from — `local` for the agent's own node, `custom-resource` for its cluster's others,
// `clustermesh` for the other clusters' nodes. IPv6 columns may be empty, so rows are read by token
// kind rather than by column.
import { parseCidr, parseIPv4, type Cidr } from "../model/ipv4.js";
import { InputError } from "../snapshot/errors.js";

/** One node of a node list. */
export interface MeshNodeEntry {
  /** The cluster part of `<cluster>/<node>` (empty when the name has none). */
  readonly cluster: string;
  /** The node's own name. */
  readonly node: string;
  /** The node's IPv4 address (host order). */
  readonly address: number;
  /** Its IPv4 pod CIDRs. */
  readonly podCidrs: readonly Cidr[];
  /** Where the agent learned it: `local`, `custom-resource`, `clustermesh`, `kvstore`, … */
  readonly source: string;
}

const HEADER = /^\s*Name\s+IPv4 Address\s+Endpoint CIDR\b.*\bSource\s*$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;
const SOURCE = /^[a-z][a-z-]*$/;

/** Whether `text` is a node list (its first content line is the table header). */
export function isNodeList(text: string): boolean {
  const first = text.split("\n").find((l) => l.trim() !== "" && !l.startsWith("#"));
  return first !== undefined && HEADER.test(first);
}

function parseRow(tokens: readonly string[]): MeshNodeEntry | undefined {
  const [name, ...rest] = tokens;
  const source = rest.at(-1);
  if (!name || !NAME.test(name) || !source || !SOURCE.test(source)) return undefined;
  const address = rest.map((t) => parseIPv4(t)).find((a) => a !== undefined);
  if (address === undefined) return undefined;
  const podCidrs: Cidr[] = [];
  for (const t of rest) {
    if (/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(t)) podCidrs.push(parseCidr(t));
  }
  const slash = name.indexOf("/");
  return {
    cluster: slash < 0 ? "" : name.slice(0, slash),
    node: slash < 0 ? name : name.slice(slash + 1),
    address,
    podCidrs,
    source,
  };
}

/** Parses a node list; a row that is not `<name> <IPv4> [CIDR…] … <source>` is an InputError. */
export function parseNodeList(text: string, file: string): MeshNodeEntry[] {
  const out: MeshNodeEntry[] = [];
  let header = false;
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (!header) {
      if (!HEADER.test(line))
        throw new InputError({ file, line: i + 1 }, "expected the node list header (Name  IPv4 Address …)");
      header = true;
      continue;
    }
    const entry = parseRow(line.split(/\s+/));
    if (!entry)
      throw new InputError(
        { file, line: i + 1 },
        "expected a node row: <cluster>/<node> <IPv4 address> <pod CIDR>… <source>",
      );
    out.push(entry);
  }
  if (!header) throw new InputError({ file, line: 0 }, "expected a node list, found no header");
  return out;
}
