// Golden tests on every real fixture of the load-balancing formats, and parse -> print -> parse.
import { describe, expect, it } from "vitest";
import { bpfLbListFormat } from "../../src/snapshot/formats/bpf-lb-list.js";
import { bpfLbMaglevListFormat } from "../../src/snapshot/formats/bpf-lb-maglev-list.js";
import { mapGetLb4ServicesFormat } from "../../src/snapshot/formats/map-get-lb4-services.js";
import { serviceListFormat } from "../../src/snapshot/formats/service-list.js";
import { serviceListJsonFormat } from "../../src/snapshot/formats/service-list-json.js";
import { statusVerboseFormat } from "../../src/snapshot/formats/status-verbose.js";
import { flagNames, flagsFromNames } from "../../src/model/service-flags.js";
import { fixtureDump, roundTrip, strict } from "./helpers.js";

describe("service list", () => {
  it("reads the lab dump: 14 services, webpod with three backends in slot order", () => {
    const dump = serviceListFormat.parse(
      fixtureDump("lab-3node/service-list.txt", serviceListFormat),
      strict,
    );
    expect(dump.services).toHaveLength(14);
    expect(dump.protocols).toBe(true);
    const webpod = dump.services.find((s) => s.id === 20)!;
    expect(webpod.frontend).toEqual({
      address: "10.96.163.90",
      port: 80,
      protocol: "TCP",
      scope: "external",
    });
    expect(webpod.type).toBe("ClusterIP");
    expect(webpod.backends.map((b) => `${b.address}:${b.port}/${b.protocol} ${b.state}`)).toEqual([
      "172.20.0.66:80/TCP active",
      "172.20.1.126:80/TCP active",
      "172.20.2.1:80/TCP active",
    ]);
    const nodePort = dump.services.find((s) => s.id === 1)!;
    expect(nodePort.type).toBe("NodePort");
    expect(nodePort.frontend.address).toBe("0.0.0.0");
  });

  it("reads v1.15 (no /PROTO: ANY) and 2026 main dumps", () => {
    const v115 = serviceListFormat.parse(
      fixtureDump("public/service-list.v1.15.2.txt", serviceListFormat),
      strict,
    );
    expect(v115.protocols).toBe(false);
    expect(v115.services.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(v115.services[2]!.frontend).toEqual({
      address: "10.96.0.10",
      port: 53,
      protocol: "ANY",
      scope: "external",
    });
    expect(v115.services[2]!.backends).toHaveLength(2);
    const main = serviceListFormat.parse(
      fixtureDump("public/service-list.2026-main.txt", serviceListFormat),
      strict,
    );
    expect(main.services.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 12, 15]);
    expect(main.services[2]!.frontend.protocol).toBe("UDP");
  });

  it.each([
    "lab-3node/service-list.txt",
    "public/service-list.v1.15.2.txt",
    "public/service-list.2026-main.txt",
  ])("round-trips %s", (file) => {
    const { first, second } = roundTrip(serviceListFormat, fixtureDump(file, serviceListFormat));
    expect(second).toEqual(first);
  });
});

describe("service list -o json", () => {
  it("reads the v1.18.0 dump: 8 services with node names, weights and traffic policies", () => {
    const file = "public/service-list-o-json.v1.18.0.json";
    const dump = serviceListJsonFormat.parse(fixtureDump(file, serviceListJsonFormat), strict);
    expect(dump.services.map((s) => s.id)).toEqual([1, 5, 7, 6, 13, 12, 11, 14]);
    const dns = dump.services[1]!;
    expect(dns.name).toBe("kube-dns");
    expect(dns.backends.map((b) => [b.address, b.nodeName, b.weight])).toEqual([
      ["10.0.0.220", "k8s-master-n1", 100],
      ["10.0.1.184", "k8s-worker-n1", 100],
    ]);
    expect(dump.services[7]!.intTrafficPolicy).toBe("Local");
    const { first, second } = roundTrip(serviceListJsonFormat, fixtureDump(file, serviceListJsonFormat));
    expect(second).toEqual(first);
  });
});

