// `cilium-dbg bgp route-policies`: the BGP export policies the agent programs. dpemu reads one thing
// from them: which LoadBalancer (or external / cluster) IPs the node advertises for which service —
// the agent names those policies `<peer>-ipv4-Service-<service>-<namespace>-<type>`.
import type { DumpFormat } from "../../snapshot/dump-format.js";
import type { DumpSource } from "../../snapshot/dump-source.js";
import { rejectLine, type ParseOptions } from "../../snapshot/errors.js";
import { formatIPv4 } from "../../model/ipv4.js";
import { firstRouterLines, parseRouterPrefix, routerLines, type RouterPrefix } from "./router-lines.js";

/** One service address advertised by an export policy. */
export interface ServiceAdvertisement {
  /** `<service>-<namespace>` as the policy name carries it. */
  readonly service: string;
  /** LoadBalancerIP, ExternalIP or ClusterIP. */
  readonly addressType: string;
  readonly prefixes: readonly RouterPrefix[];
}

/** Parsed route policies: the service advertisements among them. */
export interface RoutePolicies {
  readonly vrouter: string | undefined;
  readonly services: readonly ServiceAdvertisement[];
}

const HEADER = /^VRouter\s+Policy Name\s+Type\b/;
const SERVICE_POLICY = /-ipv[46]-Service-(.+)-(LoadBalancerIP|ExternalIP|ClusterIP)$/;
const RANGE = /^\(\d{1,3}\.\.\d{1,3}\)$/;

function parse(source: DumpSource, options: ParseOptions): RoutePolicies {
  const services: ServiceAdvertisement[] = [];
  let vrouter: string | undefined;
  for (const line of routerLines(source)) {
    if (HEADER.test(line.text.trim())) continue;
    const w = line.words;
    const ok =
      /^\d{1,10}$/.test(w[0] ?? "") &&
      (w[2] === "import" || w[2] === "export") &&
      (w.at(-1) === "accept" || w.at(-1) === "reject" || w.length >= 4);
    if (!ok) {
      rejectLine(
        options,
        line.location,
        "a policy row `VROUTER NAME import|export ... accept|reject`",
        line.text,
      );
      continue;
    }
    vrouter ??= w[0];
    const m = SERVICE_POLICY.exec(w[1]!);
    if (!m) continue;
    // Match prefixes are the CIDRs followed by their `(min..max)` length range.
    const prefixes = w.flatMap((word, i) => (RANGE.test(w[i + 1] ?? "") ? [parseRouterPrefix(word)] : []));
    if (prefixes.some((p) => p === undefined)) {
      rejectLine(options, line.location, "match prefixes `A.B.C.D/N (MIN..MAX)`", line.text);
      continue;
    }
    services.push({ service: m[1]!, addressType: m[2]!, prefixes: prefixes as RouterPrefix[] });
  }
  return { vrouter, services };
}

/** `cilium-dbg bgp route-policies`. */
export const bgpRoutePoliciesFormat: DumpFormat<RoutePolicies> = {
  kind: "cilium-bgp-route-policies",
  command: "cilium-dbg bgp route-policies",
  matches: (lines) => HEADER.test(firstRouterLines(lines, 1)[0] ?? ""),
  parse,
  print: (model) =>
    `VRouter Policy Name Type Match Peers Match Families Match Prefixes (Min..Max Len) RIB Action Path Actions\n${model.services
      .map(
        (s) =>
          `${model.vrouter ?? 0} peer-ipv4-Service-${s.service}-${s.addressType} export ${s.prefixes.map((p) => `${formatIPv4(p.address)}/${p.length} (${p.length}..${p.length})`).join(" ")} accept\n`,
      )
      .join("")}`,
};
