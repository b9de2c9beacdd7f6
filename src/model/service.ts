// A service frontend as the datapath sees it: the master entry of cilium_lb4_services_v2 (slot 0)
// plus its backend slots, with the names the agent gave it where a dump shows them.
import { joinHostPort, splitHostPort, type IpFamily } from "./ip.js";
import { parseProtocol, type L4Protocol } from "./protocol.js";
import type { ServiceType } from "./service-flags.js";

export type { ServiceType } from "./service-flags.js";

/** Lookup scope of a services-map key: internal-scope keys print with a `/i` suffix. */
export type LookupScope = "external" | "internal";

/** A service frontend: address, port, protocol and lookup scope. */
export interface Frontend {
  readonly address: string;
  readonly port: number;
  readonly protocol: L4Protocol;
  readonly scope: LookupScope;
}

/** Per-service backend selection stored in the top byte of the master's union word. */
export type ServiceLbAlgorithm = "default" | "random" | "maglev";

/** A load-balanced service: its frontend, flags, backends in slot order and Maglev table. */
export interface Service {
  /** Service ID; Cilium uses the same number as rev-NAT ID. 0 for per-address wildcard entries. */
  readonly id: number;
  readonly frontend: Frontend;
  readonly family: IpFamily;
  readonly type: ServiceType;
  /** lb4_service.flags (low byte) and .flags2 (high byte). */
  readonly flags: number;
  readonly flags2: number;
  /** Cilium's rendering of the flags, e.g. ["ClusterIP", "non-routable"]. */
  readonly flagNames: readonly string[];
  readonly revNatId: number;
  /** Backend IDs of slots 1..count+qcount, in slot order. */
  readonly backendSlots: readonly number[];
  /** Active backends (slots 1..count), the only ones selected for new connections. */
  readonly count: number;
  /** Terminating/quarantined backends kept after the active ones for existing flows. */
  readonly qcount: number;
  readonly lbAlgorithm: ServiceLbAlgorithm;
  /** sessionAffinity timeout in seconds (0 = none). */
  readonly affinityTimeout: number;
  /** L7 load-balancer proxy port (0 = none). */
  readonly l7ProxyPort: number;
  readonly name?: string;
  readonly namespace?: string;
}

/** `ip:port/PROTO[/i]` as newer cilium-dbg releases print a frontend. */
export function frontendText(frontend: Frontend): string {
  const scope = frontend.scope === "internal" ? "/i" : "";
  return `${joinHostPort(frontend.address, frontend.port)}/${frontend.protocol}${scope}`;
}

/**
 * Parses a frontend as frontendText prints it, `ip:port/PROTO[/i]` (protocol case-insensitive);
 * without a protocol (`ip:port`, `ip:port/i`) it is `defaultProtocol`. Undefined when malformed.
 */
export function parseFrontend(text: string, defaultProtocol: L4Protocol): Frontend | undefined {
  const [hostPort = "", ...suffixes] = text.split("/");
  const internal = suffixes.at(-1) === "i";
  if (internal) suffixes.pop();
  if (suffixes.length > 1) return undefined;
  const target = splitHostPort(hostPort);
  const protocol = suffixes[0] === undefined ? defaultProtocol : parseProtocol(suffixes[0]);
  if (target === undefined || protocol === undefined) return undefined;
  return { ...target, protocol, scope: internal ? "internal" : "external" };
}

/** A stable map key for a frontend. */
export function frontendKey(frontend: Frontend): string {
  return frontendText(frontend);
}
