// Round trip through the whole loader for every fixture: load -> print (each dump in its own format,
// and each map's dumped content with the printers `dpemu maps dump` uses) -> load gives the same
// entries. test/datapath/maps-dump-round-trip.test.ts does the same through the emulated maps.
import { describe, expect, it } from "vitest";
import { MAP_DUMPS } from "../../src/snapshot/map-dumps.js";
import { mapContentOfView } from "../../src/snapshot/map-content.js";
import type { NodeView, Snapshot } from "../../src/model/snapshot.js";
import { backendsMapEntries, servicesMapEntries } from "../../src/snapshot/lb-maps.js";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import { readSegment } from "../../src/snapshot/read-segment.js";
import { NodeDumps } from "../../src/snapshot/node-dumps.js";
import { formatOfKind } from "../../src/snapshot/registry.js";
import { splitDumps } from "../../src/snapshot/split.js";
import { allFixtures, fixtureText, labSnapshotDir } from "../helpers/fixtures.js";
import { strict } from "./helpers.js";
import { loadSnapshot } from "../../src/snapshot/load.js";

const DUMP_FIXTURES = allFixtures().filter((f) => !/hubble/.test(f));

/** JSON with object keys sorted and bigints kept: equal models give equal text, whatever the key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return `${v}n`;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
    }
    return v;
  });
}

const v4 = <T extends { readonly family: number | string | undefined }>(xs: readonly T[]) =>
  xs.filter((x) => x.family === 4 || x.family === "ipv4");
const v4Prefix = <T extends { readonly prefix: { readonly family: string } }>(xs: readonly T[]) =>
  xs.filter((x) => x.prefix.family === "ipv4");
/** Map entries as a multiset: the loader orders services by rev-NAT ID, the map by hash. */
const entries = <T>(xs: readonly T[]) => xs.map(canonical).sort();
const withoutCache = <T extends { readonly cache?: unknown }>(xs: readonly T[]) =>
  xs.map(({ cache: _cache, ...e }) => e);
const TCP = 6;

interface MapContent {
  /** What the view's dumps say the map holds. */
  readonly ofView: (view: NodeView) => readonly string[];
  /** What a dump of the map, parsed, says it holds. */
  readonly ofDumps: (dumps: NodeDumps) => readonly string[];
}

const flat = <T>(located: readonly { readonly value: readonly T[] }[]): T[] =>
  located.flatMap((l) => l.value);

const MAP_CONTENT: Readonly<Record<string, MapContent>> = {
  cilium_lb4_services_v2: {
    ofView: (view) => entries(servicesMapEntries(v4(view.services))),
    ofDumps: (dumps) => entries(flat(dumps.servicesMap)),
  },
  cilium_lb4_backends_v3: {
    ofView: (view) => entries(backendsMapEntries(v4(view.backends), false)),
    ofDumps: (dumps) => entries(flat(dumps.backendsMap)),
  },
  cilium_lb4_backends_v2: {
    ofView: (view) => entries(backendsMapEntries(v4(view.backends), true)),
    ofDumps: (dumps) => entries(flat(dumps.backendsMap)),
  },
  cilium_lb4_reverse_nat: {
    ofView: (view) => entries(v4(view.revNat)),
    ofDumps: (dumps) => entries(flat(dumps.revNatMap)),
  },
  cilium_lb4_maglev: {
    ofView: (view) => entries(view.maglevTables.filter((t) => t.family !== 6)),
    ofDumps: (dumps) => entries(flat(dumps.maglev)),
  },
  // `map get` shows the agent's cache state, which `bpf ipcache list` does not have.
  cilium_ipcache_v2: {
    ofView: (view) => entries(withoutCache(v4Prefix(view.ipcache))),
    ofDumps: (dumps) => entries(withoutCache(flat(dumps.ipcache))),
  },
  cilium_ipcache: {
    ofView: (view) => entries(withoutCache(v4Prefix(view.ipcache))),
    ofDumps: (dumps) => entries(withoutCache(flat(dumps.ipcache))),
  },
  cilium_ct4_global: {
    ofView: (view) => entries(v4(view.ct).filter((e) => e.nexthdr === TCP)),
    ofDumps: (dumps) => entries(flat(dumps.ct)),
  },
  cilium_ct_any4_global: {
    ofView: (view) => entries(v4(view.ct).filter((e) => e.nexthdr !== TCP)),
    ofDumps: (dumps) => entries(flat(dumps.ct)),
  },
  cilium_snat_v4_external: {
    ofView: (view) => entries(v4(view.nat)),
    ofDumps: (dumps) => entries(flat(dumps.nat)),
  },
  cilium_ipmasq_v4: {
    ofView: (view) => entries(v4Prefix(view.ipmasq)),
    ofDumps: (dumps) => entries(flat(dumps.ipmasq)),
  },
  cilium_lb4_reverse_sk: {
    ofView: (view) => entries(v4(view.socknat)),
    ofDumps: (dumps) => entries(flat(dumps.socknat)),
  },
};

