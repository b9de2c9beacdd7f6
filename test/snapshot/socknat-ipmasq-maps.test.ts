import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatPrefix } from "../../src/model/ip-prefix.js";
import { bpfIpcacheListFormat } from "../../src/snapshot/formats/bpf-ipcache-list.js";
import { bpfIpmasqListFormat } from "../../src/snapshot/formats/bpf-ipmasq-list.js";
import {
  bpfSocknatListFormat,
  decodeSocknatPort,
  decodeSocknatRevNat,
  encodeSocknatPort,
  encodeSocknatRevNat,
} from "../../src/snapshot/formats/bpf-socknat-list.js";
import { mapListFormat } from "../../src/snapshot/formats/map-list.js";
import { mapListVerboseFormat } from "../../src/snapshot/formats/map-list-verbose.js";
import { fixtureText } from "../helpers/fixtures.js";
import { contentOf, fixtureSource, parseRoundTrip, strict, textSource } from "./helpers.js";

/** `ID  frontend  type  slot => backend (state)` rows of the lab's `service list`, read independently. */
function labServices(): Map<string, { id: number; backends: string[] }> {
  const services = new Map<string, { id: number; backends: string[] }>();
  let current: { id: number; backends: string[] } | undefined;
  for (const line of contentOf(fixtureText("lab-3node/service-list.txt")).slice(1)) {
    const row = /^(?:(\d+)\s+(\S+)\s+\S+\s+)?\s*\d+ => (\S+?)\/\w+ \(\w+\)/.exec(line.trim());
    if (row === null) continue;
    if (row[1] !== undefined) {
      current = { id: Number(row[1]), backends: [] };
      services.set(row[2]!.replace(/\/\w+$/, ""), current);
    }
    current?.backends.push(row[3]!);
  }
  return services;
}

describe("bpf socknat list", () => {
  it("decodes the byte-swapped ports and rev-NAT IDs of the lab dump", () => {
    const { model, printed } = parseRoundTrip(
      bpfSocknatListFormat,
      fixtureSource("lab-3node/bpf-socknat-list.txt"),
    );
    expect(model).toHaveLength(11);
    expect(contentOf(printed)).toEqual(contentOf(fixtureText("lab-3node/bpf-socknat-list.txt")));
    expect(model[0]).toEqual({
      cookie: 59452n,
      family: "ipv4",
      backend: { address: "192.168.10.100", port: 6443 },
      frontend: { address: "10.96.0.1", port: 443 },
      revNatId: 19,
    });
  });

  it("agrees with `service list`: each frontend's rev-NAT ID is its service ID, each backend one of its backends", () => {
    const services = labServices();
    const model = bpfSocknatListFormat.parse(fixtureSource("lab-3node/bpf-socknat-list.txt"), strict);
    for (const entry of model) {
      const service = services.get(`${entry.frontend.address}:${entry.frontend.port}`);
      expect(service, `frontend of cookie ${entry.cookie}`).toBeDefined();
      expect(entry.revNatId).toBe(service?.id);
      expect(service?.backends).toContain(`${entry.backend.address}:${entry.backend.port}`);
    }
  });

  it("encodes and decodes every port and rev-NAT ID as the agent prints them", () => {
    expect([decodeSocknatPort(-17663), decodeSocknatPort(11033), decodeSocknatPort(20480)]).toEqual([
      443, 6443, 80,
    ]);
    expect(decodeSocknatRevNat(4864)).toBe(19);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (value) => {
        const printed = encodeSocknatPort(value);
        expect(printed).toBeGreaterThanOrEqual(-0x8000);
        expect(printed).toBeLessThanOrEqual(0x7fff);
        expect(decodeSocknatPort(printed)).toBe(value);
        expect(decodeSocknatRevNat(encodeSocknatRevNat(value))).toBe(value);
      }),
    );
  });

  it("reads IPv6 rows and further entries of one cookie", () => {
    const text = [
      "Socket Cookie   Backend -> Frontend",
      "18446744073709551615   [fd00::5]:20480 -> [fd00::a]:-17663 (revnat=4864)",
      "                       [fd00::6]:20480 -> [fd00::a]:-17663 (revnat=4864)",
    ].join("\n");
    const { model } = parseRoundTrip(bpfSocknatListFormat, textSource(text));
    expect(
      model.map((entry) => [entry.cookie, entry.family, entry.backend.address, entry.backend.port]),
    ).toEqual([
      [18446744073709551615n, "ipv6", "fd00::5", 80],
      [18446744073709551615n, "ipv6", "fd00::6", 80],
    ]);
  });
});

