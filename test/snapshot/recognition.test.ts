// Recognition by content across the whole registry: every real dump is claimed by exactly the
// format that reads it, no two formats ever claim the same dump (the `map get` tables share one
// header, so their rows decide), and each format's printed output is claimed by that format alone.
import { describe, expect, it } from "vitest";
import { MAP_DUMPS } from "../../src/snapshot/map-dumps.js";
import { mapContentOfView } from "../../src/snapshot/map-content.js";
import type { DumpSource } from "../../src/snapshot/dump-source.js";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import { readSegment } from "../../src/snapshot/read-segment.js";
import { FORMATS, formatOfKind } from "../../src/snapshot/registry.js";
import { splitDumps } from "../../src/snapshot/split.js";
import { allFixtures, fixtureText } from "../helpers/fixtures.js";
import { strict } from "./helpers.js";

/** The dumps each fixture holds, in order; files not listed hold none (hubble captures). */
const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  "lab-3node/bpf-ipcache-list.k8s-ctr.txt": ["bpf-ipcache-list"],
  "lab-3node/bpf-ipcache-list.k8s-w0.txt": ["bpf-ipcache-list"],
  "lab-3node/bpf-ipcache-list.k8s-w1.txt": ["bpf-ipcache-list"],
  "lab-3node/bpf-lb-list.webpod.txt": ["bpf-lb-list"],
  "lab-3node/bpf-nat-list.txt": ["bpf-nat-list"],
  "lab-3node/bpf-socknat-list.txt": ["bpf-socknat-list"],
  "lab-3node/endpoint-list.txt": ["endpoint-list"],
  "lab-3node/ip-list.txt": ["ip-list"],
  "lab-3node/map-get-cilium_lb4_services_v2.txt": ["map-get-lb4-services"],
  "lab-3node/map-list.txt": ["map-list"],
  "lab-3node/service-list.txt": ["service-list"],
  "misc/bpf-ipmasq-list.txt": ["bpf-ipmasq-list"],
  "misc/status-verbose.kpr-dsr-maglev.txt": ["status-verbose"],
  "misc/status-verbose.kpr-snat-random.txt": ["status-verbose"],
  "public/bpf-lb-list.v1.15.2.txt": ["bpf-lb-list"],
  "public/bpf-lb-list.v1.16-dev-l7lb.txt": ["bpf-lb-list"],
  "public/bpf-lb-list.v1.19-excerpt.txt": ["bpf-lb-list"],
  "public/bpf-lb-list.v1.7-legacy.txt": ["bpf-lb-list"],
  "public/bpf-lb-maglev-list.v1.11.txt": ["bpf-lb-maglev-list"],
  // NAT lines 2-3, then the matching CT entry pasted right after them.
  "public/bpf-nat-list.v1.8-icmp.txt": ["bpf-nat-list", "bpf-ct-list"],
  "public/ct-list-global.main-2025-dsr-natport.txt": ["bpf-ct-list"],
  "public/ct-list-global.v1.10-clusterip.txt": ["bpf-ct-list"],
  "public/ct-list-global.v1.12-nodeport.txt": ["bpf-ct-list"],
  "public/ct-list-global.v1.14-before-svc-format-fix.txt": ["bpf-ct-list"],
  "public/ct-list-global.v1.18-ipv6.txt": ["bpf-ct-list"],
  "public/ct-list-global.v1.9-service.txt": ["bpf-ct-list"],
  "public/service-list-o-json.v1.18.0.json": ["service-list-json"],
  "public/service-list.2026-main.txt": ["service-list"],
  "public/service-list.v1.15.2.txt": ["service-list"],
  "public/status-verbose.v1.10-kpr-strict.txt": ["status-verbose"],
  "public/status-verbose.v1.13-kpr-disabled.txt": ["status-verbose"],
  "public/status-verbose.v1.18.0-kpr-excerpt.txt": ["status-verbose"],
};

function claims(lines: readonly string[]): string[] {
  return FORMATS.filter((f) => f.format.matches(lines)).map((f) => f.format.kind);
}