describe("bpf lb list", () => {
  it("reads the lab webpod dump (no header, one key per slot)", () => {
    const dump = bpfLbListFormat.parse(
      fixtureDump("lab-3node/bpf-lb-list.webpod.txt", bpfLbListFormat),
      strict,
    );
    expect(dump.style).toBe("per-slot");
    expect(dump.rows).toHaveLength(4);
    const master = dump.rows.find((r) => r.keySlot === 0)!;
    expect(master.value).toEqual({
      kind: "master",
      revNatId: 20,
      slot: 0,
      flagNames: ["ClusterIP", "non-routable"],
      l7ProxyPort: undefined,
    });
    const slot3 = dump.rows.find((r) => r.keySlot === 3)!;
    expect(slot3.value).toMatchObject({
      kind: "backend",
      address: "172.20.2.1",
      port: 80,
      protocol: "TCP",
      revNatId: 20,
      slot: 3,
    });
  });

  it("reads v1.19 keys with the ANY wildcard and /i scope", () => {
    const dump = bpfLbListFormat.parse(
      fixtureDump("public/bpf-lb-list.v1.19-excerpt.txt", bpfLbListFormat),
      strict,
    );
    expect(dump.rows.map((r) => [r.frontend.port, r.frontend.protocol, r.frontend.scope, r.keySlot])).toEqual(
      [
        [80, "TCP", "external", 0],
        [0, "ANY", "external", 0],
        [80, "TCP", "internal", 1],
      ],
    );
    expect(dump.rows[0]!.value).toMatchObject({
      flagNames: ["ClusterIP", "Local", "non-routable"],
      revNatId: 7,
    });
  });

  it("reads v1.15 grouped keys, the L7LB proxy port suffix, and the v1.7 legacy format", () => {
    const v115 = bpfLbListFormat.parse(
      fixtureDump("public/bpf-lb-list.v1.15.2.txt", bpfLbListFormat),
      strict,
    );
    expect(v115.style).toBe("grouped");
    expect(v115.rows).toHaveLength(14);
    expect(v115.rows[1]).toMatchObject({
      frontend: { address: "10.96.0.10", port: 9153, protocol: "ANY" },
      value: { kind: "backend", address: "10.244.0.180", slot: 2 },
    });
    const l7 = bpfLbListFormat.parse(
      fixtureDump("public/bpf-lb-list.v1.16-dev-l7lb.txt", bpfLbListFormat),
      strict,
    );
    expect(l7.rows.filter((r) => r.value.kind === "master" && r.value.l7ProxyPort === 15735)).toHaveLength(2);
    const legacy = bpfLbListFormat.parse(
      fixtureDump("public/bpf-lb-list.v1.7-legacy.txt", bpfLbListFormat),
      strict,
    );
    expect(legacy.style).toBe("legacy");
    expect(legacy.rows).toHaveLength(15);
    expect(legacy.rows[12]!.value).toEqual({
      kind: "master",
      revNatId: 3,
      slot: undefined,
      flagNames: ["ExternalIPs"],
      l7ProxyPort: undefined,
    });
  });

  it.each([
    "lab-3node/bpf-lb-list.webpod.txt",
    "public/bpf-lb-list.v1.15.2.txt",
    "public/bpf-lb-list.v1.16-dev-l7lb.txt",
    "public/bpf-lb-list.v1.19-excerpt.txt",
    "public/bpf-lb-list.v1.7-legacy.txt",
  ])("round-trips %s", (file) => {
    const { first, second } = roundTrip(bpfLbListFormat, fixtureDump(file, bpfLbListFormat));
    expect(second).toEqual(first);
  });
});