describe("bpf ipmasq list", () => {
  it("reads the non-masquerade CIDRs, link-local always included", () => {
    const { model, printed } = parseRoundTrip(bpfIpmasqListFormat, fixtureSource("misc/bpf-ipmasq-list.txt"));
    expect(model.map((entry) => formatPrefix(entry.prefix))).toEqual([
      "10.10.1.0/24",
      "10.10.2.0/24",
      "169.254.0.0/16",
    ]);
    expect(contentOf(printed)).toEqual(contentOf(fixtureText("misc/bpf-ipmasq-list.txt")));
  });

  it("keeps IPv6 CIDRs, marked", () => {
    const { model } = parseRoundTrip(
      bpfIpmasqListFormat,
      textSource("IP PREFIX/ADDRESS\nfe80::/10\n10.0.0.0/8"),
    );
    expect(model.map((entry) => entry.prefix.family)).toEqual(["ipv6", "ipv4"]);
  });
});

describe("map list", () => {
  it("reads the lab's map list; entry counts agree with the dumps of those maps", () => {
    const { model } = parseRoundTrip(mapListFormat, fixtureSource("lab-3node/map-list.txt"));
    expect(model).toHaveLength(18);
    const count = (name: string): number | null | undefined =>
      model.find((entry) => entry.name === name)?.entries;
    const ipcache = bpfIpcacheListFormat.parse(
      fixtureSource("lab-3node/bpf-ipcache-list.k8s-ctr.txt"),
      strict,
    );
    expect(count("cilium_ipcache_v2")).toBe(ipcache.length);
    const services = contentOf(fixtureText("lab-3node/map-get-cilium_lb4_services_v2.txt")).slice(1);
    expect(count("cilium_lb4_services_v2")).toBe(services.length);
    expect(model.every((entry) => entry.errors === 0 && entry.cacheEnabled)).toBe(true);
  });

  it("reads `unknown` counts of maps without cache", () => {
    const { model } = parseRoundTrip(
      mapListFormat,
      textSource("Name   Num entries   Num errors   Cache enabled\ncilium_node_map_v2   unknown   0   false"),
    );
    expect(model).toEqual([{ name: "cilium_node_map_v2", entries: null, errors: 0, cacheEnabled: false }]);
  });
});

describe("map list --verbose", () => {
  // --verbose prints `## Map: <name>`, then exactly what `map get <name>` prints, then a blank line.
  const services = fixtureText("lab-3node/map-get-cilium_lb4_services_v2.txt");
  const ipcacheRows = contentOf(fixtureText("lab-3node/bpf-ipcache-list.k8s-ctr.txt")).slice(1);
  const verbose =
    `## Map: cilium_lb4_services_v2\n${services}\n` +
    "## Map: cilium_node_map_v2\nCache is disabled\n\n\n" +
    "## Map: cilium_lb4_affinity\nCache is empty\n\n\n" +
    `## Map: cilium_ipcache_v2\nKey Value State Error\n${ipcacheRows.map((row) => `${row} sync`).join("\n")}\n`;

  it("reads every map's cached rows, keys and values with their inner blanks", () => {
    const { model } = parseRoundTrip(mapListVerboseFormat, textSource(verbose));
    expect(model.map((entry) => [entry.name, entry.entries, entry.cacheEnabled])).toEqual([
      ["cilium_lb4_services_v2", 45, true],
      ["cilium_node_map_v2", null, false],
      ["cilium_lb4_affinity", 0, true],
      ["cilium_ipcache_v2", 22, true],
    ]);
    const webpod = model[0]?.rows?.find((row) => row.key === "10.96.163.90:80/TCP (0)");
    expect(webpod).toEqual({
      key: "10.96.163.90:80/TCP (0)",
      value: "0 3[0] (20) [0x0 0x0]",
      state: "",
      error: "",
    });
    // The collapsed ipcache section is still read through the ipcache grammar.
    expect(model[3]?.rows?.[1]).toEqual({
      key: "172.20.1.0/24",
      value: "identity=2 encryptkey=0 tunnelendpoint=192.168.10.101 flags=hastunnel",
      state: "sync",
      error: "",
    });
  });

  it("rejects a collapsed row of a map whose keys may contain blanks", () => {
    const collapsed = `## Map: cilium_lb4_services_v2\n${services.replace(/ +/g, " ")}`;
    expect(() => mapListVerboseFormat.parse(textSource(collapsed, "v.txt"), strict)).toThrow(
      expect.objectContaining({ name: "InputError", file: "v.txt", line: 3 }),
    );
  });
});
