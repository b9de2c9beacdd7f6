// `vtysh -c 'show ip bgp PREFIX'` on an FRR router: the paths BGP holds for one prefix. The paths
// marked `multipath` (and the `best` one) are the ECMP set FRR installs in the kernel — for a
// LoadBalancer IP, one path per node announcing it.
import { formatIPv4, parseIPv4 } from "../../model/ipv4.js";
import type { DumpFormat } from "../../snapshot/dump-format.js";
import type { DumpSource } from "../../snapshot/dump-source.js";
import { rejectLine, type ParseOptions } from "../../snapshot/errors.js";
import { firstRouterLines, parseRouterPrefix, routerLines, type RouterPrefix } from "./router-lines.js";

/** One BGP path of the prefix. */
export interface BgpPath {
  readonly nexthop: number;
  /** The peer it was learnt from. */
  readonly peer: string;
  readonly asPath: string;
  readonly valid: boolean;
  readonly best: boolean;
  readonly multipath: boolean;
}

/** Parsed `show ip bgp PREFIX`. */
export interface BgpRoute {
  readonly prefix: RouterPrefix;
  readonly paths: readonly BgpPath[];
}

const ENTRY = /^BGP routing table entry for (\S+?)(?:, version \d+)?$/;
const PATH = /^(\S+) from (\S+) \((\S+)\)$/;
const AS_PATH = /^(?:Local|[\d\s{}(),]+)(?:, \(.*\))?$/;
const KNOWN =
  /^(?:Paths: |Advertised to |Not advertised |Last update: |Community: |Large Community: |Extended Community: |AddPath ID: |Originator: |Cluster list: |Remote label: |(?:\d{1,3}\.){3}\d{1,3}(?:\s+(?:\d{1,3}\.){3}\d{1,3})*$)/;

type Open = { nexthop: number; peer: string; asPath: string; flags: Set<string> | undefined };

function close(open: Open | undefined, paths: BgpPath[]): void {
  if (!open) return;
  const f = open.flags ?? new Set<string>();
  paths.push({
    nexthop: open.nexthop,
    peer: open.peer,
    asPath: open.asPath,
    valid: f.has("valid"),
    best: [...f].some((x) => x.startsWith("best")),
    multipath: f.has("multipath"),
  });
}

function parse(source: DumpSource, options: ParseOptions): BgpRoute {
  let prefix: RouterPrefix | undefined;
  const paths: BgpPath[] = [];
  let asPath = "";
  let open: Open | undefined;
  for (const line of routerLines(source)) {
    const text = line.text.trim();
    const entry = ENTRY.exec(text);
    const path = PATH.exec(text);
    if (entry && prefix === undefined && parseRouterPrefix(entry[1]!) !== undefined) {
      prefix = parseRouterPrefix(entry[1]!);
    } else if (path && prefix !== undefined && parseIPv4(path[1]!) !== undefined) {
      close(open, paths);
      open = { nexthop: parseIPv4(path[1]!)!, peer: path[2]!, asPath, flags: undefined };
    } else if (text.startsWith("Origin ") && open !== undefined && open.flags === undefined) {
      open.flags = new Set(text.split(",").map((w) => w.trim()));
    } else if (AS_PATH.test(text) && prefix !== undefined) {
      asPath = text;
    } else if (!KNOWN.test(text) || prefix === undefined) {
      rejectLine(
        options,
        line.location,
        prefix === undefined
          ? "`BGP routing table entry for PREFIX` first"
          : "a path `NEXTHOP from PEER (ROUTER-ID)`, its AS path or its `Origin ...` line",
        line.text,
      );
    }
  }
  close(open, paths);
  if (prefix === undefined) {
    rejectLine(
      options,
      { file: source.file, line: source.firstLine },
      "`BGP routing table entry for PREFIX`",
      "",
    );
  }
  return { prefix: prefix ?? { address: 0, length: 0 }, paths };
}

/** The paths FRR installs: the best one and those marked multipath (valid ones only). */
export function multipathNexthops(route: BgpRoute): number[] {
  return route.paths.filter((p) => p.valid && (p.best || p.multipath)).map((p) => p.nexthop);
}

function print(route: BgpRoute): string {
  const p = route.prefix;
  const lines = [`BGP routing table entry for ${formatIPv4(p.address)}/${p.length}`];
  lines.push(`Paths: (${route.paths.length} available, table default)`);
  for (const path of route.paths) {
    lines.push(path.asPath || "Local", `${formatIPv4(path.nexthop)} from ${path.peer} (${path.peer})`);
    const flags = ["Origin IGP", ...(path.valid ? ["valid"] : []), "external"];
    if (path.multipath) flags.push("multipath");
    if (path.best) flags.push("best");
    lines.push(flags.join(", "));
  }
  return `${lines.join("\n")}\n`;
}

/** `vtysh -c 'show ip bgp PREFIX'`. */
export const vtyshShowIpBgpFormat: DumpFormat<BgpRoute> = {
  kind: "vtysh-show-ip-bgp-prefix",
  command: "vtysh -c 'show ip bgp PREFIX'",
  matches(lines) {
    const first = firstRouterLines(lines, 1)[0];
    return first !== undefined && ENTRY.test(first);
  },
  parse,
  print,
};
