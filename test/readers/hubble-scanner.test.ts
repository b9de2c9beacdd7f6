// The Hubble reader's byte scanner against its JSON.parse path: generated flow lines (real shapes,
// reordered keys, decoy nested objects and strings holding the same key names, escapes, unicode,
// whitespace, odd number forms, duplicate keys, wrong types, broken JSON) must give the same records,
// summaries and errors either way. The property runs with the suite's fixed, printed seed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { copyPacketRecord, type PacketRecord } from "../../src/model/packet.js";
import { HubbleDecoder, type HubbleReaderOptions } from "../../src/readers/hubble-reader.js";
import { fixtureText } from "../helpers/fixtures.js";
import { mulberry32 } from "../helpers/mulberry32.js";
import { runs } from "../helpers/property.js";

const encoder = new TextEncoder();

interface Outcome {
  records: PacketRecord[];
  summary: unknown;
  error?: string;
  scanned: number;
  parsed: number;
}

/** Reads `text` whole, with the scanner on or off; an error is part of the outcome. */
function read(text: string, options: HubbleReaderOptions): Outcome {
  const records: PacketRecord[] = [];
  const decoder = new HubbleDecoder((p) => records.push(copyPacketRecord(p)), options);
  let error: string | undefined;
  try {
    decoder.push(encoder.encode(text));
    decoder.end();
  } catch (err) {
    error = (err as Error).message;
  }
  const summary = { ...decoder.summary, skipped: { ...decoder.summary.skipped } };
  return {
    records,
    summary,
    ...(error === undefined ? {} : { error }),
    scanned: decoder.lineCounts.scanned,
    parsed: decoder.lineCounts.parsed,
  };
}

/** How one line is written: which of a JSON writer's liberties it takes (each now and then). */
interface Style {
  random: () => number;
  spaces: boolean;
  /** \uXXXX escapes, raw control bytes. */
  escapes: boolean;
  /** 1.0, 1e0, -0 for integers. */
  numberForms: boolean;
  duplicateKeys: boolean;
}

function styleOf(seed: number): Style {
  const random = mulberry32(seed);
  const now = (p: number): boolean => random() < p;
  return { random, spaces: now(0.4), escapes: now(0.1), numberForms: now(0.1), duplicateKeys: now(0.1) };
}

