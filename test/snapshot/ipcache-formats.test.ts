import { describe, expect, it } from "vitest";
import type { IpcacheEntry } from "../../src/model/ipcache.js";
import { ipcacheFlagBits } from "../../src/model/ipcache.js";
import { formatPrefix } from "../../src/model/ip-prefix.js";
import { InputError } from "../../src/snapshot/errors.js";
import { bpfIpcacheListFormat } from "../../src/snapshot/formats/bpf-ipcache-list.js";
import { tabwrite } from "../../src/snapshot/text/tabwriter.js";
import { mapGetIpcacheFormat } from "../../src/snapshot/formats/map-get-ipcache.js";
import { fixtureText } from "../helpers/fixtures.js";
import { contentOf, fixtureSource, parseRoundTrip, strict, textSource } from "./helpers.js";

const NODES = {
  "k8s-ctr": { ip: "192.168.10.100", podCidr: "172.20.0.0/24" },
  "k8s-w1": { ip: "192.168.10.101", podCidr: "172.20.1.0/24" },
  "k8s-w0": { ip: "192.168.20.100", podCidr: "172.20.2.0/24" },
} as const;

function byPrefix(entries: readonly IpcacheEntry[], prefix: string): IpcacheEntry | undefined {
  return entries.find((entry) => formatPrefix(entry.prefix) === prefix);
}

describe("bpf ipcache list", () => {
  for (const [node, facts] of Object.entries(NODES)) {
    const file = `lab-3node/bpf-ipcache-list.${node}.txt`;

    it(`reads all 22 entries of ${node}, prints them back as cilium-dbg does`, () => {
      const { model, printed } = parseRoundTrip(bpfIpcacheListFormat, fixtureSource(file));
      expect(model).toHaveLength(22);
      expect(contentOf(printed)).toEqual(contentOf(fixtureText(file)));
      expect(model.every((entry) => entry.prefix.family === "ipv4" && entry.clusterId === 0)).toBe(true);
      // The world default route is always present.
      expect(byPrefix(model, "0.0.0.0/0")).toMatchObject({ identity: 2, tunnelEndpoint: "0.0.0.0" });
    });

    it(`${node}: remote pod CIDRs go to the other nodes' IPs through the tunnel, its own does not`, () => {
      const model = bpfIpcacheListFormat.parse(fixtureSource(file), strict);
      for (const [other, otherFacts] of Object.entries(NODES)) {
        const entry = byPrefix(model, otherFacts.podCidr);
        if (other === node) {
          expect(entry).toBeUndefined();
          continue;
        }
        expect(entry).toMatchObject({ identity: 2, tunnelEndpoint: otherFacts.ip, encryptKey: 0 });
        expect(entry?.flags).toEqual({
          skipTunnel: false,
          hasTunnel: true,
          ipv6Tunnel: false,
          remoteCluster: false,
        });
        expect(ipcacheFlagBits(entry!.flags)).toBe(0x2);
      }
      // Its own node IP is the host identity.
      expect(byPrefix(model, `${facts.ip}/32`)?.identity).toBe(1);
    });
  }

  it("k8s-ctr: 172.20.2.0/24 -> tunnel endpoint 192.168.20.100, webpod backends with identity 8469", () => {
    const model = bpfIpcacheListFormat.parse(fixtureSource("lab-3node/bpf-ipcache-list.k8s-ctr.txt"), strict);
    expect(byPrefix(model, "172.20.2.0/24")?.tunnelEndpoint).toBe("192.168.20.100");
    const webpod = model
      .filter((entry) => entry.identity === 8469)
      .map((entry) => formatPrefix(entry.prefix));
    expect(webpod.sort()).toEqual(["172.20.0.66/32", "172.20.1.126/32", "172.20.2.1/32"]);
    expect(byPrefix(model, "172.20.0.66/32")?.flags.hasTunnel).toBe(false);
    expect(byPrefix(model, "172.20.1.126/32")?.tunnelEndpoint).toBe("192.168.10.101");
  });

  it("reads cluster-scoped keys, IPv6 prefixes and tunnel endpoints, older values without flags=", () => {
    const text = [
      "IP PREFIX/ADDRESS   IDENTITY",
      "10.1.0.0/16@3       identity=33554433 encryptkey=2 tunnelendpoint=10.0.0.7 flags=hastunnel,remotecluster",
      "fd00::/64           identity=9 encryptkey=0 tunnelendpoint=fd01::1 flags=hastunnel,ipv6tunnel",
      "10.2.0.0/24         identity=2 encryptkey=0 tunnelendpoint=0.0.0.0",
      "                    identity=3 encryptkey=0 tunnelendpoint=0.0.0.0",
    ].join("\n");
    const { model } = parseRoundTrip(bpfIpcacheListFormat, textSource(text));
    expect(model[0]).toMatchObject({ clusterId: 3, identity: 33554433, encryptKey: 2 });
    expect(ipcacheFlagBits(model[0]!.flags)).toBe(0xa);
    expect(model[1]?.prefix).toEqual({ address: "fd00::", length: 64, family: "ipv6" });
    expect(ipcacheFlagBits(model[1]!.flags)).toBe(0x6);
    expect(model[2]).toMatchObject({ flagsPrinted: false, identity: 2 });
    // A second value of the same key (TablePrinter prints it with an empty key cell).
    expect(model[3]).toMatchObject({ prefix: model[2]?.prefix, identity: 3 });
  });

  it("rejects a row with an invalid address, naming file and line", () => {
    const text =
      "IP PREFIX/ADDRESS   IDENTITY\n172.20.300.0/24     identity=2 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>";
    expect(() => bpfIpcacheListFormat.parse(textSource(text, "ipc.txt"), strict)).toThrow(
      expect.objectContaining({ name: "InputError", file: "ipc.txt", line: 2 }),
    );
    expect(() =>
      bpfIpcacheListFormat.parse(
        textSource("10.0.0.0/8 identity=2 encryptkey=0 tunnelendpoint=0.0.0.0 flags=bogus"),
        strict,
      ),
    ).toThrow(InputError);
  });
});

