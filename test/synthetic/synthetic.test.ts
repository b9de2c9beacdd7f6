// The synthetic flow generator: deterministic for a seed, time-ordered, connection-shaped (SYN, data,
// FIN, replies), Zipf-distributed over services, churn events in the stream, and bounded memory.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { formatIPv4, parseIPv4 } from "../../src/model/ipv4.js";
import { ReplyState, TcpFlag, createPacketRecord, type PacketRecord } from "../../src/model/packet.js";
import { Xoshiro128 } from "../../src/model/prng.js";
import { readCapture } from "../../src/replay/read-capture.js";
import { SyntheticFlowGenerator, readSynthetic, type ChurnEvent } from "../../src/synthetic/synthetic.js";
import {
  parseSyntheticSpec,
  SyntheticSpecError,
  type SyntheticSpecJson,
} from "../../src/synthetic/synthetic-spec.js";
import { ZipfSampler } from "../../src/synthetic/zipf.js";
import { IpProto } from "../../src/model/protocol.js";

const webpod = { address: "10.96.163.90", port: 80, proto: "TCP" as const };
const baseSpec: SyntheticSpecJson = {
  seed: 7,
  connections: 2000,
  clients: { count: 500, cidr: "10.1.0.0/16" },
  services: [
    webpod,
    { address: "10.96.0.10", port: 53, proto: "UDP" },
    { address: "10.96.0.10", port: 9153, proto: "TCP" },
  ],
  popularity: { zipfExponent: 1.2 },
  connectionLength: { distribution: "uniform", min: 2, max: 6 },
  newConnectionsPerSecond: 5000,
};

function run(json: SyntheticSpecJson): { packets: PacketRecord[]; churn: ChurnEvent[] } {
  const generator = new SyntheticFlowGenerator(parseSyntheticSpec(json));
  const packet = createPacketRecord();
  const packets: PacketRecord[] = [];
  const churn: ChurnEvent[] = [];
  while (generator.next(packet, (e) => churn.push(e))) packets.push({ ...packet });
  return { packets, churn };
}

function digest(packets: PacketRecord[]): string {
  const hash = createHash("sha256");
  for (const p of packets) {
    hash.update(
      `${p.seconds}.${p.nanoseconds} ${p.saddr}:${p.sport}>${p.daddr}:${p.dport}/${p.proto} ${p.tcpFlags} ${p.reply}\n`,
    );
  }
  return hash.digest("hex");
}

