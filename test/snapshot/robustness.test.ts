// Mutated, truncated and random input: every parser returns a model or throws InputError with a
// file and line, and the loader does the same for whole files. Nothing else may escape.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/snapshot/errors.js";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import { FORMATS } from "../../src/snapshot/registry.js";
import { splitDumps } from "../../src/snapshot/split.js";
import { fixtureText } from "../helpers/fixtures.js";
import { runs } from "../helpers/property.js";

const SAMPLES = [
  "lab-3node/service-list.txt",
  "lab-3node/bpf-lb-list.webpod.txt",
  "lab-3node/map-get-cilium_lb4_services_v2.txt",
  "public/bpf-lb-list.v1.15.2.txt",
  "public/bpf-lb-list.v1.7-legacy.txt",
  "public/bpf-lb-list.v1.16-dev-l7lb.txt",
  "public/bpf-lb-list.v1.19-excerpt.txt",
  "public/bpf-lb-maglev-list.v1.11.txt",
  "public/service-list-o-json.v1.18.0.json",
  "public/service-list.v1.15.2.txt",
  "public/status-verbose.v1.18.0-kpr-excerpt.txt",
  "misc/status-verbose.kpr-dsr-maglev.txt",
  "lab-3node/bpf-ipcache-list.k8s-ctr.txt",
  "lab-3node/bpf-nat-list.txt",
  "lab-3node/bpf-socknat-list.txt",
  "lab-3node/endpoint-list.txt",
  "lab-3node/ip-list.txt",
  "lab-3node/map-list.txt",
  "misc/bpf-ipmasq-list.txt",
  "public/bpf-nat-list.v1.8-icmp.txt",
  "public/ct-list-global.v1.12-nodeport.txt",
  "public/ct-list-global.v1.18-ipv6.txt",
].map(fixtureText);
SAMPLES.push(
  "Key   Value   State   Error\n14    TCP://172.20.0.66\n8     ANY://10.0.1.219:80   sync\n",
  "ID   BACKEND ADDRESS (REVNAT_ID) (SLOT)\n20   10.96.163.90:80\n",
  "apiVersion: v1\ndata:\n  routing-mode: tunnel\n  bpf-lb-algorithm: maglev\nkind: ConfigMap\n",
  // map list --verbose: sections across blank lines, one dump.
  "## Map: cilium_ipcache_v2\nKey   Value   State   Error\n10.0.0.0/8   identity=2 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>   sync\n\n## Map: cilium_lxc\nCache is empty\n\n",
);

/** A real dump with edits: cut, characters replaced or inserted, columns collapsed. */
const mutated = fc
  .record({
    sample: fc.constantFrom(...SAMPLES),
    cut: fc.double({ min: 0, max: 1, noNaN: true }),
    edits: fc.array(
      fc.record({
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        text: fc.string({ maxLength: 6 }),
        remove: fc.nat(4),
      }),
      { maxLength: 6 },
    ),
    collapse: fc.boolean(),
  })
  .map(({ sample, cut, edits, collapse }) => {
    let text = sample.slice(0, Math.max(1, Math.floor(sample.length * (cut < 0.3 ? cut / 0.3 : 1))));
    for (const edit of edits) {
      const at = Math.floor(text.length * edit.at);
      text = text.slice(0, at) + edit.text + text.slice(at + edit.remove);
    }
    return collapse ? text.replace(/ +/g, " ") : text;
  });

function outcome(run: () => unknown): "model" | "input-error" {
  try {
    run();
    return "model";
  } catch (error) {
    if (error instanceof InputError) {
      expect(error.file).toBeTruthy();
      expect(error.message.split("\n")).toHaveLength(1);
      return "input-error";
    }
    throw error;
  }
}

describe("robustness", () => {
  it("every format parses mutated real dumps into a model or an InputError, and prints what it parsed", () => {
    fc.assert(
      fc.property(mutated, fc.boolean(), (text, lenient) => {
        for (const segment of splitDumps("m.txt", text)) {
          for (const { format } of FORMATS) {
            outcome(() => {
              const model = format.parse(segment, { lenient, warn: () => {} });
              format.print(model);
            });
          }
        }
      }),
      { numRuns: runs(150) },
    );
  });

  it("the loader turns mutated dumps and random bytes into a snapshot or an InputError", () => {
    const input = fc.oneof(
      mutated.map((text) => ({ name: "m.txt", text })),
      fc.uint8Array({ maxLength: 600 }).map((bytes) => ({ name: "r.bin", bytes })),
      fc.string({ maxLength: 300 }).map((text) => ({ name: "s.txt", text })),
      // Archive magic followed by garbage: corrupt archives are bad input too.
      fc
        .uint8Array({ maxLength: 300 })
        .map((b) => ({ name: "x.zip", bytes: new Uint8Array([0x50, 0x4b, 3, 4, ...b]) })),
      fc
        .uint8Array({ maxLength: 300 })
        .map((b) => ({ name: "x.tgz", bytes: new Uint8Array([0x1f, 0x8b, ...b]) })),
    );
    fc.assert(
      fc.property(input, fc.boolean(), (file, lenient) => {
        outcome(() => parseSnapshotFiles([file], { lenient }));
      }),
      { numRuns: runs(200) },
    );
  });
});
