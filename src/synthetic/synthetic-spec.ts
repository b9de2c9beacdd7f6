// The small JSON document that describes a synthetic workload, and its validation. Every problem is
// reported with the path of the offending field.
import { parseIPv4 } from "../model/ipv4.js";
import { EntryPoint, IpProto } from "../model/packet.js";
import { parseRfc3339 } from "../readers/rfc3339.js";

/** As written in the JSON file. */
export interface SyntheticSpecJson {
  /** Any integer; the same seed gives the same packets. */
  seed: number;
  /** RFC 3339 time of the first connection (default 2024-01-01T00:00:00Z). */
  startTime?: string;
  /** Stop opening connections after this many seconds... */
  durationSeconds?: number;
  /** ...or after this many connections (at least one of the two limits is required). */
  connections?: number;
  clients: {
    count: number;
    /** Client addresses are taken in order from this IPv4 CIDR (skipping the network address). */
    cidr: string;
    /** Where client packets enter the node (default "unknown": the replayer decides). */
    entry?: "unknown" | "from-endpoint" | "from-network" | "from-overlay";
  };
  /** Frontends, most popular first. */
  services: Array<{ address: string; port: number; proto: "TCP" | "UDP" | "SCTP" }>;
  /** Zipf exponent of service popularity (default 1; 0 = uniform). */
  popularity?: { zipfExponent: number };
  /** Client-to-service packets per connection (default fixed 10). */
  connectionLength?:
    | { distribution: "fixed"; packets: number }
    | { distribution: "uniform"; min: number; max: number }
    | { distribution: "geometric"; mean: number; min?: number };
  /** Mean rate of new connections (Poisson arrivals). */
  newConnectionsPerSecond: number;
  /** Gap between a connection's consecutive client packets (default 1000 µs). */
  packetIntervalMicros?: number;
  /** Delay from a client packet to its reply (default 200 µs). */
  replyDelayMicros?: number;
  /** Emit a reply packet for every client packet (default true). */
  replies?: boolean;
  /** TCP/UDP payload bytes of data packets, for the IP length (default 100). */
  payloadBytes?: number;
  /** Backend changes to announce at given times, for the replayer to apply. */
  churn?: Array<{ atSeconds: number; service: string; action: "add" | "remove"; backend: string }>;
  /** Refuse specs whose open connections would exceed this (default 1 000 000). */
  maxConcurrentConnections?: number;
}

export interface SyntheticService {
  address: number;
  port: number;
  proto: number;
}

export interface SyntheticChurn {
  /** Offset from the start, in nanoseconds. */
  atNanos: number;
  service: SyntheticService;
  action: "add" | "remove";
  backend: { address: number; port: number };
}

/** Validated and converted to numbers. */
export interface SyntheticSpec {
  seed: number;
  startSeconds: number;
  startNanoseconds: number;
  durationNanos: number;
  connections: number;
  clientCount: number;
  /** Address of client 0. */
  clientBase: number;
  clientEntry: EntryPoint;
  services: SyntheticService[];
  zipfExponent: number;
  length:
    | { distribution: "fixed"; packets: number }
    | { distribution: "uniform"; min: number; max: number }
    | { distribution: "geometric"; mean: number; min: number };
  meanArrivalNanos: number;
  packetIntervalNanos: number;
  replyDelayNanos: number;
  replies: boolean;
  payloadBytes: number;
  churn: SyntheticChurn[];
  maxConcurrentConnections: number;
}

export class SyntheticSpecError extends Error {
  constructor(
    readonly path: string,
    problem: string,
    readonly sourceName?: string,
  ) {
    super(`${sourceName ? `${sourceName}: ` : ""}synthetic spec: ${path}: ${problem}`);
    this.name = "SyntheticSpecError";
  }
}

const PROTOCOLS: Record<string, number> = { TCP: IpProto.TCP, UDP: IpProto.UDP, SCTP: IpProto.SCTP };
const ENTRIES: Record<string, EntryPoint> = {
  unknown: EntryPoint.Unknown,
  "from-endpoint": EntryPoint.FromEndpoint,
  "from-network": EntryPoint.FromNetwork,
  "from-overlay": EntryPoint.FromOverlay,
};
/** Relative times are kept as integer nanoseconds in a double: exact below 2^53 ns (104 days). */
const MAX_SPAN_NANOS = 2 ** 53;

class Reader {
  constructor(private readonly sourceName: string | undefined) {}

