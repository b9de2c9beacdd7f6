// A Maglev backend as users describe it, its validation, and the hash string Cilium derives from it.
import { parseAddress, formatAddressGo } from "./address.js";
import { InvalidInputError } from "../model/errors.js";
import { MAGLEV_EMPTY, type MaglevEntry } from "../model/maglev-table.js";

/** L4 protocol names as Cilium's loadbalancer.L4Type spells them in hash strings. */
export const BACKEND_PROTOCOLS = ["TCP", "UDP", "SCTP", "ANY"] as const;
/** One of BACKEND_PROTOCOLS. */
export type BackendProtocol = (typeof BACKEND_PROTOCOLS)[number];

/** A backend as Cilium's Maglev build takes it: address, port, protocol, weight and ID. */
export interface MaglevBackend {
  /** IPv4 or IPv6 address. */
  address: string;
  port: number;
  /** TCP, UDP, SCTP or ANY (case-insensitive). */
  protocol: string;
  /** Cilium's u16 backend weight; defaults to 1. */
  weight?: number;
  /** Backend ID written into the table (u32, not 0xffffffff). */
  id: number;
  /** Internal-scope backend: adds Cilium's "/i" marker to the hash string. */
  internal?: boolean;
  /** ClusterMesh cluster ID; non-zero adds "@<id>" to the address in the hash string. */
  clusterId?: number;
}

const isInteger = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;

/**
 * Cilium's hash string for a backend (pkg/maglev BackendInfo.setHashString, kept stable across
 * releases on purpose): "[" address ":" port "/" PROTO ["/i"] ",State:active]", with IPv6
 * addresses in an extra pair of brackets, e.g. "[10.0.0.1:80/TCP,State:active]" or
 * "[[2001:db8::1]:80/UDP/i,State:active]".
 */
export function backendHashString(backend: MaglevBackend): string {
  return toEntry(backend, 0).hashString;
}

function label(backend: MaglevBackend, index: number): string {
  const where = `backend ${index + 1}`;
  return typeof backend?.address === "string" ? `${where} (${backend.address})` : where;
}

/** Validates one backend and derives its Maglev entry; errors name the backend and the field. */
export function toEntry(backend: MaglevBackend, index: number): MaglevEntry {
  const name = label(backend, index);
  if (typeof backend !== "object" || backend === null)
    throw new InvalidInputError(`${name}: expected an object`);
  const address = parseAddress(String(backend.address), `${name}: address`);
  if (!isInteger(backend.port, 0, 65535)) {
    throw new InvalidInputError(`${name}: port must be an integer 0..65535, got ${String(backend.port)}`);
  }
  const protocol = String(backend.protocol).toUpperCase();
  if (!(BACKEND_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new InvalidInputError(
      `${name}: protocol must be one of ${BACKEND_PROTOCOLS.join(", ")}, got ${String(backend.protocol)}`,
    );
  }
  const weight = backend.weight ?? 1;
  if (!isInteger(weight, 0, 0xffff)) {
    throw new InvalidInputError(`${name}: weight must be an integer 0..65535, got ${String(backend.weight)}`);
  }
  if (!isInteger(backend.id, 0, MAGLEV_EMPTY - 1)) {
    throw new InvalidInputError(
      `${name}: id must be an integer 0..${MAGLEV_EMPTY - 1}, got ${String(backend.id)}`,
    );
  }
  const clusterId = backend.clusterId ?? 0;
  if (!isInteger(clusterId, 0, 0xffffffff)) {
    throw new InvalidInputError(
      `${name}: clusterId must be an integer 0..4294967295, got ${String(clusterId)}`,
    );
  }
  let host = formatAddressGo(address);
  if (clusterId !== 0) host += `@${clusterId}`;
  const hostPort = address.family === 6 ? `[${host}]:${backend.port}` : `${host}:${backend.port}`;
  const scope = backend.internal ? "/i" : "";
  return { hashString: `[${hostPort}/${protocol}${scope},State:active]`, weight, id: backend.id };
}

/**
 * Validates a backend list for one table: at least one backend, and no two with the same ID or the
 * same hash string (Cilium keys backends by address, so neither can happen there).
 */
export function toEntries(backends: readonly MaglevBackend[]): MaglevEntry[] {
  if (!Array.isArray(backends) || backends.length === 0) {
    throw new InvalidInputError("a Maglev table needs at least one backend");
  }
  const entries = backends.map(toEntry);
  const byId = new Map<number, number>();
  const byHash = new Map<string, number>();
  entries.forEach((entry, i) => {
    const sameId = byId.get(entry.id);
    if (sameId !== undefined) {
      throw new InvalidInputError(
        `${label(backends[i]!, i)}: id ${entry.id} is already used by backend ${sameId + 1}`,
      );
    }
    const sameHash = byHash.get(entry.hashString);
    if (sameHash !== undefined) {
      throw new InvalidInputError(
        `${label(backends[i]!, i)}: duplicates backend ${sameHash + 1} (${entry.hashString})`,
      );
    }
    byId.set(entry.id, i);
    byHash.set(entry.hashString, i);
  });
  return entries;
}
