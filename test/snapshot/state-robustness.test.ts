// Robustness: mutated and truncated real dumps and random text give a model or an InputError naming
// the file and a line of the dump, never another exception; lenient parsing never throws.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DumpFormat } from "../../src/snapshot/dump-format.js";
import { toLines } from "../../src/snapshot/dump-source.js";
import { InputError } from "../../src/snapshot/errors.js";
import { bpfIpcacheListFormat } from "../../src/snapshot/formats/bpf-ipcache-list.js";
import { mapGetIpcacheFormat } from "../../src/snapshot/formats/map-get-ipcache.js";
import { stateFormats } from "../../src/snapshot/formats/state-formats.js";
import { fixtureText } from "../helpers/fixtures.js";
import { fixtureSource, lenient, strict, textSource } from "./helpers.js";
import { runs } from "../helpers/property.js";

const ipcacheEntries = () =>
  bpfIpcacheListFormat.parse(fixtureSource("lab-3node/bpf-ipcache-list.k8s-ctr.txt"), strict);

/** Real dumps per format; the two formats without a real capture get real rows in their layout. */
const SAMPLES: Readonly<Record<string, () => string[]>> = {
  "bpf-ipcache-list": () => [fixtureText("lab-3node/bpf-ipcache-list.k8s-ctr.txt")],
  "map-get-ipcache": () => [
    mapGetIpcacheFormat.print(
      ipcacheEntries().map((entry) => ({ ...entry, cache: { state: "sync", error: "" } })),
    ),
  ],
  "ip-list": () => [fixtureText("lab-3node/ip-list.txt")],
  "bpf-ct-list": () => [
    fixtureText("public/ct-list-global.v1.12-nodeport.txt"),
    fixtureText("public/ct-list-global.v1.18-ipv6.txt"),
    fixtureText("public/ct-list-global.main-2025-dsr-natport.txt"),
  ],
  "bpf-nat-list": () => [
    fixtureText("lab-3node/bpf-nat-list.txt"),
    // The v1.8 fixture's NAT lines (its last line is a CT entry).
    fixtureSource("public/bpf-nat-list.v1.8-icmp.txt", 1, 3).lines.join("\n"),
  ],
  "bpf-ipmasq-list": () => [fixtureText("misc/bpf-ipmasq-list.txt")],
  "bpf-socknat-list": () => [fixtureText("lab-3node/bpf-socknat-list.txt")],
  "endpoint-list": () => [fixtureText("lab-3node/endpoint-list.txt")],
  "map-list": () => [fixtureText("lab-3node/map-list.txt")],
  "map-list-verbose": () => [
    `## Map: cilium_lb4_services_v2\n${fixtureText("lab-3node/map-get-cilium_lb4_services_v2.txt")}\n` +
      `## Map: cilium_ipcache_v2\n${mapGetIpcacheFormat.print(ipcacheEntries())}\n## Map: x\nCache is disabled\n\n`,
  ],
};

/** Characters that matter to the grammars, plus some that never appear in dumps. */
const noise = fc.constantFrom(..." \t\r\n0123456789abcdefx:./-=[]()@,<>#_ÿ€🙂IP".split(""), "->", "0x", "::");

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant("replace" as const),
    at: fc.nat(),
    text: fc.string({ unit: noise, maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.string({ unit: noise, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("collapse" as const) }),
  fc.record({ kind: fc.constant("crlf" as const) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, steps: readonly Mutation[]): string {
  let out = text;
  for (const step of steps) {
    const at = "at" in step ? step.at % (out.length + 1) : 0;
    if (step.kind === "replace") out = out.slice(0, at) + step.text + out.slice(at + 1);
    else if (step.kind === "delete") out = out.slice(0, at) + out.slice(at + step.length);
    else if (step.kind === "insert") out = out.slice(0, at) + step.text + out.slice(at);
    else if (step.kind === "truncate") out = out.slice(0, at);
    else if (step.kind === "collapse") out = out.replace(/[ \t]+/g, " ");
    else out = out.replace(/\n/g, "\r\n");
  }
  return out;
}

/** Parses `text` strictly and leniently; fails the property on any outcome other than model / InputError. */
function checkOutcomes(format: DumpFormat<unknown>, text: string): void {
  const lines = toLines(text);
  const source = { file: "dump.txt", firstLine: 10, lines };
  expect(typeof format.matches(lines)).toBe("boolean");
  try {
    expect(Array.isArray(format.parse(source, strict))).toBe(true);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    expect(error.file).toBe("dump.txt");
    expect(error.line).toBeGreaterThanOrEqual(10);
    expect(error.line).toBeLessThan(10 + lines.length);
  }
  const { options, warnings } = lenient();
  expect(Array.isArray(format.parse(source, options))).toBe(true);
  for (const warning of warnings) {
    expect(warning.line).toBeGreaterThanOrEqual(10);
    expect(warning.line).toBeLessThan(10 + lines.length);
  }
}

describe("state parsers under mutated input", () => {
  for (const format of stateFormats) {
    const inputs = SAMPLES[format.kind]?.() ?? [];
    it(`${format.kind} has sample dumps`, () => expect(inputs.length).toBeGreaterThan(0));

    it(`${format.kind}: mutated and truncated real dumps give a model or an InputError`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...inputs),
          fc.array(mutation, { minLength: 1, maxLength: 4 }),
          (text, steps) => {
            checkOutcomes(format, mutate(text, steps));
          },
        ),
        { numRuns: runs(150) },
      );
    });

    it(`${format.kind}: random text gives a model or an InputError`, () => {
      fc.assert(
        fc.property(
          fc.string({ unit: fc.oneof(noise, fc.constantFrom("\u0000", "\uFFFD")), maxLength: 200 }),
          (text) => {
            checkOutcomes(format, text);
          },
        ),
        { numRuns: runs(150) },
      );
    });
  }
});

describe("state parsers under pasted whitespace", () => {
  // People paste dumps with runs of blanks collapsed, indentation lost, CRLF line ends and trailing
  // blanks; the model must not change. (`map list --verbose` is the exception: its keys contain blanks.)
  const variants: readonly [string, (text: string) => string][] = [
    ["collapsed blanks", (text) => text.replace(/[ \t]+/g, " ")],
    ["no indentation", (text) => text.replace(/^[ \t]+/gm, "")],
    ["tabs", (text) => text.replace(/ {2,}/g, "\t")],
    ["CRLF and trailing blanks", (text) => text.replace(/\n/g, "  \r\n")],
  ];
  for (const format of stateFormats.filter((candidate) => candidate.kind !== "map-list-verbose")) {
    for (const [name, paste] of variants) {
      it(`${format.kind}: ${name}`, () => {
        for (const text of SAMPLES[format.kind]?.() ?? []) {
          const original = format.parse(textSource(text), strict);
          expect(format.parse(textSource(paste(text)), strict)).toEqual(original);
        }
      });
    }
  }
});