/** The dumps of a fixture as the loader reads them (split, recognised, cut where pasted back to back). */
function dumpsOf(file: string): { kind: string; source: DumpSource; model: unknown }[] {
  return splitDumps(file, fixtureText(file)).flatMap((segment) =>
    readSegment(segment, strict).dumps.map((d) => ({
      kind: d.registered.format.kind,
      source: d.source,
      model: d.model,
    })),
  );
}

describe("recognition over the whole registry", () => {
  it("every fixture is listed here", () => {
    const dumps = allFixtures().filter((f) => !/hubble/.test(f));
    expect(Object.keys(EXPECTED).sort()).toEqual(dumps.sort());
  });

  for (const file of allFixtures()) {
    const expected = EXPECTED[file] ?? [];
    it(`${file}: ${expected.join(", ") || "no dump"}, each claimed by one format only`, () => {
      for (const segment of splitDumps(file, fixtureText(file))) {
        expect(claims(segment.lines).length, `${file}:${segment.firstLine}`).toBeLessThanOrEqual(1);
      }
      const dumps = dumpsOf(file);
      expect(dumps.map((d) => d.kind)).toEqual(expected);
      for (const d of dumps)
        expect(claims(d.source.lines), `${file}:${d.source.firstLine}`).toEqual([d.kind]);
    });
  }

  it("each format's printed output of every fixture dump is claimed by that format alone", () => {
    for (const file of Object.keys(EXPECTED)) {
      for (const d of dumpsOf(file)) {
        const printed = formatOfKind(d.kind)!.format.print(d.model);
        for (const segment of splitDumps("printed", printed)) {
          expect(claims(segment.lines), `${file} printed by ${d.kind}`).toEqual([d.kind]);
        }
      }
    }
  });

  it("every emulated map dump (the `map get` tables share a header) is claimed by one format", () => {
    const lab = Object.keys(EXPECTED)
      .filter((f) => f.startsWith("lab-3node/"))
      .map((name) => ({ name, text: fixtureText(name) }));
    const views = [
      ...parseSnapshotFiles(lab).nodes,
      ...[
        "public/ct-list-global.v1.12-nodeport.txt",
        "public/bpf-nat-list.v1.8-icmp.txt",
        "misc/bpf-ipmasq-list.txt",
        "public/bpf-lb-maglev-list.v1.11.txt",
      ].map((name) => parseSnapshotFiles([{ name, text: fixtureText(name) }]).selected),
    ];
    const claimed = new Map<string, Set<string>>();
    for (const view of views) {
      for (const [map, dump] of Object.entries(MAP_DUMPS)) {
        for (const segment of splitDumps(map, dump.print(mapContentOfView(view)))) {
          const kinds = claims(segment.lines);
          // An empty map prints `Cache is empty`, which says nothing about which map it is.
          if (segment.lines.join("\n").trim() === "Cache is empty") {
            expect(kinds, map).toEqual([]);
            continue;
          }
          expect(kinds, map).toHaveLength(1);
          claimed.set(map, new Set([...(claimed.get(map) ?? []), ...kinds]));
        }
      }
    }
    // Each map's dump is read back by one format, and each of those maps was printed non-empty.
    expect(Object.fromEntries([...claimed].map(([map, kinds]) => [map, [...kinds]]))).toEqual({
      cilium_lb4_services_v2: ["map-get-lb4-services"],
      cilium_lb4_backends_v3: ["map-get-lb4-backends"],
      cilium_lb4_backends_v2: ["map-get-lb4-backends"],
      cilium_lb4_reverse_nat: ["map-get-lb4-reverse-nat"],
      cilium_lb4_maglev: ["bpf-lb-maglev-list"],
      cilium_ipcache_v2: ["map-get-ipcache"],
      cilium_ipcache: ["map-get-ipcache"],
      cilium_ct4_global: ["bpf-ct-list"],
      cilium_ct_any4_global: ["bpf-ct-list"],
      cilium_snat_v4_external: ["bpf-nat-list"],
      cilium_ipmasq_v4: ["bpf-ipmasq-list"],
      cilium_lb4_reverse_sk: ["bpf-socknat-list"],
    });
  });

  it("format kinds are unique", () => {
    const kinds = FORMATS.map((f) => f.format.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
  });
});
