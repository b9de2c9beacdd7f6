// Recognition by content: every real dump is claimed by exactly the format that reads it, and no two
// state formats ever claim the same dump.
import { describe, expect, it } from "vitest";
import { toLines } from "../../src/snapshot/dump-source.js";
import { stateFormats } from "../../src/snapshot/formats/state-formats.js";
import { allFixtures, fixtureSource, fixtureText, strict } from "./state-fixtures.js";

const EXPECTED: Readonly<Record<string, string>> = {
  "lab-3node/bpf-ipcache-list.k8s-ctr.txt": "bpf-ipcache-list",
  "lab-3node/bpf-ipcache-list.k8s-w0.txt": "bpf-ipcache-list",
  "lab-3node/bpf-ipcache-list.k8s-w1.txt": "bpf-ipcache-list",
  "lab-3node/bpf-nat-list.txt": "bpf-nat-list",
  "lab-3node/bpf-socknat-list.txt": "bpf-socknat-list",
  "lab-3node/endpoint-list.txt": "endpoint-list",
  "lab-3node/ip-list.txt": "ip-list",
  "lab-3node/map-list.txt": "map-list",
  "misc/bpf-ipmasq-list.txt": "bpf-ipmasq-list",
  "public/bpf-nat-list.v1.8-icmp.txt": "bpf-nat-list",
  "public/ct-list-global.main-2025-dsr-natport.txt": "bpf-ct-list",
  "public/ct-list-global.v1.10-clusterip.txt": "bpf-ct-list",
  "public/ct-list-global.v1.12-nodeport.txt": "bpf-ct-list",
  "public/ct-list-global.v1.14-before-svc-format-fix.txt": "bpf-ct-list",
  "public/ct-list-global.v1.18-ipv6.txt": "bpf-ct-list",
  "public/ct-list-global.v1.9-service.txt": "bpf-ct-list",
};

function claims(lines: readonly string[]): string[] {
  return stateFormats.filter((format) => format.matches(lines.slice(0, 40))).map((format) => format.kind);
}

describe("state format recognition", () => {
  for (const file of allFixtures()) {
    const expected = EXPECTED[file];
    it(`${file} is claimed by ${expected ?? "no state format"}`, () => {
      expect(claims(toLines(fixtureText(file)))).toEqual(expected === undefined ? [] : [expected]);
    });
  }

  it("the CT line after the v1.8 NAT lines is claimed by the ct format alone", () => {
    expect(claims(fixtureSource("public/bpf-nat-list.v1.8-icmp.txt", 4).lines)).toEqual(["bpf-ct-list"]);
  });

  it("each format claims its own printed output and nothing else does", () => {
    for (const [file, kind] of Object.entries(EXPECTED)) {
      const format = stateFormats.find((candidate) => candidate.kind === kind)!;
      const printed = format.print(
        format.parse(fixtureSource(file, 1, file.includes("v1.8-icmp") ? 3 : undefined), strict),
      );
      expect(claims(toLines(printed)), file).toEqual([kind]);
    }
  });

  it("kinds are unique", () => {
    const kinds = stateFormats.map((format) => format.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
  });
});
