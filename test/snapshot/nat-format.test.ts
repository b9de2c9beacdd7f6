import { describe, expect, it } from "vitest";
import type { NatEntry } from "../../src/model/nat.js";
import { bpfNatListFormat } from "../../src/snapshot/formats/bpf-nat-list.js";
import { fixtureText } from "../helpers/fixtures.js";
import { contentOf, fixtureSource, parseRoundTrip, strict, textSource } from "./helpers.js";

const key = (address: { address: string; port: number }): string => `${address.address}:${address.port}`;

describe("bpf nat list", () => {
  it("reads the lab's 64 entries and prints them back as cilium-dbg does", () => {
    const { model, printed } = parseRoundTrip(bpfNatListFormat, fixtureSource("lab-3node/bpf-nat-list.txt"));
    expect(model).toHaveLength(64);
    expect(contentOf(printed)).toEqual(contentOf(fixtureText("lab-3node/bpf-nat-list.txt")));
    expect(model[1]).toEqual({
      protocol: "TCP",
      nexthdr: 6,
      family: "ipv4",
      direction: "IN",
      related: false,
      source: { address: "104.16.100.215", port: 443 },
      destination: { address: "10.0.2.15", port: 42902 },
      translated: { address: "10.0.2.15", port: 42902 },
      createdSecondsAgo: 665,
      needsCt: 1,
      layout: "needs-ct-ago",
      ipv6Brackets: false,
    } satisfies NatEntry);
  });

  it("pairs every OUT mapping with the IN entry that reverses it", () => {
    const model = bpfNatListFormat.parse(fixtureSource("lab-3node/bpf-nat-list.txt"), strict);
    const outbound = model.filter((entry) => entry.direction === "OUT");
    const inbound = new Set(
      model
        .filter((entry) => entry.direction === "IN")
        .map(
          (entry) =>
            `${entry.protocol} ${key(entry.source)} ${key(entry.destination)} ${key(entry.translated)}`,
        ),
    );
    expect(outbound).toHaveLength(32);
    for (const entry of outbound) {
      // Reply: remote -> translated source, restored to the original source.
      expect(inbound).toContain(
        `${entry.protocol} ${key(entry.destination)} ${key(entry.translated)} ${key(entry.source)}`,
      );
    }
    const count = (protocol: string): number => model.filter((entry) => entry.protocol === protocol).length;
    expect([count("TCP"), count("UDP"), count("ICMP")]).toEqual([42, 18, 4]);
  });

  it("reads the v1.8 format (Created=<n>sec HostLocal=<n>)", () => {
    const { model } = parseRoundTrip(
      bpfNatListFormat,
      fixtureSource("public/bpf-nat-list.v1.8-icmp.txt", 1, 3),
    );
    expect(
      model.map((entry) => [entry.direction, entry.layout, entry.createdSecondsAgo, entry.needsCt]),
    ).toEqual([
      ["IN", "host-local", 6292, 1],
      ["OUT", "host-local", 6292, 1],
    ]);
    expect(model[0]?.translated).toEqual({ address: "192.168.34.11", port: 38193 });
  });

  it("reads IPv6 entries bracketed or not and the format without `ago`", () => {
    const lines = [
      "TCP OUT [fd00::5]:40000 -> [2001:db8::1]:443 XLATE_SRC [fd00::1]:40000 Created=3sec ago NeedsCT=0",
      "UDP IN 2001:db8::1:53 -> fd00::1:33000 XLATE_DST fd00::5:33000 Created=4sec NeedsCT=1",
    ];
    const { model } = parseRoundTrip(bpfNatListFormat, textSource(lines.join("\n")));
    expect(model.map((entry) => [entry.family, entry.ipv6Brackets, entry.layout])).toEqual([
      ["ipv6", true, "needs-ct-ago"],
      ["ipv6", false, "needs-ct"],
    ]);
    expect(model[1]?.destination).toEqual({ address: "fd00::1", port: 33000 });
  });

  it("rejects a translation that contradicts the tuple direction", () => {
    const text = "TCP OUT 10.0.0.1:1 -> 10.0.0.2:2 XLATE_DST 10.0.0.1:1 Created=1sec ago NeedsCT=1";
    expect(() => bpfNatListFormat.parse(textSource(text, "nat.txt"), strict)).toThrow(
      expect.objectContaining({ name: "InputError", file: "nat.txt", line: 1 }),
    );
  });
});
