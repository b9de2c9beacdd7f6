import { describe, expect, it } from "vitest";
import { formatPrefix } from "../../src/model/ip-prefix.js";
import { bpfIpcacheListFormat } from "../../src/snapshot/formats/bpf-ipcache-list.js";
import { endpointListFormat } from "../../src/snapshot/formats/endpoint-list.js";
import { ipListFormat } from "../../src/snapshot/formats/ip-list.js";
import { fixtureText } from "../helpers/fixtures.js";
import { contentOf, fixtureSource, parseRoundTrip, strict, textSource } from "./helpers.js";

const ipcache = () =>
  bpfIpcacheListFormat.parse(fixtureSource("lab-3node/bpf-ipcache-list.k8s-ctr.txt"), strict);

describe("ip list", () => {
  it("reads the lab's 22 prefixes with their multi-line labels, prints them back as cilium-dbg does", () => {
    const { model, printed } = parseRoundTrip(ipListFormat, fixtureSource("lab-3node/ip-list.txt"));
    expect(model).toHaveLength(22);
    expect(contentOf(printed)).toEqual(contentOf(fixtureText("lab-3node/ip-list.txt")));
    const webpod = model.find((entry) => formatPrefix(entry.prefix) === "172.20.0.66/32");
    expect(webpod).toMatchObject({
      identity: null,
      source: "custom-resource",
      hostIp: null,
      encryptKey: null,
    });
    expect(webpod?.labels).toEqual([
      "k8s:app=webpod",
      "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=default",
      "k8s:io.cilium.k8s.policy.cluster=default",
      "k8s:io.cilium.k8s.policy.serviceaccount=default",
      "k8s:io.kubernetes.pod.namespace=default",
    ]);
    const host = model.find((entry) => formatPrefix(entry.prefix) === "10.0.2.15/32");
    expect(host).toMatchObject({ labels: ["reserved:host", "reserved:kube-apiserver"], source: "" });
  });

  it("lists the same prefixes as the node's BPF ipcache", () => {
    const model = ipListFormat.parse(fixtureSource("lab-3node/ip-list.txt"), strict);
    const listed = model.map((entry) => formatPrefix(entry.prefix)).sort();
    expect(listed).toEqual(
      ipcache()
        .map((entry) => formatPrefix(entry.prefix))
        .sort(),
    );
  });

  it("reads the numeric form (-n) and the verbose form (-v), collapsed or not", () => {
    const numeric = [
      "IP                  IDENTITY   SOURCE",
      "0.0.0.0/0           2",
      "172.20.0.66/32      8469       custom-resource",
      "fd00::5/128         63446      k8s",
    ];
    const { model } = parseRoundTrip(ipListFormat, textSource(numeric.join("\n")));
    expect(
      model.map((entry) => [entry.identity, entry.labels.length, entry.source, entry.prefix.family]),
    ).toEqual([
      [2, 0, "", "ipv4"],
      [8469, 0, "custom-resource", "ipv4"],
      [63446, 0, "k8s", "ipv6"],
    ]);
    const verbose = [
      "IP IDENTITY SOURCE HOST ENCRYPT_KEY",
      "172.20.1.126/32 8469 custom-resource 192.168.10.101 0",
      "172.20.0.66/32 8469 custom-resource 3",
      "0.0.0.0/0 2 0",
    ];
    const { model: v } = parseRoundTrip(ipListFormat, textSource(verbose.join("\n")));
    expect(v.map((entry) => [entry.source, entry.hostIp, entry.encryptKey])).toEqual([
      ["custom-resource", "192.168.10.101", 0],
      ["custom-resource", null, 3],
      ["", null, 0],
    ]);
  });

  it("keeps the model when whitespace is collapsed", () => {
    const text = fixtureText("lab-3node/ip-list.txt");
    const collapsed = text.replace(/[ \t]+/g, " ").replace(/\n/g, "\r\n");
    expect(ipListFormat.parse(textSource(collapsed), strict)).toEqual(
      ipListFormat.parse(fixtureSource("lab-3node/ip-list.txt"), strict),
    );
  });
});

describe("endpoint list", () => {
  it("reads the 11 lab endpoints with their multi-line labels, prints them back as cilium-dbg does", () => {
    const { model, printed } = parseRoundTrip(
      endpointListFormat,
      fixtureSource("lab-3node/endpoint-list.txt"),
    );
    expect(model).toHaveLength(11);
    expect(contentOf(printed)).toEqual(contentOf(fixtureText("lab-3node/endpoint-list.txt")));
    expect(model[0]).toEqual({
      id: 275,
      policyIngress: "Disabled",
      policyEgress: "Disabled",
      identity: 1,
      labels: [
        "k8s:node-role.kubernetes.io/control-plane",
        "k8s:node.kubernetes.io/exclude-from-external-load-balancers",
        "reserved:host",
      ],
      addressing: "assigned",
      ipv4: null,
      ipv6: null,
      status: "ready",
    });
    expect(model.find((entry) => entry.id === 406)).toMatchObject({ identity: 63446, ipv4: "172.20.0.96" });
  });

  it("agrees with the node's ipcache: every endpoint address maps to the endpoint's identity", () => {
    const endpoints = endpointListFormat.parse(fixtureSource("lab-3node/endpoint-list.txt"), strict);
    const entries = ipcache();
    const withAddress = endpoints.filter((endpoint) => endpoint.ipv4 !== null);
    expect(withAddress).toHaveLength(10);
    for (const endpoint of withAddress) {
      const entry = entries.find((e) => formatPrefix(e.prefix) === `${endpoint.ipv4}/32`);
      expect(entry?.identity, `endpoint ${endpoint.id}`).toBe(endpoint.identity);
    }
  });

  it("reads audit mode, missing identity/labels/addresses, IPv6 and --no-headers, collapsed", () => {
    const rows = [
      "12 Disabled (Audit) Enabled <no label id> no labels No address No address waiting-for-identity",
      "13 Unknown Unknown 4 reserved:health Unknown Unknown Unknown",
      "14 Enabled Disabled (Audit) 8469 k8s:app=webpod fd00::12 10.0.0.12 ready",
      "k8s:io.kubernetes.pod.namespace=default",
    ];
    const { model } = parseRoundTrip(endpointListFormat, textSource(rows.join("\n")));
    expect(model[0]).toMatchObject({
      policyIngress: "Disabled (Audit)",
      identity: null,
      labels: [],
      addressing: "none",
    });
    expect(model[1]).toMatchObject({ policyIngress: "Unknown", addressing: "unknown", status: "Unknown" });
    expect(model[2]).toMatchObject({ policyEgress: "Disabled (Audit)", ipv6: "fd00::12", ipv4: "10.0.0.12" });
    expect(model[2]?.labels).toHaveLength(2);
  });

  it("rejects a row whose address is not an address", () => {
    expect(() =>
      endpointListFormat.parse(
        textSource("7 Disabled Disabled 1 reserved:host 10.0.0.300 ready", "ep.txt"),
        strict,
      ),
    ).toThrow(expect.objectContaining({ file: "ep.txt", line: 1 }));
  });
});