/** JSON text of a value, written the many ways a JSON writer may. */
function write(value: unknown, style: Style): string {
  const { random } = style;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const space = (): string => (!style.spaces || random() < 0.7 ? "" : pick([" ", "  ", "\t", "\r", " \t "]));
  if (value === null || typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    if (!Number.isInteger(value) || !style.numberForms || random() < 0.7) return JSON.stringify(value);
    return pick([`${value}.0`, `${value}e0`, `${value}E+0`, `${value}.000`, value === 0 ? "-0" : `${value}`]);
  }
  if (typeof value === "string") return writeString(value, style);
  if (Array.isArray(value))
    return `[${space()}${value.map((v) => write(v, style)).join(`${space()},${space()}`)}${space()}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  // A key twice: JSON.parse keeps the last.
  if (entries.length > 0 && style.duplicateKeys && random() < 0.3)
    entries.push([pick(entries)[0], pick([null, "x", 1, {}])]);
  const members = entries.map(
    ([k, v]) => `${space()}${writeString(k, style)}${space()}:${space()}${write(v, style)}`,
  );
  return `{${members.join(`${space()},`)}${space()}}`;
}

function writeString(text: string, style: Style): string {
  const escape = style.escapes && style.random() < 0.2;
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (escape && style.random() < 0.3 && code < 0x10000) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else if (code === 0x01 && escape)
      out += ch; // a raw control byte: not JSON
    else out += JSON.stringify(ch).slice(1, -1);
  }
  return out + '"';
}

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined, freq: 3 });
const wrongType = fc.constantFrom<unknown>(null, 7, "7", true, [], {}, -1, 1.5);

/** Field values; with `odd`, any may be ill-typed, out of range or non-ASCII. */
function fieldValues(odd: boolean) {
  /** `good`, or with `odd` now and then one of `bad`. */
  const sometimes = (good: fc.Arbitrary<unknown>, ...bad: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> =>
    odd
      ? fc.oneof({ weight: 10, arbitrary: good }, ...bad.map((arbitrary) => ({ weight: 1, arbitrary })))
      : good;
  const text = (names: readonly string[]) =>
    sometimes(
      fc.constantFrom(...names),
      fc.constantFrom("", "ünï", "日本🙂", 'a"b\\c', "\u0001", "IPv6", "L7"),
      wrongType,
    );
  const integer = (max: number) => sometimes(fc.nat({ max }), fc.constantFrom(max + 1, 2 ** 53), wrongType);
  const address = sometimes(
    fc.ipV4(),
    fc.constantFrom("fd00::1", "10.0.0.300", "010.1.1.1", "10.0.0", "", "1.2.3.4:80"),
    wrongType,
  );
  const time = sometimes(
    fc
      .tuple(
        fc.date({ min: new Date(-1e13), max: new Date(5e12), noInvalidDate: true }),
        fc.constantFrom("", ".5", ".123456789", ".1234567891234"),
        fc.constantFrom("Z", "z", "+02:00", "-11:30"),
        fc.constantFrom("T", "t", " "),
      )
      .map(([d, fraction, zone, t]) => d.toISOString().slice(0, 19).replace("T", t) + fraction + zone),
    fc.constantFrom("2024-13-01T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T12:00:00.Z", "yesterday", ""),
    wrongType,
  );
  return { sometimes, text, integer, address, time };
}

/** l4 objects, and objects that repeat flow key names where the reader must not look. */
function flowParts(odd: boolean) {
  const { sometimes, integer, address, time } = fieldValues(odd);
  const ports = fc.record(
    { source_port: integer(65535), destination_port: integer(65535) },
    { requiredKeys: [] },
  );
  const flags = fc.dictionary(
    fc.constantFrom("SYN", "ACK", "FIN", "RST", "PSH", "URG", "ECE", "CWR", "NS", "XYZ"),
    fc.oneof(fc.boolean(), wrongType),
  );
  const l4 = sometimes(
    fc.oneof(
      fc.record({
        TCP: sometimes(
          fc.record(
            { source_port: integer(65535), destination_port: integer(65535), flags },
            { requiredKeys: [] },
          ),
          wrongType,
        ),
      }),
      fc.record({ UDP: ports, SCTP: maybe(ports) }, { requiredKeys: ["UDP"] }),
      fc.record({ SCTP: ports }),
      fc.record({ ICMPv4: fc.record({ type: integer(255), code: integer(255) }, { requiredKeys: [] }) }),
      fc.record({ ICMPv6: fc.oneof(fc.record({ type: integer(255) }), fc.constant(null)) }),
      fc.record({ IGMP: fc.record({ type: integer(255) }) }),
    ),
    wrongType,
  );
  const decoy = fc.record({
    IP: fc.record({ source: address, destination: address }),
    time,
    l4,
    labels: fc.array(fc.constantFrom('k8s:app="IP"', "verdict", "time:2024", "l4\\TCP", "\\"), {
      maxLength: 3,
    }),
    is_reply: fc.boolean(),
  });
  const endpoint = fc.record(
    {
      ID: integer(0xffffffff),
      identity: integer(0xffffffff),
      labels: fc.array(fc.string(), { maxLength: 2 }),
      workloads: fc.array(decoy, { maxLength: 1 }),
    },
    { requiredKeys: [] },
  );
  return { l4, decoy, endpoint };
}

/** Hubble lines; with `odd`, any value may be ill-typed, out of range, non-ASCII or not a flow at all. */
function hubbleLine(odd: boolean): fc.Arbitrary<unknown> {
  const { sometimes, text, integer, address, time } = fieldValues(odd);
  const { l4, decoy, endpoint } = flowParts(odd);
  const flow = fc.record(
    {
      time,
      uuid: fc.uuid(),
      verdict: text(["FORWARDED", "DROPPED", "TRANSLATED"]),
      drop_reason: integer(0xffffffff),
      drop_reason_desc: text(["POLICY_DENIED", "CT_MAP_INSERTION_FAILED"]),
      ethernet: fc.record({ source: fc.constant("9a:4b:92:54:a9:62") }),
      IP: sometimes(
        fc.record({ source: address, destination: address, ipVersion: maybe(text(["IPv4", "IPv6"])) }),
        wrongType,
      ),
      l4,
      source: sometimes(endpoint, wrongType),
      destination: endpoint,
      Type: text(["L3_L4", "L7", "SOCK"]),
      node_name: text(["k8s-ctr", "10.10.21.166"]),
      event_type: fc.record(
        { type: integer(0xffffffff), sub_type: integer(0xffffffff) },
        { requiredKeys: [] },
      ),
      traffic_direction: text(["EGRESS", "INGRESS"]),
      trace_observation_point: text(["FROM_ENDPOINT", "FROM_NETWORK", "FROM_OVERLAY", "TO_STACK"]),
      trace_reason: text(["NEW", "ESTABLISHED", "REPLY"]),
      is_reply: sometimes(fc.boolean(), wrongType),
      reply: sometimes(fc.boolean(), wrongType),
      interface: fc.record({ index: fc.nat(), name: text(["eth0", "lxc0123"]) }, { requiredKeys: [] }),
      Summary: sometimes(
        fc.constantFrom("TCP Flags: ACK, PSH", 'say "IP": {"source"', "a\\b", ""),
        fc.constant("é"),
      ),
      extra: decoy,
    },
    { requiredKeys: odd ? [] : ["time", "IP", "l4"] },
  );
  const response = fc.record(
    { flow: sometimes(flow, wrongType), node_name: text(["k8s-ctr"]), time },
    { requiredKeys: ["flow"] },
  );
  const nonFlow = fc.record({ node_status: fc.record({ state_change: fc.string() }), time, IP: decoy });
  const lineValue = fc.oneof(
    { weight: 6, arbitrary: response },
    { weight: 3, arbitrary: flow },
    { weight: 1, arbitrary: nonFlow },
  );
  return sometimes(lineValue, wrongType, fc.array(flow, { maxLength: 1 }));
}
/** One line in eight may be odd. */
const line = fc.oneof(
  { weight: 4, arbitrary: hubbleLine(false) },
  { weight: 1, arbitrary: hubbleLine(true) },
);
const lines = fc.record({
  values: fc.array(line, { minLength: 1, maxLength: 6 }),
  style: fc.nat(),
  /** Now and then, cut the text at a fraction of its length (a broken last line). */
  cut: fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  ),
  skipMalformed: fc.boolean(),
});

describe("the Hubble byte scanner", () => {
  it("gives the JSON.parse path's records, summaries and errors on generated lines", () => {
    let scanned = 0;
    let total = 0;
    fc.assert(
      fc.property(lines, ({ values, style, cut, skipMalformed }) => {
        const styles = values.map((_, k) => styleOf(style + k));
        let textIn = values.map((v, k) => write(v, styles[k]!)).join(style % 2 === 0 ? "\n" : "\r\n\n");
        if (cut !== null) textIn = textIn.slice(0, Math.floor(textIn.length * cut));
        const options: HubbleReaderOptions = { onMalformedLine: skipMalformed ? "skip" : "error" };
        const fast = read(textIn, { ...options, scan: true });
        const slow = read(textIn, { ...options, scan: false });
        expect({ ...fast, scanned: 0, parsed: 0 }).toEqual({ ...slow, scanned: 0, parsed: 0 });
        scanned += fast.scanned;
        total += fast.scanned + fast.parsed;
      }),
      { numRuns: runs(1000) },
    );
    // The property is about the fast path: most generated lines must go through it.
    console.log(`hubble scanner property: ${scanned} of ${total} lines scanned`);
    expect(scanned / total).toBeGreaterThan(0.3);
  });

  it("reads every line of real Hubble output without JSON.parse", () => {
    for (const name of ["hubble-flows.v1.19.1-export.jsonl", "hubble-observe-json.2021.jsonl"]) {
      const body = fixtureText(`public/${name}`).split("\n").slice(1).join("\n");
      const fast = read(body, { scan: true });
      expect(fast.error).toBeUndefined();
      expect(fast.scanned).toBe(body.split("\n").filter((l) => l.trim() !== "").length);
      expect({ ...fast, scanned: 0, parsed: 0 }).toEqual({
        ...read(body, { scan: false }),
        scanned: 0,
        parsed: 0,
      });
    }
  });
});
