// Public backend selection for one flow, as Cilium's datapath picks it: Maglev (table[hash % M])
// or random (slot = prandom % count + 1, with a seeded PRNG instead of the kernel's).
import { flowHashV4 } from "../model/flow-hash.js";
import type { FlowV4, PortPacking } from "../model/flow.js";
import { Xoshiro128 } from "../model/prng.js";
import { maglevLookup, randomSlot } from "../model/lb-select.js";
import { DEFAULT_PORT_PACKING, portPackingForCiliumVersion } from "../model/cilium-version.js";
import { InvalidInputError } from "../model/errors.js";
import { resolveSeed } from "./maglev.js";
import type { ClusterSeed } from "../model/cluster-seed.js";
import { requireIPv4 } from "../model/ipv4.js";
import { IpProto, parseProtocol } from "../model/protocol.js";

export { Xoshiro128 };

/** A flow to select a backend for: client address and port, service port, protocol. */
export interface Flow {
  /** Client (source) IPv4 address, dotted or as a host-order number. */
  clientAddress: string | number;
  clientPort: number;
  /** Service (frontend) port. */
  servicePort: number;
  /** "TCP", "UDP", "SCTP" or an IP protocol number. */
  protocol: string | number;
}

/** The seed and port packing of the tuple hash that indexes a Maglev table. */
export interface MaglevHashOptions {
  /** Cluster seed (base64 text or parsed); its SeedJhash0 is the IPv4 hash seed. */
  seed?: string | ClusterSeed;
  /** Cilium version whose port packing to use, e.g. "1.16.5"; default: current Cilium. */
  ciliumVersion?: string;
  /** Explicit port packing; overrides ciliumVersion. */
  portPacking?: PortPacking;
  /** The service has session affinity (Cilium >= 1.17 then ignores the client port). */
  affinity?: boolean;
}

/** How pickBackend selects: from a Maglev table, or at random from the backend list. */
export type BackendSelection =
  | ({ algorithm: "maglev"; table: Uint32Array } & MaglevHashOptions)
  | { algorithm: "random"; backendIds: readonly number[]; prng: Xoshiro128 };

/** The number of a protocol Cilium load-balances (TCP, UDP, SCTP), by name; undefined otherwise. */
function hashedProtocol(text: string): number | undefined {
  const name = parseProtocol(text);
  return name === "TCP" || name === "UDP" || name === "SCTP" ? IpProto[name] : undefined;
}

const isPort = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 65535;

/** Validates a flow into the numeric form the hash takes. */
export function toFlowV4(flow: Flow): FlowV4 {
  const clientAddress =
    typeof flow.clientAddress === "number" && Number.isInteger(flow.clientAddress)
      ? flow.clientAddress >>> 0
      : requireIPv4(String(flow.clientAddress), "flow client address");
  if (!isPort(flow.clientPort))
    throw new InvalidInputError(`flow client port must be 0..65535, got ${String(flow.clientPort)}`);
  if (!isPort(flow.servicePort))
    throw new InvalidInputError(`flow service port must be 0..65535, got ${String(flow.servicePort)}`);
  const protocol = typeof flow.protocol === "number" ? flow.protocol : hashedProtocol(String(flow.protocol));
  if (protocol === undefined || !Number.isInteger(protocol) || protocol < 0 || protocol > 255) {
    throw new InvalidInputError(
      `flow protocol must be TCP, UDP, SCTP or a number 0..255, got ${String(flow.protocol)}`,
    );
  }
  return { clientAddress, clientPort: flow.clientPort, servicePort: flow.servicePort, protocol };
}

/** The port packing the options ask for. */
export function resolvePortPacking(options: MaglevHashOptions): PortPacking {
  if (options.portPacking) return options.portPacking;
  return options.ciliumVersion ? portPackingForCiliumVersion(options.ciliumVersion) : DEFAULT_PORT_PACKING;
}

/** Cilium's Maglev tuple hash of a flow (take it modulo M for the table index). */
export function maglevFlowHash(flow: Flow, options: MaglevHashOptions = {}): number {
  return flowHashV4(
    toFlowV4(flow),
    resolveSeed(options.seed).jhashV4,
    resolvePortPacking(options),
    options.affinity ?? false,
  );
}

/** A seeded PRNG for random selection: the same seed gives the same picks. */
export function createPrng(seed: number): Xoshiro128 {
  return new Xoshiro128(seed);
}

/**
 * The backend ID Cilium's datapath picks for a new flow. Maglev hashes the flow into the table;
 * random ignores the flow and draws slot (prandom % count) + 1 over `backendIds` in slot order.
 */
export function pickBackend(flow: Flow, selection: BackendSelection): number {
  if (selection.algorithm === "maglev") {
    if (selection.table.length === 0) throw new InvalidInputError("Maglev selection needs a non-empty table");
    return maglevLookup(selection.table, maglevFlowHash(flow, selection));
  }
  if (selection.backendIds.length === 0)
    throw new InvalidInputError("random selection needs at least one backend");
  return selection.backendIds[randomSlot(selection.prng, selection.backendIds.length) - 1]!;
}