describe("map get cilium_ipcache_v2", () => {
  // `map get` prints the same Key/Value Go String() forms as `bpf ipcache list` (pkg/maps/ipcache Key
  // and RemoteEndpointInfo), in a Key/Value/State/Error tabwriter table: build one from the real rows.
  const listed = contentOf(fixtureText("lab-3node/bpf-ipcache-list.k8s-ctr.txt")).slice(1);
  const states = ["sync", "", "to-be-deleted"];
  const mapGet = tabwrite(
    "Key\tValue\tState\tError\n" +
      listed
        .map((row, index) => {
          const [key = "", ...value] = row.split(/\s+/);
          const error = index === 2 ? "update failed: no space left" : "";
          return `${key}\t${value.join(" ")}\t${states[index % 3]}\t${error}\n`;
        })
        .join(""),
  );

  it("reads the rows with their cache state and error, same entries as bpf ipcache list", () => {
    const { model, printed } = parseRoundTrip(mapGetIpcacheFormat, textSource(mapGet));
    const list = bpfIpcacheListFormat.parse(fixtureSource("lab-3node/bpf-ipcache-list.k8s-ctr.txt"), strict);
    expect(model.map(({ cache: _cache, ...entry }) => entry)).toEqual(list);
    expect(model[0]?.cache).toEqual({ state: "sync", error: "" });
    expect(model[1]?.cache).toEqual({ state: "", error: "" });
    expect(model[2]?.cache).toEqual({ state: "to-be-deleted", error: "update failed: no space left" });
    expect(contentOf(printed)).toEqual(contentOf(mapGet));
  });

  it("accepts the row with collapsed whitespace", () => {
    const collapsed = mapGet.replace(/ +/g, " ");
    const model = mapGetIpcacheFormat.parse(textSource(collapsed), strict);
    const original = mapGetIpcacheFormat.parse(textSource(mapGet), strict);
    expect(model).toEqual(original);
  });

  it("reads `Cache is empty` as no entries", () => {
    expect(mapGetIpcacheFormat.parse(textSource("Cache is empty\n\n"), strict)).toEqual([]);
    expect(mapGetIpcacheFormat.print([])).toBe("Cache is empty\n\n");
  });
});
