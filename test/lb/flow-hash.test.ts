import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { flowHashV4, flowHashPortsWord } from "../../src/reference/lb/flow-hash.js";
import type { FlowV4, PortPacking } from "../../src/model/flow.js";
import { parseClusterSeed } from "../../src/model/cluster-seed.js";
import { maglevFlowHash } from "../../src/lb/select.js";
import { portPackingForCiliumVersion } from "../../src/model/cilium-version.js";
import { InvalidInputError } from "../../src/model/errors.js";
import { packingCode } from "../../src/wasm/maglev.js";
import { loadWasm, type WasmInstance } from "../../src/wasm/module.js";
import { runs } from "../helpers/property.js";

let wasm: WasmInstance;
beforeAll(async () => {
  wasm = await loadWasm();
});

const seed4 = parseClusterSeed().jhashV4;
// Client 10.0.0.1:40000 -> service port 80, TCP (reference doc Appendix A).
const flow: FlowV4 = { clientAddress: 0x0a000001, clientPort: 40000, servicePort: 80, protocol: 6 };

function wasmFlowHash(f: FlowV4, seed: number, packing: PortPacking, affinity: boolean): number {
  const code = packingCode(packing);
  return (
    wasm.exports.flowHashV4(
      f.clientAddress,
      f.clientPort,
      f.servicePort,
      f.protocol,
      seed,
      code,
      affinity,
    ) >>> 0
  );
}

describe("Cilium IPv4 tuple hash", () => {
  it("packs raw (network-order) ports with the service port high since Cilium 1.17", () => {
    // port 80 = bytes 00 50 -> raw 0x5000; port 40000 = 9c 40 -> raw 0x409c
    expect(flowHashPortsWord(flow, "service-port-high")).toBe(0x5000409c);
    expect(flowHashPortsWord(flow, "service-port-high", true)).toBe(0x50000000);
    expect(flowHashPortsWord(flow, "client-port-high")).toBe(0x409c5000);
    expect(flowHashPortsWord(flow, "client-port-high", true)).toBe(0x409c5000);
  });

  it("reproduces the reference doc's Appendix A hashes and table indices", () => {
    const v117 = flowHashV4(flow, seed4, "service-port-high");
    const v116 = flowHashV4(flow, seed4, "client-port-high");
    expect(v117).toBe(0x3ccc2a54);
    expect([v117 % 16381, v117 % 251]).toEqual([1032, 93]);
    expect(v116).toBe(0xd3b0bd27);
    expect([v116 % 16381, v116 % 251]).toEqual([10725, 133]);
    expect(wasmFlowHash(flow, seed4, "service-port-high", false)).toBe(0x3ccc2a54);
    expect(wasmFlowHash(flow, seed4, "client-port-high", false)).toBe(0xd3b0bd27);
  });

  it("ignores the destination address by construction and depends on the source address", () => {
    const other = { ...flow, clientAddress: 0x0a000002 };
    expect(flowHashV4(other, seed4, "service-port-high")).not.toBe(
      flowHashV4(flow, seed4, "service-port-high"),
    );
  });

  it("with session affinity (>= 1.17) every client port of one client hashes alike", () => {
    const a = flowHashV4(flow, seed4, "service-port-high", true);
    const b = flowHashV4({ ...flow, clientPort: 12345 }, seed4, "service-port-high", true);
    expect(a).toBe(b);
  });

  it("Wasm equals the TS reference on random flows, seeds, packings and affinity", () => {
    fc.assert(
      fc.property(
        fc.record({
          clientAddress: fc.nat({ max: 0xffffffff }),
          clientPort: fc.nat({ max: 65535 }),
          servicePort: fc.nat({ max: 65535 }),
          protocol: fc.nat({ max: 255 }),
        }),
        fc.nat({ max: 0xffffffff }),
        fc.constantFrom<PortPacking>("service-port-high", "client-port-high"),
        fc.boolean(),
        (f, seed, packing, affinity) => {
          expect(wasmFlowHash(f, seed, packing, affinity)).toBe(flowHashV4(f, seed, packing, affinity));
        },
      ),
      { numRuns: runs(3000) },
    );
  });

  it("public maglevFlowHash takes dotted addresses, protocol names and a Cilium version", () => {
    const base = { clientAddress: "10.0.0.1", clientPort: 40000, servicePort: 80, protocol: "tcp" };
    expect(maglevFlowHash(base)).toBe(0x3ccc2a54);
    expect(maglevFlowHash(base, { ciliumVersion: "v1.16.6" })).toBe(0xd3b0bd27);
    expect(maglevFlowHash(base, { ciliumVersion: "1.17.0" })).toBe(0x3ccc2a54);
    expect(() => maglevFlowHash({ ...base, clientAddress: "10.0.0.300" })).toThrow(/flow client address/);
    expect(() => maglevFlowHash({ ...base, protocol: "icmpx" })).toThrow(/protocol/);
  });
});

describe("port packing by Cilium version", () => {
  it.each([
    ["1.15.2", "client-port-high"],
    ["v1.16.5", "client-port-high"],
    ["1.16.0-rc.1", "client-port-high"],
    ["1.17.0", "service-port-high"],
    ["v1.17.0-rc.2", "service-port-high"],
    ["1.19.0-dev", "service-port-high"],
    ["2.0", "service-port-high"],
  ])("%s -> %s", (version, packing) => {
    expect(portPackingForCiliumVersion(version)).toBe(packing);
  });

  it("rejects something that is not a version", () => {
    expect(() => portPackingForCiliumVersion("latest")).toThrow(InvalidInputError);
  });
});