  fail(path: string, problem: string): never {
    throw new SyntheticSpecError(path, problem, this.sourceName);
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value))
      this.fail(path, "expected an object");
    return value as Record<string, unknown>;
  }

  number(value: unknown, path: string, min: number, max: number, integer = false): number {
    if (typeof value !== "number" || !Number.isFinite(value)) this.fail(path, "expected a number");
    if (integer && !Number.isInteger(value)) this.fail(path, `expected an integer, got ${value}`);
    if (value < min || value > max) this.fail(path, `must be in ${min}..${max}, got ${value}`);
    return value;
  }

  optionalNumber(
    value: unknown,
    path: string,
    fallback: number,
    min: number,
    max: number,
    integer = false,
  ): number {
    return value === undefined ? fallback : this.number(value, path, min, max, integer);
  }

  string(value: unknown, path: string): string {
    if (typeof value !== "string") this.fail(path, "expected a string");
    return value;
  }

  ipv4(value: unknown, path: string): number {
    const address = parseIPv4(this.string(value, path));
    if (address === undefined) this.fail(path, `not an IPv4 address: ${String(value)}`);
    return address;
  }

  /** "a.b.c.d:port" */
  endpoint(value: unknown, path: string): { address: number; port: number } {
    const text = this.string(value, path);
    const colon = text.lastIndexOf(":");
    const address = colon > 0 ? parseIPv4(text.slice(0, colon)) : undefined;
    const port = Number(text.slice(colon + 1));
    if (address === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
      this.fail(path, `expected IPv4:PORT, got ${text}`);
    }
    return { address, port };
  }
}

/** Validates a parsed JSON document as a synthetic spec. */
export function parseSyntheticSpec(json: unknown, sourceName?: string): SyntheticSpec {
  const r: Reader = new Reader(sourceName);
  const doc = r.object(json, "(document)");

  const seed = r.number(doc.seed, "seed", -(2 ** 31), 2 ** 32 - 1, true) >>> 0;
  const time = { seconds: Date.UTC(2024, 0, 1) / 1000, nanoseconds: 0 };
  if (doc.startTime !== undefined && !parseRfc3339(r.string(doc.startTime, "startTime"), time)) {
    r.fail("startTime", `not an RFC 3339 time: ${String(doc.startTime)}`);
  }

  const clients = r.object(doc.clients, "clients");
  const [network, prefixText] = r.string(clients.cidr, "clients.cidr").split("/");
  const base = network === undefined ? undefined : parseIPv4(network);
  const prefix = Number(prefixText);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    r.fail("clients.cidr", `not an IPv4 CIDR: ${String(clients.cidr)}`);
  }
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) r.fail("clients.cidr", `host bits are set in ${String(clients.cidr)}`);
  // Skip the network (and broadcast) address where the prefix has them.
  const usable = prefix <= 30 ? size - 2 : size;
  const clientCount = r.number(clients.count, "clients.count", 1, Math.min(usable, 2 ** 24), true);
  const clientBase = prefix <= 30 ? base + 1 : base;
  const entryName = clients.entry === undefined ? "unknown" : r.string(clients.entry, "clients.entry");
  const clientEntry = ENTRIES[entryName];
  if (clientEntry === undefined)
    r.fail("clients.entry", `expected one of ${Object.keys(ENTRIES).join(", ")}`);

  if (!Array.isArray(doc.services) || doc.services.length === 0)
    r.fail("services", "expected a non-empty array");
  const services = doc.services.map((value, i): SyntheticService => {
    const s = r.object(value, `services[${i}]`);
    const proto = PROTOCOLS[r.string(s.proto, `services[${i}].proto`).toUpperCase()];
    if (proto === undefined) r.fail(`services[${i}].proto`, "expected TCP, UDP or SCTP");
    return {
      address: r.ipv4(s.address, `services[${i}].address`),
      port: r.number(s.port, `services[${i}].port`, 1, 65535, true),
      proto,
    };
  });

  const popularity = doc.popularity === undefined ? {} : r.object(doc.popularity, "popularity");
  const zipfExponent = r.optionalNumber(popularity.zipfExponent, "popularity.zipfExponent", 1, 0, 100);

  const length = parseLength(r, doc.connectionLength);
  const rate = r.number(doc.newConnectionsPerSecond, "newConnectionsPerSecond", 1e-6, 1e9);
  const packetIntervalNanos = Math.round(
    r.optionalNumber(doc.packetIntervalMicros, "packetIntervalMicros", 1000, 0, 3.6e9) * 1000,
  );
  const replyDelayNanos = Math.round(
    r.optionalNumber(doc.replyDelayMicros, "replyDelayMicros", 200, 0, 3.6e9) * 1000,
  );
  if (doc.replies !== undefined && typeof doc.replies !== "boolean")
    r.fail("replies", "expected true or false");
  const replies = doc.replies !== false;
  const payloadBytes = r.optionalNumber(doc.payloadBytes, "payloadBytes", 100, 0, 65000, true);

  if (doc.durationSeconds === undefined && doc.connections === undefined) {
    r.fail("(document)", "give durationSeconds or connections (or both) to bound the workload");
  }
  const durationNanos =
    doc.durationSeconds === undefined
      ? Infinity
      : r.number(doc.durationSeconds, "durationSeconds", 0, MAX_SPAN_NANOS / 1e9 / 2) * 1e9;
  const connections =
    doc.connections === undefined ? Infinity : r.number(doc.connections, "connections", 0, 2 ** 53, true);
  const meanArrivalNanos = 1e9 / rate;
  // Expected span of arrivals when only the connection count bounds it.
  if (durationNanos === Infinity && connections * meanArrivalNanos * 2 > MAX_SPAN_NANOS) {
    r.fail("connections", "at this rate the workload would span more than 52 days; add durationSeconds");
  }

  const maxConcurrentConnections = r.optionalNumber(
    doc.maxConcurrentConnections,
    "maxConcurrentConnections",
    1_000_000,
    1,
    2 ** 26,
    true,
  );
  // Little's law: open connections ~ arrival rate x connection lifetime.
  const meanPackets =
    length.distribution === "fixed"
      ? length.packets
      : length.distribution === "uniform"
        ? (length.min + length.max) / 2
        : length.mean;
  const lifetimeNanos =
    Math.max(0, meanPackets - 1) * packetIntervalNanos + (replies ? replyDelayNanos : 0) + 1;
  const expectedOpen = (lifetimeNanos / meanArrivalNanos) * 1.5 + 64;
  if (expectedOpen > maxConcurrentConnections) {
    r.fail(
      "newConnectionsPerSecond",
      `about ${Math.round(expectedOpen)} connections would be open at once, more than maxConcurrentConnections ${maxConcurrentConnections}`,
    );
  }

  const churn = doc.churn === undefined ? [] : parseChurn(r, doc.churn, services);
  return {
    seed,
    startSeconds: time.seconds,
    startNanoseconds: time.nanoseconds,
    durationNanos,
    connections,
    clientCount,
    clientBase,
    clientEntry,
    services,
    zipfExponent,
    length,
    meanArrivalNanos,
    packetIntervalNanos,
    replyDelayNanos,
    replies,
    payloadBytes,
    churn,
    maxConcurrentConnections,
  };
}

