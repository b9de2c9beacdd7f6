// `ip route` on the router: the kernel's FIB as iproute2 prints it. What dpemu needs is the
// multipath routes BGP installs for a LoadBalancer IP — a first line with the destination (and
// `nhid N` when FRR uses nexthop objects) followed by one `nexthop via ADDR dev DEV weight W` line
// per path — and the single-path routes (a node's pod CIDR `via` that node).
import { formatIPv4, parseIPv4 } from "../../model/ipv4.js";
import type { DumpFormat } from "../../snapshot/dump-format.js";
import { rejectLine, type ParseOptions } from "../../snapshot/errors.js";
import type { DumpSource } from "../../snapshot/dump-source.js";
import type { ContentLine } from "../../snapshot/formats/dump-lines.js";
import { firstRouterLines, parseRouterPrefix, routerLines, type RouterPrefix } from "./router-lines.js";

/** One path of a route: the gateway (none for a directly connected route), device and weight. */
export interface RouteNexthop {
  readonly via: number | undefined;
  readonly dev: string | undefined;
  /** iproute2 prints `weight W` (1..256); a single-path route has weight 1. */
  readonly weight: number;
}

/** One route of `ip route`. */
export interface Route {
  readonly destination: RouterPrefix;
  /** unicast (default), blackhole, unreachable, local, ... */
  readonly type: string;
  readonly proto: string | undefined;
  readonly metric: number | undefined;
  /** The nexthop object (group) ID when the route uses one (`nhid 70`). */
  readonly nhid: number | undefined;
  readonly nexthops: readonly RouteNexthop[];
}

/** Parsed `ip route` output. */
export interface RouteTable {
  readonly routes: readonly Route[];
}

const TYPES = new Set([
  "unicast",
  "local",
  "broadcast",
  "blackhole",
  "unreachable",
  "prohibit",
  "throw",
  "anycast",
  "multicast",
]);
const VALUED = new Set([
  "via",
  "dev",
  "proto",
  "metric",
  "src",
  "scope",
  "nhid",
  "table",
  "weight",
  "pref",
  "realm",
  "mtu",
  "expires",
  "tos",
  "dsfield",
  "onlink",
]);
const FLAGS = new Set([
  "onlink",
  "linkdown",
  "dead",
  "pervasive",
  "offload",
  "trap",
  "rt_offload",
  "rt_trap",
  "notify",
]);

/** key → value of the `key value` words after the destination; undefined on an unknown word. */
function attributes(words: readonly string[]): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (FLAGS.has(w)) continue;
    const value = words[i + 1];
    if (!VALUED.has(w) || value === undefined) return undefined;
    out.set(w, value);
    i++;
  }
  return out;
}

function integer(text: string | undefined, max: number): number | undefined | null {
  if (text === undefined) return undefined;
  return /^\d{1,10}$/.test(text) && Number(text) <= max ? Number(text) : null;
}

/** A route's first line; null when it is not one. */
function routeLine(
  words: readonly string[],
): (Omit<Route, "nexthops"> & { single: RouteNexthop | undefined }) | null {
  const typed = TYPES.has(words[0] ?? "");
  const destination = parseRouterPrefix(words[typed ? 1 : 0] ?? "");
  const attrs = attributes(words.slice(typed ? 2 : 1));
  if (destination === undefined || attrs === undefined) return null;
  const metric = integer(attrs.get("metric"), 0xffffffff);
  const nhid = integer(attrs.get("nhid"), 0xffffffff);
  const via = attrs.get("via");
  const gateway = via === undefined ? undefined : parseIPv4(via);
  if (metric === null || nhid === null || (via !== undefined && gateway === undefined)) return null;
  const dev = attrs.get("dev");
  return {
    destination,
    type: typed ? words[0]! : "unicast",
    proto: attrs.get("proto"),
    metric,
    nhid,
    single: via !== undefined || dev !== undefined ? { via: gateway, dev, weight: 1 } : undefined,
  };
}

/** A `nexthop via ADDR dev DEV weight W` line; null when malformed. */
function nexthopLine(words: readonly string[]): RouteNexthop | null {
  const attrs = attributes(words.slice(1));
  const via = attrs?.get("via");
  const gateway = via === undefined ? undefined : parseIPv4(via);
  const weight = integer(attrs?.get("weight"), 256);
  if (attrs === undefined || (via !== undefined && gateway === undefined) || weight === null || weight === 0)
    return null;
  return { via: gateway, dev: attrs.get("dev"), weight: weight ?? 1 };
}

function parse(source: DumpSource, options: ParseOptions): RouteTable {
  const routes: Route[] = [];
  let open: { route: Omit<Route, "nexthops">; nexthops: RouteNexthop[] } | undefined;
  const close = () => {
    if (open) routes.push({ ...open.route, nexthops: open.nexthops });
    open = undefined;
  };
  for (const line of routerLines(source)) {
    if (line.words[0] === "nexthop") {
      const nh = nexthopLine(line.words);
      if (nh === null || open === undefined) reject(options, line, open === undefined);
      else open.nexthops.push(nh);
      continue;
    }
    close();
    const route = routeLine(line.words);
    if (route === null) {
      reject(options, line, false);
      continue;
    }
    const { single, ...rest } = route;
    open = { route: rest, nexthops: single ? [single] : [] };
  }
  close();
  return { routes };
}

function reject(options: ParseOptions, line: ContentLine, orphan: boolean): void {
  rejectLine(
    options,
    line.location,
    orphan
      ? "a route line before its `nexthop` lines"
      : "a route `PREFIX [nhid N] [via ADDR] [dev DEV] [proto P] [metric M]` or `nexthop via ADDR dev DEV weight W`",
    line.text,
  );
}

function printRoute(r: Route): string {
  const dest =
    r.destination.length === 0
      ? "default"
      : r.destination.length === 32
        ? formatIPv4(r.destination.address)
        : `${formatIPv4(r.destination.address)}/${r.destination.length}`;
  const head = [
    r.type === "unicast" ? "" : `${r.type} `,
    dest,
    r.nhid !== undefined ? ` nhid ${r.nhid}` : "",
  ].join("");
  const hop = (n: RouteNexthop) =>
    `${n.via !== undefined ? ` via ${formatIPv4(n.via)}` : ""}${n.dev !== undefined ? ` dev ${n.dev}` : ""}`;
  const tail = `${r.proto !== undefined ? ` proto ${r.proto}` : ""}${r.metric !== undefined ? ` metric ${r.metric}` : ""}`;
  if (r.nexthops.length === 1) return `${head}${hop(r.nexthops[0]!)}${tail}\n`;
  return `${head}${tail}\n${r.nexthops.map((n) => `\tnexthop${hop(n)} weight ${n.weight}\n`).join("")}`;
}

/** `ip route` (also `ip -c route`, `ip route show table all` rows dpemu reads). */
export const ipRouteFormat: DumpFormat<RouteTable> = {
  kind: "ip-route",
  command: "ip route",
  matches(lines) {
    const first = firstRouterLines(lines, 1)[0];
    if (first === undefined) return false;
    const words = first.split(/\s+/);
    return (
      routeLine(words) !== null &&
      (words.includes("via") || words.includes("dev") || words.includes("nhid") || words.includes("proto"))
    );
  },
  parse,
  print: (model) => model.routes.map(printRoute).join(""),
};
