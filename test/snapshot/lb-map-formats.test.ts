// The LB map dumps the fixtures do not cover (no real capture of these was found): their text
// forms follow the Go String() methods of pkg/loadbalancer/maps and cilium-dbg's printers.
import { describe, expect, it } from "vitest";
import {
  bpfLbListBackendsFormat,
  mapGetLb4BackendsFormat,
} from "../../src/snapshot/formats/map-get-lb4-backends.js";
import {
  bpfLbListRevNatFormat,
  mapGetLb4ReverseNatFormat,
} from "../../src/snapshot/formats/map-get-lb4-reverse-nat.js";
import { bpfLbListFrontendsFormat } from "../../src/snapshot/formats/map-get-lb4-services.js";
import { agentConfigFormat, agentConfigFromEntries } from "../../src/snapshot/formats/agent-config.js";
import { recognise } from "../../src/snapshot/registry.js";
import { splitDumps } from "../../src/snapshot/split.js";
import { roundTrip, strict } from "./helpers.js";

function only(text: string) {
  const segments = splitDumps("t.txt", text);
  expect(segments).toHaveLength(1);
  return segments[0]!;
}

describe("backends map", () => {
  it("reads _v3 (no port), older maps (port) and cluster/zone suffixes", () => {
    const text = [
      "Key   Value                       State   Error",
      "14    TCP://172.20.0.66",
      "15    TCP://172.20.2.1@3[zone-a]",
      "8     ANY://10.0.1.219:80         sync",
      "9     UDP://[fd00::5]:53",
    ].join("\n");
    const segment = only(text);
    expect(recognise(segment.lines)?.format.kind).toBe("map-get-lb4-backends");
    const dump = mapGetLb4BackendsFormat.parse(segment, strict);
    expect(dump.entries).toEqual([
      {
        id: 14,
        address: "172.20.0.66",
        family: 4,
        protocol: "TCP",
        port: undefined,
        clusterId: 0,
        zone: undefined,
      },
      {
        id: 15,
        address: "172.20.2.1",
        family: 4,
        protocol: "TCP",
        port: undefined,
        clusterId: 3,
        zone: "zone-a",
      },
      { id: 8, address: "10.0.1.219", family: 4, protocol: "ANY", port: 80, clusterId: 0, zone: undefined },
      { id: 9, address: "fd00::5", family: 6, protocol: "UDP", port: 53, clusterId: 0, zone: undefined },
    ]);
    const { first, second } = roundTrip(mapGetLb4BackendsFormat, segment);
    expect(second).toEqual(first);
  });

  it("tells --backends, --revnat and --frontends apart by header and content", () => {
    const backends = only("ID   BACKEND ADDRESS (REVNAT_ID) (SLOT)\n3    TCP://172.20.0.197\n");
    const revnat = only("ID   BACKEND ADDRESS (REVNAT_ID) (SLOT)\n20   10.96.163.90:80\n");
    const frontends = only(
      "SERVICE ADDRESS           BACKEND ID\n10.96.163.90:80/TCP (1)   14 0[0] (20) [0x0 0x0]\n",
    );
    expect(recognise(backends.lines)?.format.kind).toBe(bpfLbListBackendsFormat.kind);
    expect(recognise(revnat.lines)?.format.kind).toBe(bpfLbListRevNatFormat.kind);
    expect(recognise(frontends.lines)?.format.kind).toBe(bpfLbListFrontendsFormat.kind);
    expect(bpfLbListRevNatFormat.parse(revnat, strict).entries).toEqual([
      { id: 20, address: "10.96.163.90", family: 4, port: 80 },
    ]);
  });

  it("reads map get cilium_lb4_reverse_nat", () => {
    const segment = only("Key   Value            State   Error\n19    10.96.0.1:443\n6     10.96.0.10:53\n");
    expect(recognise(segment.lines)?.format.kind).toBe(mapGetLb4ReverseNatFormat.kind);
    const { first, second } = roundTrip(mapGetLb4ReverseNatFormat, segment);
    expect(first.entries.map((e) => e.id)).toEqual([19, 6]);
    expect(second).toEqual(first);
  });
});

describe("agent configuration", () => {
  it("reads a cilium-config ConfigMap", () => {
    const text = [
      "apiVersion: v1",
      "data:",
      '  routing-mode: "tunnel"',
      "  tunnel-protocol: vxlan",
      '  ipv4-native-routing-cidr: "172.20.0.0/16"',
      '  enable-bpf-masquerade: "true"',
      "  bpf-lb-algorithm: maglev",
      '  bpf-lb-maglev-table-size: "16381"',
      "  bpf-lb-maglev-hash-seed: JLfvgnHc2kaSUFaI",
      '  bpf-lb-mode: "dsr"',
      "kind: ConfigMap",
      "metadata:",
      "  name: cilium-config",
    ].join("\n");
    const segment = only(text);
    expect(recognise(segment.lines)?.format.kind).toBe("agent-config");
    const dump = agentConfigFormat.parse(segment, strict);
    expect(agentConfigFromEntries(dump.entries)).toEqual({
      routingMode: "tunnel",
      tunnelProtocol: "vxlan",
      ipv4NativeRoutingCidr: "172.20.0.0/16",
      bpfMasquerade: true,
      backendSelection: "Maglev",
      maglevTableSize: 16381,
      maglevHashSeed: "JLfvgnHc2kaSUFaI",
      kprMode: "DSR",
    });
    const { first, second } = roundTrip(agentConfigFormat, segment);
    expect(second).toEqual(first);
  });

  it("reads `config --all` with Go field names", () => {
    const text = [
      "#### Read-only configurations ####",
      "RoutingMode                       : native",
      "IPv4NativeRoutingCIDR             : 10.0.0.0/8",
      "EnableBPFMasquerade               : false",
    ].join("\n");
    const dump = agentConfigFormat.parse(only(text), strict);
    expect(agentConfigFromEntries(dump.entries)).toEqual({
      routingMode: "native",
      ipv4NativeRoutingCidr: "10.0.0.0/8",
      bpfMasquerade: false,
    });
  });
});
