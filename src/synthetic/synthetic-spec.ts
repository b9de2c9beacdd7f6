// The small JSON document that describes a synthetic workload, and its validation. Every problem is
// reported with the path of the offending field.
import { parseIPv4 } from "../model/ipv4.js";
import { escapeForTerminal } from "../model/escape.js";
import { EntryPoint } from "../model/packet.js";
import { LAST_CLOCK_SECOND } from "../readers/clock-range.js";
import { formatRfc3339, parseRfc3339 } from "../readers/rfc3339.js";
import { InvalidInputError } from "../model/errors.js";
import { IpProto } from "../model/protocol.js";

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

/** A synthetic workload spec that is not valid: the path of the bad field and the problem. */
export class SyntheticSpecError extends InvalidInputError {
  constructor(
    readonly path: string,
    problem: string,
    readonly sourceName?: string,
  ) {
    // The problem may quote the spec's own text: escaped, so it prints as one harmless line.
    super(escapeForTerminal(`${sourceName ? `${sourceName}: ` : ""}synthetic spec: ${path}: ${problem}`));
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
  const time = parseStartTime(r, doc.startTime);
  const clients = parseClients(r, doc.clients);
  const services = parseServices(r, doc.services);
  const popularity = doc.popularity === undefined ? {} : r.object(doc.popularity, "popularity");
  const zipfExponent = r.optionalNumber(popularity.zipfExponent, "popularity.zipfExponent", 1, 0, 100);
  const length = parseLength(r, doc.connectionLength);
  const rate = r.number(doc.newConnectionsPerSecond, "newConnectionsPerSecond", 1e-6, 1e9);
  const packets = parsePackets(r, doc);
  const bounds = parseBounds(r, doc, rate);
  const maxConcurrentConnections = parseMaxConcurrent(r, doc, length, packets, bounds.meanArrivalNanos);
  const churn = doc.churn === undefined ? [] : parseChurn(r, doc.churn, services);
  return {
    seed,
    startSeconds: time.seconds,
    startNanoseconds: time.nanoseconds,
    durationNanos: bounds.durationNanos,
    connections: bounds.connections,
    ...clients,
    services,
    zipfExponent,
    length,
    meanArrivalNanos: bounds.meanArrivalNanos,
    ...packets,
    churn,
    maxConcurrentConnections,
  };
}

/** The first connection's time; the whole workload must fit the datapath's 32-bit clock. */
function parseStartTime(r: Reader, value: unknown): { seconds: number; nanoseconds: number } {
  const time = { seconds: Date.UTC(2024, 0, 1) / 1000, nanoseconds: 0 };
  if (value !== undefined && !parseRfc3339(r.string(value, "startTime"), time)) {
    r.fail("startTime", `not an RFC 3339 time: ${String(value)}`);
  }
  // The whole workload (at most MAX_SPAN_NANOS long) must stay within the datapath's 32-bit clock.
  const lastStart = LAST_CLOCK_SECOND - MAX_SPAN_NANOS / 1e9;
  if (time.seconds < 0 || time.seconds > lastStart) {
    r.fail(
      "startTime",
      `${String(value)} is outside 1970-01-01T00:00:00Z..${formatRfc3339(Math.floor(lastStart), 0)} (the datapath clock is 32-bit Unix seconds)`,
    );
  }
  return time;
}

/** The clients: how many, taken in order from a CIDR, and where their packets enter the node. */
function parseClients(
  r: Reader,
  value: unknown,
): Pick<SyntheticSpec, "clientCount" | "clientBase" | "clientEntry"> {
  const clients = r.object(value, "clients");
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
  return { clientCount, clientBase, clientEntry };
}

/** The frontends, most popular first. */
function parseServices(r: Reader, value: unknown): SyntheticService[] {
  if (!Array.isArray(value) || value.length === 0) r.fail("services", "expected a non-empty array");
  return value.map((item, i): SyntheticService => {
    const s = r.object(item, `services[${i}]`);
    const proto = PROTOCOLS[r.string(s.proto, `services[${i}].proto`).toUpperCase()];
    if (proto === undefined) r.fail(`services[${i}].proto`, "expected TCP, UDP or SCTP");
    return {
      address: r.ipv4(s.address, `services[${i}].address`),
      port: r.number(s.port, `services[${i}].port`, 1, 65535, true),
      proto,
    };
  });
}

type PacketShape = Pick<
  SyntheticSpec,
  "packetIntervalNanos" | "replyDelayNanos" | "replies" | "payloadBytes"
>;

/** The packets of a connection: their spacing, the replies and the payload size. */
function parsePackets(r: Reader, doc: Record<string, unknown>): PacketShape {
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
  return { packetIntervalNanos, replyDelayNanos, replies, payloadBytes };
}

/** When the workload stops (a duration, a connection count or both) and how often connections arrive. */
function parseBounds(
  r: Reader,
  doc: Record<string, unknown>,
  rate: number,
): Pick<SyntheticSpec, "durationNanos" | "connections" | "meanArrivalNanos"> {
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
  return { durationNanos, connections, meanArrivalNanos };
}

/** The cap on open connections, refusing a workload expected to go over it. */
function parseMaxConcurrent(
  r: Reader,
  doc: Record<string, unknown>,
  length: SyntheticSpec["length"],
  packets: PacketShape,
  meanArrivalNanos: number,
): number {
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
    Math.max(0, meanPackets - 1) * packets.packetIntervalNanos +
    (packets.replies ? packets.replyDelayNanos : 0) +
    1;
  const expectedOpen = (lifetimeNanos / meanArrivalNanos) * 1.5 + 64;
  if (expectedOpen > maxConcurrentConnections) {
    r.fail(
      "newConnectionsPerSecond",
      `about ${Math.round(expectedOpen)} connections would be open at once, more than maxConcurrentConnections ${maxConcurrentConnections}`,
    );
  }
  return maxConcurrentConnections;
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
