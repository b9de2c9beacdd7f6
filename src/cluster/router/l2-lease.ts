// `kubectl -n kube-system get lease`: Cilium's L2 announcements elect one node per service through a
// Lease named `cilium-l2announce-<namespace>-<service>`; its HOLDER answers ARP for the service's
// LoadBalancer IPs, so every packet for them enters the cluster there.
import type { DumpFormat } from "../../snapshot/dump-format.js";
import type { DumpSource } from "../../snapshot/dump-source.js";
import { rejectLine, type ParseOptions } from "../../snapshot/errors.js";
import { firstRouterLines, routerLines } from "./router-lines.js";

/** The L2-announcement leader of one service. */
export interface L2Lease {
  /** `<namespace>-<service>` as the lease name carries it (both may hold dashes). */
  readonly service: string;
  readonly holder: string;
}

/** Parsed lease list: the L2-announcement leases only (other leases are other components'). */
export interface LeaseList {
  readonly leases: readonly L2Lease[];
}

const PREFIX = "cilium-l2announce-";
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function parse(source: DumpSource, options: ParseOptions): LeaseList {
  const leases: L2Lease[] = [];
  for (const line of routerLines(source)) {
    const w = line.words;
    if (w[0] === "NAME" && w[1] === "HOLDER") continue;
    // NAME HOLDER AGE; an unheld lease prints an empty HOLDER (two columns).
    if ((w.length !== 3 && w.length !== 2) || !NAME.test(w[0] ?? "")) {
      rejectLine(options, line.location, "a lease row `NAME HOLDER AGE`", line.text);
      continue;
    }
    const name = w[0]!;
    if (name.startsWith(PREFIX) && w.length === 3 && name.length > PREFIX.length)
      leases.push({ service: name.slice(PREFIX.length), holder: w[1]! });
  }
  return { leases };
}

/** `kubectl -n kube-system get lease` (also the rows alone, as `| grep l2announce` leaves them). */
export const kubectlGetLeaseFormat: DumpFormat<LeaseList> = {
  kind: "kubectl-get-lease",
  command: "kubectl -n kube-system get lease",
  matches(lines) {
    const first = firstRouterLines(lines, 1)[0]?.split(/\s+/) ?? [];
    return (
      (first[0] === "NAME" && first[1] === "HOLDER" && first[2] === "AGE") ||
      (first[0]?.startsWith(PREFIX) ?? false)
    );
  },
  parse,
  print: (model) =>
    `NAME HOLDER AGE\n${model.leases.map((l) => `${PREFIX}${l.service} ${l.holder} 0s\n`).join("")}`,
};

/**
 * Whether a lease's `<namespace>-<service>` and a route policy's `<service>-<namespace>` name the same
 * service. Names and namespaces may hold dashes, so every split is checked rather than one guessed.
 */
export function sameService(leaseService: string, policyService: string): boolean {
  for (let i = leaseService.indexOf("-"); i > 0; i = leaseService.indexOf("-", i + 1)) {
    const namespace = leaseService.slice(0, i);
    const name = leaseService.slice(i + 1);
    if (`${name}-${namespace}` === policyService) return true;
  }
  return false;
}
