// The datapath's randomPerFlow option, which sharded replays rely on: random backend selection and
// SNAT port choice seeded per packet, identical in Wasm and in the TS reference, and independent of
// the packets processed before.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Datapath } from "../../src/datapath/datapath.js";
import { formatIpv4, parseIpv4, type DatapathVerdict } from "../../src/engine/verdict.js";
import {
  EntryPoint,
  IpProto,
  TcpFlag,
  createPacketRecord,
  type PacketRecord,
} from "../../src/model/packet.js";
import { START, labState } from "./helpers.js";

const CURL = parseIpv4("172.20.0.96");
const TARGETS: [string, number, number][] = [
  ["10.96.163.90", 80, IpProto.TCP], // webpod: three backends, random east-west
  ["10.96.0.10", 53, IpProto.UDP], // kube-dns: two backends
  ["1.1.1.1", 443, IpProto.TCP], // outside: masqueraded
  ["8.8.8.8", 53, IpProto.UDP],
];

interface Flow {
  client: number;
  port: number;
  target: number;
  second: number;
}

function firstPacket(f: Flow): PacketRecord {
  const [address, port, proto] = TARGETS[f.target]!;
  return {
    ...createPacketRecord(),
    seconds: START + f.second,
    saddr: (CURL + f.client) >>> 0,
    daddr: parseIpv4(address),
    sport: f.port,
    dport: port,
    proto,
    tcpFlags: proto === IpProto.TCP ? TcpFlag.SYN : 0,
    ipLength: 60,
    entry: EntryPoint.FromEndpoint,
  };
}

const outcome = (v: DatapathVerdict): string =>
  `${v.verdict} ${formatIpv4(v.saddr)}:${v.sport} -> ${formatIpv4(v.daddr)}:${v.dport} backend ${v.backendId}`;

async function node(randomPerFlow: boolean, engine: "wasm" | "reference" = "wasm"): Promise<Datapath> {
  const state = await labState();
  // The lab's curl pod and its neighbours are the clients.
  for (let i = 1; i < 8; i++) {
    state.endpoints.push({ address: (CURL + i) >>> 0, endpointId: 900 + i, identity: 63446, isHost: false });
  }
  return Datapath.create(state, { seed: 7, randomPerFlow, engine });
}

const flowArb = fc.record({
  client: fc.integer({ min: 0, max: 7 }),
  port: fc.integer({ min: 1024, max: 65535 }),
  target: fc.integer({ min: 0, max: TARGETS.length - 1 }),
  second: fc.integer({ min: 0, max: 5 }),
});
const distinctFlows = fc.uniqueArray(flowArb, {
  minLength: 2,
  maxLength: 60,
  selector: (f) => `${f.client}:${f.port}`,
});

describe("randomPerFlow", () => {
  it("gives the same verdicts in Wasm and in the reference", async () => {
    const wasm = await node(true);
    const reference = await node(true, "reference");
    await fc.assert(
      fc.asyncProperty(distinctFlows, async (flows) => {
        const packets = flows.map(firstPacket);
        const verdicts = wasm.processBatch(packets);
        expect(verdicts.map(outcome)).toEqual(reference.processBatch(packets).map(outcome));
        // Both random paths are taken: a backend slot for the services, a masquerade port outside.
        flows.forEach((f, i) => {
          const v = verdicts[i]!;
          if (f.target < 2) expect(v.backendId).not.toBe(0);
          else expect(formatIpv4(v.saddr)).toBe("192.168.10.100");
        });
      }),
      { numRuns: 40 },
    );
  });

  it("makes a flow's backend and SNAT port independent of the packets before it", async () => {
    await fc.assert(
      fc.asyncProperty(distinctFlows, async (flows) => {
        const forward = await node(true);
        const backward = await node(true);
        const a = forward.processBatch(flows.map(firstPacket)).map(outcome);
        const b = backward
          .processBatch([...flows].reverse().map(firstPacket))
          .map(outcome)
          .reverse();
        forward.dispose();
        backward.dispose();
        expect(a).toEqual(b);
      }),
      { numRuns: 15 },
    );
  });

  it("is what makes them independent: one sequential stream depends on the order", async () => {
    const flows: Flow[] = Array.from({ length: 40 }, (_, i) => ({
      client: i % 8,
      port: 40000 + i,
      target: 0,
      second: 0,
    }));
    const run = async (perFlow: boolean, order: Flow[]) =>
      (await node(perFlow)).processBatch(order.map(firstPacket)).map((v) => v.backendId);
    const reversed = [...flows].reverse();
    expect(await run(false, flows)).not.toEqual((await run(false, reversed)).reverse());
    expect(await run(true, flows)).toEqual((await run(true, reversed)).reverse());
  });
});
