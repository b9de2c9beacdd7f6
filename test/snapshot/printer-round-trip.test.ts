// Every printer writes what its own parser reads back to the same model: for any model a parser
// produces (from real dumps, mutated), print -> parse is the identity. A printer that writes a line
// its parser rejects (or reads differently) fails here with the model, the text and the line.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/snapshot/errors.js";
import { agentConfigFormat } from "../../src/snapshot/formats/agent-config.js";
import { bpfLbListFormat } from "../../src/snapshot/formats/bpf-lb-list.js";
import { FORMATS } from "../../src/snapshot/registry.js";
import { splitDumps } from "../../src/snapshot/split.js";
import { allFixtures, fixtureText } from "../helpers/fixtures.js";

const SEED = 20_261_203;
const SAMPLES = allFixtures()
  .filter((f) => !/hubble|pcap/.test(f))
  .map(fixtureText);

/** A real dump with edits: characters replaced or inserted, columns collapsed. */
const mutated = fc
  .record({
    sample: fc.constantFrom(...SAMPLES),
    edits: fc.array(
      fc.record({
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        text: fc.string({ maxLength: 4 }),
        remove: fc.nat(3),
      }),
      { maxLength: 4 },
    ),
    collapse: fc.boolean(),
  })
  .map(({ sample, edits, collapse }) => {
    let text = sample;
    for (const edit of edits) {
      const at = Math.floor(text.length * edit.at);
      text = text.slice(0, at) + edit.text + text.slice(at + edit.remove);
    }
    return collapse ? text.replace(/ +/g, " ") : text;
  });

/** Models compared as JSON with object keys sorted and bigints kept as text. */
const canonical = (model: unknown) =>
  JSON.stringify(model, (_k, v: unknown) => {
    if (typeof v === "bigint") return `${v}n`;
    if (v !== null && typeof v === "object" && !Array.isArray(v))
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
    return v;
  });

describe("printers round-trip through their parsers", () => {
  it("print(model) parses back to the model, for every format and every model it parses", () => {
    console.log(`printer round trip: fast-check seed ${SEED}`);
    fc.assert(
      fc.property(mutated, (text) => {
        for (const segment of splitDumps("m.txt", text)) {
          for (const { format } of FORMATS) {
            let model: unknown;
            try {
              model = format.parse(segment, { lenient: true, warn: () => {} });
            } catch (error) {
              if (error instanceof InputError) continue;
              throw error;
            }
            const printed = format.print(model);
            const again = format.parse(
              { file: "printed.txt", firstLine: 1, lines: printed.split("\n") },
              { lenient: false, warn: () => {} },
            );
            expect(canonical(again), `${format.kind} printed:\n${printed}`).toBe(canonical(model));
          }
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});

describe("printers of the formats that lost data on the way back", () => {
  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join("."));
  const u16 = fc.nat(0xffff);

  it("legacy `bpf lb list` (<= 1.7): L7 proxy ports and key protocols survive print -> parse", () => {
    const value = fc.oneof(
      fc.record({
        kind: fc.constant("master" as const),
        revNatId: u16,
        slot: fc.constant(undefined),
        flagNames: fc.subarray(["ClusterIP", "NodePort", "LoadBalancer", "Local", "non-routable"]),
        l7ProxyPort: fc.option(u16, { nil: undefined }),
      }),
      fc.record({
        kind: fc.constant("backend" as const),
        address: ipv4,
        family: fc.constant(4 as const),
        port: u16,
        protocol: fc.constant(undefined),
        revNatId: u16,
        slot: fc.constant(undefined),
      }),
    );
    const row = fc.record({
      frontend: fc.record({
        address: ipv4,
        port: u16,
        protocol: fc.constantFrom("ANY" as const, "TCP" as const, "UDP" as const),
        scope: fc.constantFrom("external" as const, "internal" as const),
      }),
      family: fc.constant(4 as const),
      keySlot: fc.constant(undefined),
      value,
    });
    const dump = fc.record({
      style: fc.constant("legacy" as const),
      header: fc.boolean(),
      rows: fc.array(row, { minLength: 1, maxLength: 8 }),
    });
    fc.assert(
      fc.property(dump, (model) => {
        const printed = bpfLbListFormat.print(model);
        const again = bpfLbListFormat.parse(
          { file: "printed.txt", firstLine: 1, lines: printed.split("\n") },
          { lenient: false, warn: () => {} },
        );
        expect(canonical(again), printed).toBe(canonical(model));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("agent config: keys of any length and values starting with a separator survive print -> parse", () => {
    const key = fc.stringMatching(/^[A-Za-z][\w.-]{0,70}$/);
    // Values as the parser leaves them: trimmed.
    const value = fc.stringMatching(/^([\w.:=,/-]([\w.:=,/ -]{0,30}[\w.:=,/-])?)?$/);
    const dump = fc.record({
      style: fc.constantFrom("config-all" as const, "configmap" as const, "key-value" as const),
      entries: fc.array(fc.record({ key, value }), { minLength: 1, maxLength: 6 }),
    });
    fc.assert(
      fc.property(dump, (model) => {
        const printed = agentConfigFormat.print(model);
        const again = agentConfigFormat.parse(
          { file: "printed.txt", firstLine: 1, lines: printed.split("\n") },
          { lenient: false, warn: () => {} },
        );
        expect(canonical(again), printed).toBe(canonical(model));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
