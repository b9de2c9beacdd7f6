// Synthetic flows for the comparison: distinct client address/port pairs with heavy-tailed sizes.
// The same FlowSet drives both algorithms.
import type { FlowSet } from "./model.js";

/** Anything that yields uniformly distributed u32 values, e.g. the seeded Xoshiro128. */
export interface RandomSource {
  next(): number;
}

/** How many synthetic connections to generate, from how many clients, with which seed. */
export interface SyntheticFlowOptions {
  /** Connections to generate. */
  readonly flows: number;
  /** Distinct client addresses the connections come from. */
  readonly clients: number;
}

/** Linux's default ephemeral port range (net.ipv4.ip_local_port_range). */
const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_COUNT = 60999 - 32768 + 1;
/** Clients are numbered into 10.128.0.0/9 so they never collide with the lab's pod or node ranges. */
const CLIENT_BASE = (10 << 24) | (128 << 16);
const CLIENT_SPACE = 1 << 23;

/** A uniform float in [0, 1) from one u32 draw. */
function unit(random: RandomSource): number {
  return (random.next() >>> 0) / 4294967296;
}

/**
 * Synthetic connections: each from one of `clients` addresses (spread over 10.128.0.0/9) with an
 * ephemeral source port, no two with the same address and port. Packets per connection follow a
 * Pareto tail (α = 1.2, most connections short, a few elephants), bytes per packet 64..1500.
 */
export function syntheticFlows(options: SyntheticFlowOptions, random: RandomSource): FlowSet {
  const { flows, clients } = options;
  if (!Number.isInteger(flows) || flows < 1)
    throw new RangeError(`--flows must be a positive integer, got ${flows}`);
  if (!Number.isInteger(clients) || clients < 1 || clients > CLIENT_SPACE) {
    throw new RangeError(`--clients must be an integer 1..${CLIENT_SPACE}, got ${clients}`);
  }
  if (flows > clients * EPHEMERAL_COUNT) {
    throw new RangeError(
      `${flows} flows do not fit in ${clients} clients × ${EPHEMERAL_COUNT} ephemeral ports; add clients`,
    );
  }
  // Spread the client numbers over the /9 with a fixed odd stride so addresses are not consecutive.
  const clientAddresses = Uint32Array.from(
    { length: clients },
    (_, i) => (CLIENT_BASE + ((i * 2654435761) % CLIENT_SPACE)) >>> 0,
  );
  const clientAddress = new Uint32Array(flows);
  const clientPort = new Uint16Array(flows);
  const packets = new Float64Array(flows);
  const bytes = new Float64Array(flows);
  const used = new Set<number>();
  for (let f = 0; f < flows; f++) {
    let client: number;
    let port: number;
    let key: number;
    do {
      client = random.next() % clients;
      port = EPHEMERAL_FIRST + (random.next() % EPHEMERAL_COUNT);
      key = client * 65536 + port;
    } while (used.has(key));
    used.add(key);
    clientAddress[f] = clientAddresses[client]!;
    clientPort[f] = port;
    const n = Math.min(1e6, Math.floor(Math.pow(1 - unit(random), -1 / 1.2)) + 1);
    packets[f] = n;
    bytes[f] = n * (64 + (random.next() % (1500 - 64 + 1)));
  }
  return { count: flows, clientAddress, clientPort, packets, bytes };
}