function parseLength(r: Reader, value: unknown): SyntheticSpec["length"] {
  if (value === undefined) return { distribution: "fixed", packets: 10 };
  const l = r.object(value, "connectionLength");
  const max = 1e6;
  switch (l.distribution) {
    case "fixed":
      return {
        distribution: "fixed",
        packets: r.number(l.packets, "connectionLength.packets", 1, max, true),
      };
    case "uniform": {
      const min = r.number(l.min, "connectionLength.min", 1, max, true);
      return { distribution: "uniform", min, max: r.number(l.max, "connectionLength.max", min, max, true) };
    }
    case "geometric": {
      const min = r.optionalNumber(l.min, "connectionLength.min", 1, 1, max, true);
      return { distribution: "geometric", min, mean: r.number(l.mean, "connectionLength.mean", min, max) };
    }
    default:
      return r.fail("connectionLength.distribution", "expected fixed, uniform or geometric");
  }
}

function parseChurn(r: Reader, value: unknown, services: SyntheticService[]): SyntheticChurn[] {
  if (!Array.isArray(value)) r.fail("churn", "expected an array");
  const events = value.map((item, i): SyntheticChurn => {
    const c = r.object(item, `churn[${i}]`);
    const serviceText = r.string(c.service, `churn[${i}].service`);
    // "a.b.c.d:port/PROTO" naming one of the services.
    const [endpointText, protoText = "TCP"] = serviceText.split("/");
    const endpoint = r.endpoint(endpointText, `churn[${i}].service`);
    const proto = PROTOCOLS[protoText.toUpperCase()];
    const service = services.find(
      (s) => s.address === endpoint.address && s.port === endpoint.port && s.proto === proto,
    );
    if (!service) r.fail(`churn[${i}].service`, `${serviceText} is not one of the services`);
    if (c.action !== "add" && c.action !== "remove") r.fail(`churn[${i}].action`, "expected add or remove");
    return {
      atNanos: Math.round(r.number(c.atSeconds, `churn[${i}].atSeconds`, 0, MAX_SPAN_NANOS / 1e9 / 2) * 1e9),
      service,
      action: c.action,
      backend: r.endpoint(c.backend, `churn[${i}].backend`),
    };
  });
  // Stable: events at the same time keep their order in the file.
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.atNanos - b.e.atNanos || a.i - b.i)
    .map(({ e }) => e);
}
