// The generator's connection number and slot on every synthetic packet: what lets the replay send
// each reply back from the backend its request reached.
import { describe, expect, it } from "vitest";
import { ReplyState, createPacketRecord } from "../../src/model/packet.js";
import { SyntheticFlowGenerator } from "../../src/synthetic/synthetic.js";
import { parseSyntheticSpec } from "../../src/synthetic/synthetic-spec.js";

describe("synthetic connection numbers and slots", () => {
  it("number each connection once, and never give one slot to two open connections", () => {
    const generator = new SyntheticFlowGenerator(
      parseSyntheticSpec({
        seed: 5,
        connections: 3000,
        clients: { count: 20, cidr: "10.1.0.0/24" },
        services: [
          { address: "10.96.0.1", port: 443, proto: "TCP" },
          { address: "10.96.0.10", port: 53, proto: "UDP" },
        ],
        connectionLength: { distribution: "uniform", min: 1, max: 9 },
        newConnectionsPerSecond: 20000,
      }),
    );
    const packet = createPacketRecord();
    const tupleOf = new Map<number, string>();
    const holder = new Map<number, number>();
    const lastPacket = new Map<number, number>();
    const handovers: { previous: number; at: number }[] = [];
    const seen: number[] = [];
    for (let index = 0; generator.next(packet); index++) {
      const { connection, connectionSlot: slot } = packet;
      expect(connection).toBeGreaterThan(0);
      expect(slot).toBeGreaterThan(0);
      const isReply = packet.reply === ReplyState.Reply;
      const client = isReply ? `${packet.daddr}:${packet.dport}` : `${packet.saddr}:${packet.sport}`;
      if (!tupleOf.has(connection)) {
        // A connection starts with a client packet and takes over its slot.
        expect(isReply).toBe(false);
        const previous = holder.get(slot);
        if (previous !== undefined) handovers.push({ previous, at: index });
        holder.set(slot, connection);
        tupleOf.set(connection, client);
        seen.push(connection);
      }
      expect(tupleOf.get(connection)).toBe(client);
      expect(holder.get(slot)).toBe(connection);
      lastPacket.set(connection, index);
    }
    // A slot changes hands only once its previous connection has sent everything.
    expect(handovers.length).toBeGreaterThan(100);
    for (const h of handovers) expect(lastPacket.get(h.previous)!).toBeLessThan(h.at);
    expect(seen).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
  });
});