describe("synthetic flow generator", () => {
  it("is deterministic for a seed, and different seeds give different streams", () => {
    const a = run(baseSpec);
    const b = run(baseSpec);
    expect(digest(a.packets)).toBe(digest(b.packets));
    expect(digest(run({ ...baseSpec, seed: 8 }).packets)).not.toBe(digest(a.packets));
  });

  it("emits packets in time order, numbered, starting at startTime", () => {
    const { packets } = run({ ...baseSpec, startTime: "2025-03-01T10:00:00.5Z" });
    expect(packets[0]!.seconds).toBe(Date.UTC(2025, 2, 1, 10) / 1000);
    expect(packets[0]!.nanoseconds).toBe(500_000_000);
    for (let i = 1; i < packets.length; i++) {
      const a = packets[i - 1]!;
      const b = packets[i]!;
      expect(b.seconds * 1e9 + b.nanoseconds).toBeGreaterThanOrEqual(a.seconds * 1e9 + a.nanoseconds);
      expect(b.packetNumber).toBe(i + 1);
    }
  });

  it("shapes each TCP connection as SYN, data, FIN with a reply to every packet", () => {
    const { packets } = run(baseSpec);
    const connections = new Map<string, PacketRecord[]>();
    for (const p of packets) {
      if (p.proto !== IpProto.TCP) continue;
      const client = p.reply === ReplyState.Reply ? `${p.daddr}:${p.dport}` : `${p.saddr}:${p.sport}`;
      const server = p.reply === ReplyState.Reply ? `${p.saddr}:${p.sport}` : `${p.daddr}:${p.dport}`;
      const key = `${client}>${server}`;
      connections.set(key, [...(connections.get(key) ?? []), p]);
    }
    expect(connections.size).toBeGreaterThan(100);
    for (const [key, list] of connections) {
      const forward = list.filter((p) => p.reply === ReplyState.Original).map((p) => p.tcpFlags);
      const replies = list.filter((p) => p.reply === ReplyState.Reply).map((p) => p.tcpFlags);
      expect(forward.length, key).toBeGreaterThanOrEqual(2);
      expect(forward.length, key).toBeLessThanOrEqual(6);
      expect(forward[0]).toBe(TcpFlag.SYN);
      expect(forward.at(-1)).toBe(TcpFlag.FIN | TcpFlag.ACK);
      for (const flags of forward.slice(1, -1)) expect(flags).toBe(TcpFlag.PSH | TcpFlag.ACK);
      expect(replies[0]).toBe(TcpFlag.SYN | TcpFlag.ACK);
      expect(replies.at(-1)).toBe(TcpFlag.FIN | TcpFlag.ACK);
      expect(replies).toHaveLength(forward.length);
    }
  });

  it("draws clients from the CIDR and ephemeral source ports", () => {
    const { packets } = run(baseSpec);
    const first = parseIPv4("10.1.0.1")!;
    for (const p of packets.filter((x) => x.reply === ReplyState.Original)) {
      expect(p.saddr - first).toBeGreaterThanOrEqual(0);
      expect(p.saddr - first).toBeLessThan(500);
      expect(p.sport).toBeGreaterThanOrEqual(32768);
      expect(p.sport).toBeLessThanOrEqual(60999);
    }
  });

  it("spreads connections over services with the Zipf shape of the exponent", () => {
    const exponent = 1.1;
    const services = Array.from({ length: 8 }, (_, i) => ({
      address: `10.96.0.${i + 1}`,
      port: 80,
      proto: "TCP" as const,
    }));
    const { packets } = run({
      ...baseSpec,
      services,
      popularity: { zipfExponent: exponent },
      connections: 40_000,
      connectionLength: { distribution: "fixed", packets: 1 },
      replies: false,
      newConnectionsPerSecond: 100_000,
    });
    const counts = services.map((s) => packets.filter((p) => formatIPv4(p.daddr) === s.address).length);
    const total = counts.reduce((a, b) => a + b, 0);
    expect(total).toBe(40_000);
    // Pearson chi-square against 1/k^s with 7 degrees of freedom: 24.3 is the 0.999 quantile.
    const weights = services.map((_, k) => 1 / (k + 1) ** exponent);
    const sum = weights.reduce((a, b) => a + b, 0);
    const chiSquare = counts.reduce((acc, observed, k) => {
      const expected = (total * weights[k]!) / sum;
      return acc + (observed - expected) ** 2 / expected;
    }, 0);
    expect(chiSquare).toBeLessThan(24.3);
    // Rank 1 vs rank 8: ratio 8^s.
    expect(counts[0]! / counts[7]!).toBeGreaterThan(8 ** exponent * 0.8);
    expect(counts[0]! / counts[7]!).toBeLessThan(8 ** exponent * 1.25);
  });

  it("announces churn events in stream order, before the first packet after their time", () => {
    const { packets, churn } = run({
      ...baseSpec,
      churn: [
        { atSeconds: 0.2, service: "10.96.163.90:80/TCP", action: "remove", backend: "172.20.1.126:80" },
        { atSeconds: 0.1, service: "10.96.163.90:80/TCP", action: "add", backend: "172.20.2.9:80" },
        { atSeconds: 1e6, service: "10.96.0.10:53/UDP", action: "remove", backend: "172.20.0.197:53" },
      ],
    });
    expect(churn.map((e) => e.action)).toEqual(["add", "remove", "remove"]);
    expect(churn[0]!.backend).toEqual({ address: parseIPv4("172.20.2.9"), port: 80 });
    const start = packets[0]!.seconds;
    for (const event of churn.slice(0, 2)) {
      const at = (event.seconds - start) * 1e9 + event.nanoseconds;
      const before = packets[event.afterPackets - 1]!;
      const after = packets[event.afterPackets]!;
      expect((before.seconds - start) * 1e9 + before.nanoseconds).toBeLessThan(at);
      expect((after.seconds - start) * 1e9 + after.nanoseconds).toBeGreaterThanOrEqual(at);
    }
    // The event after the workload comes at the end.
    expect(churn[2]!.afterPackets).toBe(packets.length);
  });

  it("keeps only open connections in memory, however long the workload", () => {
    const generator = new SyntheticFlowGenerator(
      parseSyntheticSpec({
        ...baseSpec,
        connections: 200_000,
        newConnectionsPerSecond: 10_000,
        maxConcurrentConnections: 2000,
      }),
    );
    const packet = createPacketRecord();
    let most = 0;
    while (generator.next(packet)) most = Math.max(most, generator.openConnections);
    expect(generator.connectionsOpened).toBe(200_000);
    // 10 000/s x ~5 ms lifetime = ~50 open on average.
    expect(most).toBeLessThan(300);
  });

  it("streams through readSynthetic and readCapture (detected from the spec's content)", async () => {
    const expected = run(baseSpec).packets;
    const progress: number[] = [];
    const viaRead: PacketRecord[] = [];
    const summary = await readSynthetic(parseSyntheticSpec(baseSpec), (p) => viaRead.push({ ...p }), {
      packetsPerChunk: 1000,
      afterChunk: (n) => void progress.push(n),
    });
    expect(digest(viaRead)).toBe(digest(expected));
    expect(summary.packets).toBe(expected.length);
    expect(progress.at(-1)).toBe(expected.length);
    const viaCapture: PacketRecord[] = [];
    const text = new TextEncoder().encode(JSON.stringify(baseSpec, null, 2));
    const captureSummary = await readCapture([text.subarray(0, 10), text.subarray(10)], (p) =>
      viaCapture.push({ ...p }),
    );
    expect(captureSummary.format).toBe("synthetic");
    expect(digest(viaCapture)).toBe(digest(expected));
  });

  it("rejects invalid specs with the field's path", () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...baseSpec, clients: { count: 10, cidr: "10.1.0.0/33" } }, /clients\.cidr: not an IPv4 CIDR/],
      [{ ...baseSpec, clients: { count: 300, cidr: "10.1.0.0/24" } }, /clients\.count: must be in 1\.\.254/],
      [
        { ...baseSpec, services: [{ ...webpod, proto: "ICMP" }] },
        /services\[0\]\.proto: expected TCP, UDP or SCTP/,
      ],
      [{ ...baseSpec, connections: undefined }, /give durationSeconds or connections/],
      [
        {
          ...baseSpec,
          churn: [{ atSeconds: 1, service: "10.9.9.9:80/TCP", action: "add", backend: "1.2.3.4:80" }],
        },
        /churn\[0\]\.service: .* is not one of the services/,
      ],
      [
        {
          ...baseSpec,
          newConnectionsPerSecond: 1e8,
          connectionLength: { distribution: "fixed", packets: 1000 },
        },
        /maxConcurrentConnections/,
      ],
    ];
    for (const [json, pattern] of cases) {
      expect(() => parseSyntheticSpec(json)).toThrow(SyntheticSpecError);
      expect(() => parseSyntheticSpec(json)).toThrow(pattern);
    }
  });
});

describe("random number and popularity building blocks", () => {
  it("xoshiro128** matches the reference sequence for state 1, 2, 3, 4", () => {
    const random = Xoshiro128.fromState(1, 2, 3, 4);
    const out = Array.from({ length: 6 }, () => random.next());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it("Zipf probabilities follow 1/k^s and sum to one", () => {
    const zipf = new ZipfSampler(5, 2);
    const harmonic = [1, 2, 3, 4, 5].reduce((a, k) => a + 1 / k ** 2, 0);
    for (let k = 1; k <= 5; k++) expect(zipf.probability(k - 1)).toBeCloseTo(1 / k ** 2 / harmonic, 12);
    const uniform = new ZipfSampler(4, 0);
    for (let k = 0; k < 4; k++) expect(uniform.probability(k)).toBeCloseTo(0.25, 12);
  });
});
