import { describe, expect, it } from "vitest";
import type { CtEntry } from "../../src/model/ct.js";
import { InputError } from "../../src/snapshot/errors.js";
import { bpfCtListFormat, ctFlagNames } from "../../src/snapshot/formats/bpf-ct-list.js";
import { fixtureText } from "../helpers/fixtures.js";
import { contentOf, fixtureSource, parseRoundTrip, strict, textSource } from "./helpers.js";

function golden(file: string): readonly CtEntry[] {
  const { model, printed } = parseRoundTrip(bpfCtListFormat, fixtureSource(`public/${file}`));
  // Printed exactly as the agent printed it (modulo trailing blanks).
  expect(contentOf(printed)).toEqual(contentOf(fixtureText(`public/${file}`)));
  return model;
}

describe("bpf ct list global", () => {
  it("v1.9: a service entry printed reversed, RxBytes holding the backend ID", () => {
    const [svc, ...rest] = golden("ct-list-global.v1.9-service.txt");
    expect(rest).toHaveLength(0);
    expect(svc).toMatchObject({
      protocol: "TCP",
      nexthdr: 6,
      family: "ipv4",
      direction: "SVC",
      legacyServiceKey: true,
      source: { address: "172.16.0.16", port: 60462 },
      destination: { address: "192.168.15.94", port: 80 },
      layout: "split-ifindex",
      backendId: 4209n,
      rxBytes: 4209n,
      revNat: 116,
      flags: 0x12,
      flagNames: ["TxClosing", "SeenNonSyn"],
      txFlagsSeen: 0x1b,
      lastTxReport: 92356,
      expires: 113956,
    });
  });

  it("v1.10: post-DNAT OUT entries with the service rev-NAT ID and per-direction counters", () => {
    const model = golden("ct-list-global.v1.10-clusterip.txt");
    expect(model).toHaveLength(2);
    expect(model[0]).toMatchObject({
      direction: "OUT",
      source: { address: "100.97.222.42", port: 33660 },
      destination: { address: "100.98.135.52", port: 80 },
      rxPackets: 15n,
      rxBytes: 103572n,
      txPackets: 15n,
      txBytes: 3728n,
      revNat: 57,
      sourceSecurityId: 46028,
      backendId: 0n,
      flagNames: ["RxClosing", "TxClosing", "SeenNonSyn"],
    });
  });

  it("v1.12: a NodePort connection as IN, service and OUT entries", () => {
    const [inbound, svc, outbound] = golden("ct-list-global.v1.12-nodeport.txt");
    expect(inbound).toMatchObject({ direction: "IN", flags: 0x33, revNat: 0, sourceSecurityId: 2 });
    expect(inbound?.flagNames).toContain("NodePort");
    expect(svc).toMatchObject({
      direction: "SVC",
      source: { address: "10.72.3.2", port: 58842 },
      destination: { address: "10.72.32.1", port: 80 },
      backendId: 21n,
      revNat: 27,
    });
    expect(outbound).toMatchObject({ direction: "OUT", revNat: 27, ifIndex: 3, sourceSecurityId: 1 });
  });

  it("v1.14 (before the SVC format fix): service entries with backend ID 1 and rev-NAT 1", () => {
    const model = golden("ct-list-global.v1.14-before-svc-format-fix.txt");
    expect(
      model.map((entry) => [
        entry.direction,
        entry.source.address,
        entry.destination.address,
        entry.backendId,
      ]),
    ).toEqual([
      ["SVC", "10.244.0.113", "10.96.0.1", 1n],
      ["SVC", "10.244.0.161", "10.96.0.1", 1n],
    ]);
  });

  it("v1.18: IPv6 entries are kept and marked, SVC entries carry BackendID", () => {
    const model = golden("ct-list-global.v1.18-ipv6.txt");
    expect(model).toHaveLength(4);
    expect(model.every((entry) => entry.family === "ipv6" && entry.layout === "backend-id")).toBe(true);
    expect(model[0]).toMatchObject({
      direction: "IN",
      source: { address: "2a00:23c8:bcb:5101:cce4:dbf7:957:33a4", port: 47224 },
      destination: { address: "fd85:ee78:d8a6:8607::1:fe5", port: 8000 },
      sourceSecurityId: 10,
    });
    expect(model[1]).toMatchObject({
      direction: "SVC",
      legacyServiceKey: false,
      destination: { address: "2a03:3f40:88:1::24", port: 80 },
      backendId: 98n,
      revNat: 218,
      packets: 0n,
    });
  });

  it("main 2025: DSR entry with NatPort and a 64-bit backend field kept exactly", () => {
    const [entry] = golden("ct-list-global.main-2025-dsr-natport.txt");
    expect(entry).toMatchObject({
      layout: "backend-id-natport",
      natPort: 30587,
      backendId: 360309599644942336n,
      flags: 0x93,
      flagNames: ["RxClosing", "TxClosing", "SeenNonSyn", "DSRInternal"],
      sourceSecurityId: 9,
    });
  });

  it("v1.8: the ICMP entry printed after the NAT lines of the same fixture", () => {
    const { model } = parseRoundTrip(bpfCtListFormat, fixtureSource("public/bpf-nat-list.v1.8-icmp.txt", 4));
    expect(model).toEqual([
      expect.objectContaining({
        protocol: "ICMP",
        nexthdr: 1,
        direction: "OUT",
        source: { address: "192.168.34.11", port: 0 },
        destination: { address: "192.168.34.12", port: 38193 },
        txPackets: 1n,
        txBytes: 50n,
        flags: 0,
        flagNames: [],
      }),
    ]);
  });

  it("reads bracketed IPv6, related tuples, --time-diff and the oldest layout", () => {
    const lines = [
      "UDP SVC [fd00::1]:53000 -> [fd00::a]:53 related expires=100 (remaining: -3 sec(s)) Packets=1 Bytes=2 RxFlagsSeen=0x00 LastRxReport=0 TxFlagsSeen=0x00 LastTxReport=5 Flags=0x0200 [ Unknown=0x0200 ] RevNAT=7 SourceSecurityID=0 BackendID=12 ",
      "TCP OUT 10.0.0.1:40000 -> 10.0.0.2:80 expires=9 RxPackets=0 RxBytes=0 RxFlagsSeen=0x02 LastRxReport=0 TxPackets=0 TxBytes=0 TxFlagsSeen=0x02 LastTxReport=0 Flags=0x0080 RevNAT=0 Slave=2 SourceSecurityID=5 ",
      "TCP IN 10.0.0.2:80 -> 10.0.0.1:40000 expires=9 RxPackets=0 RxBytes=0 RxFlagsSeen=0x02 LastRxReport=0 TxPackets=0 TxBytes=0 TxFlagsSeen=0x02 LastTxReport=0 Flags=0x0080 [ DSR ] RevNAT=0 SourceSecurityID=5 ",
    ];
    const { model } = parseRoundTrip(bpfCtListFormat, textSource(lines.join("\n")));
    expect(model[0]).toMatchObject({ ipv6Brackets: true, related: true, remainingSeconds: -3, flags: 0x200 });
    expect(model[1]).toMatchObject({ layout: "slave", flagNames: null, ifIndex: 2, flags: 0x80 });
    expect(model[2]).toMatchObject({ layout: "split", flagNames: ["DSR"] });
  });

  it("names flags the way the newest agents do", () => {
    expect(ctFlagNames(0x0093)).toEqual(["RxClosing", "TxClosing", "SeenNonSyn", "DSRInternal"]);
    expect(ctFlagNames(0x0033)).toEqual(["RxClosing", "TxClosing", "SeenNonSyn", "NodePort"]);
    expect(ctFlagNames(0x8500)).toEqual(["FromL7LB", "FromTunnel", "Unknown=0x8000"]);
  });

  it("rejects flag names that disagree with the flag bits, bad addresses and unknown fields", () => {
    const good =
      "TCP OUT 10.0.0.1:1 -> 10.0.0.2:2 expires=1 Packets=0 Bytes=0 RxFlagsSeen=0x00 LastRxReport=0 TxFlagsSeen=0x00 LastTxReport=0 Flags=0x0013 [ RxClosing TxClosing SeenNonSyn ] RevNAT=0 SourceSecurityID=0 BackendID=0";
    expect(bpfCtListFormat.parse(textSource(good), strict)).toHaveLength(1);
    for (const bad of [
      good.replace("Flags=0x0013", "Flags=0x0011"),
      good.replace("10.0.0.2:2", "10.0.0.256:2"),
      good.replace("10.0.0.2:2", "10.0.0.2:65536"),
      good.replace("BackendID=0", "BackendID=0 Extra=1"),
      good.replace("BackendID=0", "BackendID=18446744073709551616"),
      good.replace("OUT", "SIDEWAYS"),
    ]) {
      expect(() => bpfCtListFormat.parse(textSource(`${good}\n${bad}`, "ct.txt"), strict), bad).toThrow(
        expect.objectContaining({ name: "InputError", line: 2 }),
      );
    }
    expect(() => bpfCtListFormat.parse(textSource("TCP OUT x"), strict)).toThrow(InputError);
  });
});