describe("map get cilium_lb4_services_v2", () => {
  it("reads the lab dump: 45 entries, webpod master and slots", () => {
    const file = "lab-3node/map-get-cilium_lb4_services_v2.txt";
    const dump = mapGetLb4ServicesFormat.parse(fixtureDump(file, mapGetLb4ServicesFormat), strict);
    expect(dump.entries).toHaveLength(45);
    const webpod = dump.entries.filter((e) => e.frontend.address === "10.96.163.90");
    expect(webpod.find((e) => e.slot === 0)).toMatchObject({
      value: 0,
      count: 3,
      qcount: 0,
      revNatId: 20,
      flags: 0,
      flags2: 0,
    });
    expect(
      webpod
        .filter((e) => e.slot > 0)
        .sort((a, b) => a.slot - b.slot)
        .map((e) => e.value),
    ).toEqual([14, 16, 15]);
    expect(dump.entries.find((e) => e.frontend.address === "10.96.213.163" && e.slot === 0)?.flags2).toBe(
      0x10,
    );
    const { first, second } = roundTrip(mapGetLb4ServicesFormat, fixtureDump(file, mapGetLb4ServicesFormat));
    expect(second).toEqual(first);
  });
});

describe("bpf lb maglev list", () => {
  it("reads the v1.11 dump (old key form) and round-trips", () => {
    const file = "public/bpf-lb-maglev-list.v1.11.txt";
    const dump = bpfLbMaglevListFormat.parse(fixtureDump(file, bpfLbMaglevListFormat), strict);
    expect(dump.tables).toEqual([
      { revNatId: 1, family: undefined, backendIds: [4, 2, 4, 2, 2, 4, 2, 4, 2, 2, 4, 2, 4, 2, 2, 2, 2, 4] },
    ]);
    const { first, second } = roundTrip(bpfLbMaglevListFormat, fixtureDump(file, bpfLbMaglevListFormat));
    expect(second).toEqual(first);
  });
});

describe("status --verbose", () => {
  it.each([
    [
      "misc/status-verbose.kpr-snat-random.txt",
      {
        kubeProxyReplacement: "True",
        kprMode: "SNAT",
        backendSelection: "Random",
        sessionAffinity: true,
        socketLb: true,
      },
    ],
    [
      "misc/status-verbose.kpr-dsr-maglev.txt",
      { kprMode: "DSR", dsrDispatch: "geneve", backendSelection: "Maglev", maglevTableSize: 16381 },
    ],
    [
      "public/status-verbose.v1.10-kpr-strict.txt",
      { kubeProxyReplacement: "Strict", kprMode: "SNAT", nodePortRange: { min: 30000, max: 32767 } },
    ],
    [
      "public/status-verbose.v1.13-kpr-disabled.txt",
      { kubeProxyReplacement: "Disabled", socketLb: false, sessionAffinity: false },
    ],
    [
      "public/status-verbose.v1.18.0-kpr-excerpt.txt",
      {
        kprMode: "SNAT",
        backendSelection: "Random",
        mapSizes: expect.objectContaining({
          ctTcp: 131072,
          ctAny: 65536,
          nat: 131072,
          lbServices: 65536,
          ipcache: 512000,
        }),
      },
    ],
  ])("reads %s and round-trips", (file, expected) => {
    const dump = statusVerboseFormat.parse(fixtureDump(file, statusVerboseFormat), strict);
    expect(dump.config).toMatchObject(expected);
    const { first, second } = roundTrip(statusVerboseFormat, fixtureDump(file, statusVerboseFormat));
    expect(second).toEqual(first);
  });
});

describe("service flags", () => {
  it("renders and inverts every combination of the 16 bits the way ServiceFlags.String() does", () => {
    for (let combined = 0; combined < 1 << 16; combined += 7) {
      const names = flagNames(combined);
      const back = flagsFromNames(names);
      expect(back).toBeDefined();
      expect(flagNames(back!)).toEqual(names);
    }
    expect(flagNames(0x42)).toEqual(["NodePort"]);
    expect(flagNames(0x02)).toEqual(["NodePort", "non-routable"]);
    expect(flagNames(0x10 << 8)).toEqual(["ClusterIP", "InternalLocal", "non-routable"]);
  });
});
