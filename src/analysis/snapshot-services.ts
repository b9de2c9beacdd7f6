// Services to compare, taken from a loaded snapshot's node view: IPv4 frontends with their active
// backends in slot order, and which of the snapshot's services Cilium would give a Maglev table.
import type { Backend } from "../model/backend.js";
import { protocolNumber } from "../model/protocol.js";
import { frontendText, type Service } from "../model/service.js";
import type { NodeView } from "../model/snapshot.js";
import type { CompareBackend, CompareService } from "./model.js";
import { InvalidInputError } from "../model/errors.js";

/** A `--service` argument that matches nothing; the message lists what would have matched. */
export class UnknownServiceError extends InvalidInputError {
  override readonly name = "UnknownServiceError";
}

/** The service's active backends (slots 1..count) as the Maglev build takes them. */
function activeBackends(service: Service, byId: ReadonlyMap<number, Backend>): CompareBackend[] {
  return service.backendSlots.slice(0, service.count).flatMap((id) => {
    const backend = byId.get(id);
    if (!backend || backend.state !== "active") return [];
    return [
      {
        id,
        address: backend.address,
        port: backend.port,
        protocol: backend.protocol,
        weight: backend.weight,
        ...(backend.clusterId !== 0 ? { clusterId: backend.clusterId } : {}),
      },
    ];
  });
}

function toCompareService(service: Service, byId: ReadonlyMap<number, Backend>): CompareService {
  return {
    id: service.id,
    frontend: frontendText(service.frontend),
    address: service.frontend.address,
    port: service.frontend.port,
    protocol: protocolNumber(service.frontend.protocol),
    backends: activeBackends(service, byId),
  };
}

function matches(service: Service, wanted: string): boolean {
  if (/^\d+$/.test(wanted)) return service.id === Number(wanted);
  const text = frontendText(service.frontend);
  const hostPort = text.replace(/\/[A-Za-z]+(\/i)?$/, "");
  const name = service.namespace && service.name ? `${service.namespace}/${service.name}` : undefined;
  return text === wanted || hostPort === wanted || name === wanted;
}

/**
 * The services `dpemu compare` looks at. Without `wanted`: every IPv4 frontend with at least two
 * active backends. With `wanted` (IDs, "IP:PORT/PROTO", "IP:PORT" or "namespace/name"): exactly
 * those, each of which must match and have an active backend.
 */
export function servicesToCompare(view: NodeView, wanted: readonly string[] = []): CompareService[] {
  const byId = new Map(view.backends.map((b) => [b.id, b]));
  const ipv4 = view.services.filter((s) => s.family === 4);
  if (wanted.length === 0) {
    return ipv4.map((s) => toCompareService(s, byId)).filter((s) => s.backends.length >= 2);
  }
  const chosen = new Map<number, CompareService>();
  for (const w of wanted) {
    const hits = ipv4.filter((s) => matches(s, w));
    if (hits.length === 0) {
      throw new UnknownServiceError(
        `--service ${w} matches no IPv4 service of node ${view.name}; known: ${ipv4
          .map((s) => `${s.id} ${frontendText(s.frontend)}`)
          .join(", ")}`,
      );
    }
    for (const hit of hits) {
      const service = toCompareService(hit, byId);
      if (service.backends.length === 0) {
        throw new UnknownServiceError(`--service ${w}: ${service.frontend} has no active backend to select`);
      }
      chosen.set(hit.id, service);
    }
  }
  return [...chosen.values()];
}

/**
 * How many of the node's services get a Maglev table from the agent: frontends that receive
 * external traffic (NodePort, LoadBalancer, external IPs, HostPort; ClusterIP only when ClusterIPs
 * are externally reachable), never the 0.0.0.0 / :: NodePort surrogates, and only with an active
 * backend.
 */
export function maglevTableCount(view: NodeView): number {
  const externalClusterIp = view.config.externalClusterIp === true;
  return view.services.filter((s) => {
    if (s.count === 0) return false;
    if (s.frontend.address === "0.0.0.0" || s.frontend.address === "::") return false;
    return s.type === "ClusterIP" ? externalClusterIp : s.type !== "LocalRedirect";
  }).length;
}