/** Everything a view holds that the dumps describe. */
function viewContent(view: NodeView): string {
  const { dumps: _dumps, borrowed: _borrowed, ...content } = view;
  return canonical(content);
}

/** Parses printed text the way the loader does, collecting each dump's model. */
function parsePrinted(name: string, text: string): NodeDumps {
  const dumps = new NodeDumps();
  for (const segment of splitDumps(name, text)) {
    for (const d of readSegment(segment, strict).dumps) {
      d.registered.collect(dumps, d.model, {
        kind: d.registered.format.kind,
        file: name,
        line: 1,
        node: undefined,
      });
    }
  }
  return dumps;
}

/** Each map printed from the view parses back to what the view held. */
function expectMapsRoundTrip(view: NodeView, label: string, printedNonEmpty: Set<string>): void {
  for (const [map, dump] of Object.entries(MAP_DUMPS)) {
    const content = MAP_CONTENT[map]!;
    const expected = content.ofView(view);
    const printed = dump.print(mapContentOfView(view));
    expect(content.ofDumps(parsePrinted(map, printed)), `${label}: ${map}`).toEqual(expected);
    if (expected.length > 0) printedNonEmpty.add(map);
  }
}

describe("round trip of every fixture through the loader", () => {
  const printedNonEmpty = new Set<string>();

  it("covers every map printer", () => {
    expect(Object.keys(MAP_CONTENT).sort()).toEqual(Object.keys(MAP_DUMPS).sort());
  });

  for (const file of DUMP_FIXTURES) {
    it(`${file}: each dump printed in its format loads back to the same view`, () => {
      const loaded = parseSnapshotFiles([{ name: file, text: fixtureText(file) }]);
      const printed = splitDumps(file, fixtureText(file))
        .flatMap((segment) => readSegment(segment, strict).dumps)
        .map((d) => formatOfKind(d.registered.format.kind)!.format.print(d.model))
        .join("\n");
      const again = parseSnapshotFiles([{ name: file, text: printed }]);
      expect(again.nodes.map(viewContent)).toEqual(loaded.nodes.map(viewContent));
      // The same warnings (lines move: the printed text has no `# source` notes).
      expect(again.warnings.map((w) => w.message)).toEqual(loaded.warnings.map((w) => w.message));
    });

    it(`${file}: every map's dumped content, printed by \`maps dump\`'s printers, loads back to the same entries`, () => {
      const loaded: Snapshot = parseSnapshotFiles([{ name: file, text: fixtureText(file) }]);
      expectMapsRoundTrip(loaded.selected, file, printedNonEmpty);
    });
  }

  it("the lab directory: every node's maps round-trip", async () => {
    const lab = await loadSnapshot(labSnapshotDir());
    for (const node of lab.nodes) {
      const view = (await loadSnapshot(labSnapshotDir(), { node: node.name })).selected;
      expectMapsRoundTrip(view, node.name, printedNonEmpty);
    }
  });

  it("some fixture fills each emulated map", () => {
    expect([...printedNonEmpty].sort()).toEqual(Object.keys(MAP_DUMPS).sort());
  });
});
