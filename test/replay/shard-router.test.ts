// Flow sharding: every packet a worker's datapath state depends on reaches that worker.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIpv4 } from "../../src/engine/verdict.js";
import { ShardRouter } from "../../src/replay/shard-router.js";
import { labState } from "./helpers.js";

const state = await labState();
const frontends = state.services
  .filter((s) => s.slot === 0 && s.address !== 0)
  .map((s) => [s.address >>> 0, s.port] as const);
const backends = state.backends.map((b) => [b.address >>> 0, b.port] as const);
const address = fc.integer({ min: 0x0b000000, max: 0x0bffffff }); // 11.0.0.0/8: neither frontend nor backend
const port = fc.integer({ min: 1024, max: 65535 });

describe("ShardRouter", () => {
  it("sends a request, its replies (before and after reverse NAT) and direct backend traffic to one worker", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 9 }),
        address,
        port,
        port,
        fc.nat(),
        fc.nat(),
        (workers, client, clientPort, otherPort, f, b) => {
          const router = new ShardRouter(workers, state);
          const [vip, vport] = frontends[f % frontends.length]!;
          const [backend, bport] = backends[b % backends.length]!;
          const w = router.workerOf(client, clientPort, vip, vport);
          expect(router.workerOf(vip, vport, client, clientPort)).toBe(w);
          expect(router.workerOf(backend, bport, client, clientPort)).toBe(w);
          expect(router.workerOf(client, clientPort, backend, bport)).toBe(w);
          // The client's other connections too (affinity and RELATED entries are per address).
          expect(router.workerOf(client, otherPort, vip, vport)).toBe(w);
        },
      ),
    );
  });

  it("sends both directions of plain traffic to one worker", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 9 }), address, port, address, port, (workers, a, ap, b, bp) => {
        const router = new ShardRouter(workers, state);
        expect(router.workerOf(a, ap, b, bp)).toBe(router.workerOf(b, bp, a, ap));
      }),
    );
  });

  it("treats NodePort on every node address as a frontend, and follows backends churn adds", () => {
    const router = new ShardRouter(4, state);
    const client = parseIpv4("203.0.113.9");
    const nodePort = router.workerOf(client, 5000, parseIpv4("192.168.10.100"), 30003);
    expect(router.workerOf(parseIpv4("172.20.0.73"), 8081, client, 5000)).toBe(nodePort);
    const added = parseIpv4("172.20.1.200");
    router.addBackend(added, 80);
    expect(router.workerOf(added, 80, client, 5000)).toBe(nodePort);
  });

  it("keeps a hairpin flow together: a pod reaching itself, answered at the service loopback address", () => {
    const router = new ShardRouter(5, state);
    const pod = parseIpv4("172.20.0.197");
    const loopback = state.node.serviceLoopbackAddress;
    const w = router.workerOf(pod, 40000, parseIpv4("10.96.0.10"), 53);
    expect(router.workerOf(pod, 53, loopback, 40000)).toBe(w);
    expect(router.workerOf(loopback, 40000, pod, 53)).toBe(w);
  });

  it("spreads clients over every worker", () => {
    const router = new ShardRouter(4, state);
    const counts = [0, 0, 0, 0];
    const vip = parseIpv4("10.96.163.90");
    for (let i = 0; i < 4000; i++) counts[router.workerOf((0x0a010000 + i) >>> 0, 40000, vip, 80)]!++;
    for (const n of counts) expect(n).toBeGreaterThan(800);
  });

  it("hands each snapshot CT and NAT entry to exactly one worker, both halves of a NAT mapping together", () => {
    expect(state.nat.length).toBeGreaterThan(0);
    const router = new ShardRouter(3, state);
    const parts = [0, 1, 2].map((w) => router.stateFor(state, w));
    let pairs = 0;
    expect(parts.reduce((n, p) => n + p.nat.length, 0)).toBe(state.nat.length);
    expect(parts.reduce((n, p) => n + p.ct.length, 0)).toBe(state.ct.length);
    for (const part of parts) {
      for (const e of part.nat) {
        const t = e.tuple;
        // The other half: OUT {s:sp -> d:dp} -> to x:xp pairs with IN {d:dp -> x:xp} -> to s:sp.
        const other = state.nat.find((o) =>
          (t.flags & 1) === 0
            ? (o.tuple.flags & 1) === 1 &&
              o.tuple.saddr === t.daddr &&
              o.tuple.sport === t.dport &&
              o.tuple.daddr === e.address &&
              o.tuple.dport === e.port
            : (o.tuple.flags & 1) === 0 &&
              o.tuple.daddr === t.saddr &&
              o.tuple.dport === t.sport &&
              o.address === t.daddr &&
              o.port === t.dport,
        );
        if (other) {
          pairs++;
          expect(part.nat).toContain(other);
        }
      }
    }
    expect(pairs).toBe(state.nat.length);
  });
});
