// Which Cilium release's tuple-hash port packing applies. Cilium 1.17 (PR #37005 "Fix session
// affinity + maglev" and its fix #37353 "Fix hashing wrt port swap on maglev", both merged before
// v1.17.0) moved the service port into the high half of the hashed ports word; earlier releases
// hashed the conntrack tuple's dport << 16 | sport, which puts the client port high.
import { InvalidInputError } from "./errors.js";
import type { PortPacking } from "./flow.js";

/** Current Cilium's packing, used when no version is known. */
export const DEFAULT_PORT_PACKING: PortPacking = "service-port-high";

/** The port packing of a Cilium version such as "1.16.5", "v1.17.0-rc.2" or "1.19.0-dev". */
export function portPackingForCiliumVersion(version: string): PortPacking {
  const match = /^v?(\d+)\.(\d+)(?:[.\-+].*)?$/.exec(version.trim());
  if (!match) {
    throw new InvalidInputError(
      `Cilium version ${JSON.stringify(version)} is not a version number (expected MAJOR.MINOR[.PATCH], e.g. 1.17.2)`,
    );
  }
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 1 || (major === 1 && minor >= 17) ? "service-port-high" : "client-port-high";
}
