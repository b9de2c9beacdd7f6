// Everything dpemu reads from the router side of a cluster, recognised by content like the node
// dumps: the router's FIB (`ip route`), its BGP paths (`vtysh show ip bgp PREFIX`), the
// L2-announcement leases and the agent's BGP route policies. Together they say which nodes a
// LoadBalancer IP enters the cluster through.
import type { DumpFormat } from "../../snapshot/dump-format.js";
import { wholeFile } from "../../snapshot/dump-source.js";
import type { ParseOptions } from "../../snapshot/errors.js";
import { formatIPv4 } from "../../model/ipv4.js";
import { multipathNexthops, vtyshShowIpBgpFormat, type BgpRoute } from "./bgp-route.js";
import { ipRouteFormat, type Route, type RouteTable } from "./ip-route.js";
import { kubectlGetLeaseFormat, sameService, type L2Lease, type LeaseList } from "./l2-lease.js";
import { bgpRoutePoliciesFormat, type RoutePolicies, type ServiceAdvertisement } from "./route-policies.js";
import { prefixContains } from "./router-lines.js";

/** What the router-side files of a snapshot say. */
export interface RouterInputs {
  readonly routes: readonly Route[];
  readonly bgp: readonly BgpRoute[];
  readonly leases: readonly L2Lease[];
  readonly advertisements: readonly ServiceAdvertisement[];
  /** Which file each part came from, for messages and `inspect`. */
  readonly files: readonly { readonly file: string; readonly kind: string }[];
}

/** An empty set of router inputs. */
export function emptyRouterInputs(): RouterInputs {
  return { routes: [], bgp: [], leases: [], advertisements: [], files: [] };
}

type Parsed =
  | { kind: "ip-route"; model: RouteTable }
  | { kind: "vtysh-show-ip-bgp-prefix"; model: BgpRoute }
  | { kind: "kubectl-get-lease"; model: LeaseList }
  | { kind: "cilium-bgp-route-policies"; model: RoutePolicies };

const ROUTER_FORMATS: readonly DumpFormat<unknown>[] = [
  vtyshShowIpBgpFormat,
  bgpRoutePoliciesFormat,
  kubectlGetLeaseFormat,
  ipRouteFormat,
] as DumpFormat<unknown>[];

/** The router-side format that recognises a file's text, if any. */
export function recogniseRouterFile(text: string): DumpFormat<unknown> | undefined {
  const lines = wholeFile("", text).lines.slice(0, 40);
  return ROUTER_FORMATS.find((f) => f.matches(lines));
}

/** Parses router-side files into one RouterInputs; files no router format recognises are returned. */
export function readRouterFiles(
  files: readonly { readonly name: string; readonly text: string }[],
  options: ParseOptions,
): { inputs: RouterInputs; rest: string[] } {
  const routes: Route[] = [];
  const bgp: BgpRoute[] = [];
  const leases: L2Lease[] = [];
  const advertisements: ServiceAdvertisement[] = [];
  const read: { file: string; kind: string }[] = [];
  const rest: string[] = [];
  for (const f of files) {
    const format = recogniseRouterFile(f.text);
    if (!format) {
      rest.push(f.name);
      continue;
    }
    const parsed = { kind: format.kind, model: format.parse(wholeFile(f.name, f.text), options) } as Parsed;
    read.push({ file: f.name, kind: parsed.kind });
    if (parsed.kind === "ip-route") routes.push(...parsed.model.routes);
    else if (parsed.kind === "vtysh-show-ip-bgp-prefix") bgp.push(parsed.model);
    else if (parsed.kind === "kubectl-get-lease") leases.push(...parsed.model.leases);
    else advertisements.push(...parsed.model.services);
  }
  return { inputs: { routes, bgp, leases, advertisements, files: read }, rest };
}

/** The ECMP next hops (gateway, weight) the router uses for `address`, and where that came from. */
export interface RouterNexthops {
  readonly nexthops: readonly { readonly via: number; readonly weight: number }[];
  readonly source: string;
}

/**
 * The router's next hops towards `address`: the longest-prefix FIB route with gateways, else the
 * best and multipath BGP paths of the longest BGP prefix holding it. Undefined when neither says.
 */
export function routerNexthops(inputs: RouterInputs, address: number): RouterNexthops | undefined {
  const fib = inputs.routes
    .filter((r) => r.type === "unicast" && prefixContains(r.destination, address) && r.destination.length > 0)
    .filter((r) => r.nexthops.some((n) => n.via !== undefined))
    .sort((a, b) => b.destination.length - a.destination.length)[0];
  if (fib) {
    const nexthops = fib.nexthops.flatMap((n) =>
      n.via !== undefined ? [{ via: n.via, weight: n.weight }] : [],
    );
    const d = fib.destination;
    return { nexthops, source: `ip route ${formatIPv4(d.address)}/${d.length}` };
  }
  const bgp = inputs.bgp
    .filter((r) => prefixContains(r.prefix, address))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
  if (!bgp) return undefined;
  const nexthops = multipathNexthops(bgp).map((via) => ({ via, weight: 1 }));
  const p = bgp.prefix;
  return nexthops.length > 0
    ? { nexthops, source: `show ip bgp ${formatIPv4(p.address)}/${p.length}` }
    : undefined;
}

/**
 * The L2-announcement leader for `address`: the holder of the lease of the service whose route
 * policy advertises the address (the only dump that ties a service name to its IP), or the only
 * lease when there is one.
 */
export function l2Holder(inputs: RouterInputs, address: number): string | undefined {
  const named = inputs.advertisements.filter((a) => a.prefixes.some((p) => prefixContains(p, address)));
  for (const lease of inputs.leases) {
    if (named.some((a) => sameService(lease.service, a.service))) return lease.holder;
  }
  return inputs.leases.length === 1 ? inputs.leases[0]!.holder : undefined;
}
