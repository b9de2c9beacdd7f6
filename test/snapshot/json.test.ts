// A loaded snapshot is plain data an embedder can JSON.stringify (to log it, cache it or post it to
// a page): u64 fields, held as bigint, come out as exact decimal strings.
import { describe, expect, it } from "vitest";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import { loadSnapshot } from "../../src/snapshot/load.js";
import { fixtureText } from "../helpers/fixtures.js";

interface Json {
  selected: {
    socknat: { cookie: string; revNatId: number }[];
    ct: Record<string, unknown>[];
  };
}

const U64_MAX = 2n ** 64n - 1n;

describe("snapshot JSON", () => {
  it("stringifies the bundled lab snapshot with socket cookies as decimal strings", async () => {
    const snapshot = await loadSnapshot("examples/lab-3node");
    const json = JSON.parse(JSON.stringify(snapshot)) as Json;
    const socknat = snapshot.selected.socknat;
    expect(socknat.length).toBeGreaterThan(0);
    expect(json.selected.socknat.map((e) => e.cookie)).toEqual(socknat.map((e) => e.cookie.toString()));
    expect(json.selected.socknat.map((e) => e.revNatId)).toEqual(socknat.map((e) => e.revNatId));
    // Only the bigints changed: the rest of the snapshot is as it was.
    expect(JSON.stringify(snapshot)).toBe(
      JSON.stringify(snapshot, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
    );
  });

  it("keeps u64 values past 2^53 exact: socket cookies and conntrack counters", () => {
    const snapshot = parseSnapshotFiles([
      {
        name: "bpf-socknat-list.txt",
        text: `Socket Cookie\tBackend -> Frontend\n${U64_MAX}\t192.168.10.100:11033 -> 10.96.0.1:-17663 (revnat=4864)\n`,
      },
      { name: "ct-list-global.txt", text: fixtureText("public/ct-list-global.v1.12-nodeport.txt") },
    ]);
    const json = JSON.parse(JSON.stringify(snapshot)) as Json;
    expect(BigInt(json.selected.socknat[0]!.cookie)).toBe(U64_MAX);
    const ct = snapshot.selected.ct;
    expect(ct.length).toBeGreaterThan(0);
    expect(ct.some((e) => e.rxBytes > 0n || e.bytes > 0n)).toBe(true);
    json.selected.ct.forEach((e, i) => {
      for (const field of [
        "rxPackets",
        "rxBytes",
        "txPackets",
        "txBytes",
        "packets",
        "bytes",
        "backendId",
      ] as const) {
        expect(e[field], `ct[${i}].${field}`).toBe(ct[i]![field].toString());
      }
      expect(e.expires).toBe(ct[i]!.expires);
    });
  });
});
