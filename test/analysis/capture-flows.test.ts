import { describe, expect, it } from "vitest";
import { CaptureFlowCollector, type CapturedPacket } from "../../src/analysis/capture-flows.js";
import type { CompareService } from "../../src/analysis/model.js";
import { parseIPv4 } from "../../src/model/ipv4.js";
import { syntheticService } from "../../src/analysis/synthetic-service.js";

const ip = (text: string) => parseIPv4(text)!;

function packet(src: string, sport: number, dst: string, dport: number, extra: Partial<CapturedPacket> = {}) {
  return {
    saddr: ip(src),
    daddr: ip(dst),
    sport,
    dport,
    proto: 6,
    ipLength: 100,
    wireLength: 114,
    reply: 0,
    ...extra,
  };
}

describe("CaptureFlowCollector", () => {
  const exact: CompareService = {
    ...syntheticService(2),
    frontend: "10.96.163.90:80/TCP",
    address: "10.96.163.90",
  };
  const nodePort: CompareService = {
    ...syntheticService(2),
    frontend: "0.0.0.0:30003/TCP",
    address: "0.0.0.0",
    port: 30003,
  };
  const exactNodePort: CompareService = {
    ...syntheticService(2),
    frontend: "192.168.10.100:30003/TCP",
    address: "192.168.10.100",
    port: 30003,
  };

  it("counts client→frontend packets into connections; replies and other traffic apart", () => {
    const c = new CaptureFlowCollector([exact]);
    c.add(packet("172.20.0.96", 40000, "10.96.163.90", 80));
    c.add(packet("172.20.0.96", 40000, "10.96.163.90", 80, { ipLength: 0 }));
    c.add(packet("172.20.0.96", 40001, "10.96.163.90", 80));
    c.add(packet("10.96.163.90", 80, "172.20.0.96", 40000, { reply: 2 }));
    c.add(packet("172.20.0.96", 40002, "10.96.163.90", 443));
    c.add(packet("172.20.0.96", 40002, "10.96.163.90", 80, { proto: 17 }));
    expect(c.counts()).toEqual({ matched: 3, replies: 1, other: 2 });
    const flows = c.flows().get("10.96.163.90:80/TCP")!;
    expect(flows.count).toBe(2);
    expect([...flows.clientPort]).toEqual([40000, 40001]);
    expect([...flows.clientAddress]).toEqual([ip("172.20.0.96"), ip("172.20.0.96")]);
    expect([...flows.packets]).toEqual([2, 1]);
    // IP length when the input has it, the frame length otherwise.
    expect([...flows.bytes]).toEqual([214, 100]);
  });

  it("a 0.0.0.0 NodePort frontend takes the port's packets no exact frontend claims", () => {
    const c = new CaptureFlowCollector([nodePort, exactNodePort]);
    c.add(packet("10.0.0.1", 50000, "192.168.10.100", 30003));
    c.add(packet("10.0.0.1", 50001, "10.0.2.15", 30003));
    c.add(packet("10.0.0.1", 50002, "10.0.2.15", 30004));
    const flows = c.flows();
    expect(flows.get("192.168.10.100:30003/TCP")!.count).toBe(1);
    expect(flows.get("0.0.0.0:30003/TCP")!.count).toBe(1);
    expect(c.counts().other).toBe(1);
  });
});
