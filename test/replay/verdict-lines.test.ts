// The verdict line writers (src/replay/verdicts/) against the way the lines were made before they were
// written as bytes: the packet decoded into a ReplayedPacket, the JSON document built from it and
// `dpemu trace --json`'s fields and given to JSON.stringify, the compact line built as a string. On
// random packet and verdict records, through a directory whose names are hostile (quotes,
// backslashes, controls, non-ASCII) and which changes between batches (churn), with the writers'
// caches kept across batches as the stream keeps them. fast-check's seed is the run's (printed).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { traceJson } from "../../src/cli/trace.js";
import type { Datapath } from "../../src/datapath/datapath.js";
import { dropReason } from "../../src/engine/drop-reasons.js";
import type { BackendMapEntry } from "../../src/engine/state.js";
import { OBSERVATION_POINT_NAMES, type DatapathVerdict } from "../../src/engine/verdict.js";
import { escapeForTerminal } from "../../src/model/escape.js";
import { RESERVED_IDENTITY_NAMES } from "../../src/model/identity.js";
import { formatIPv4 } from "../../src/model/ipv4.js";
import { createPacketRecord, tcpFlagNames, type PacketRecord } from "../../src/model/packet.js";
import { IpProto, protocolName } from "../../src/model/protocol.js";
import { formatRfc3339 } from "../../src/readers/rfc3339.js";
import { OBSERVED_VERDICTS, PacketBatch } from "../../src/replay/packet-batch.js";
import { ReplayedPacketReader, type ReplayedPacket } from "../../src/replay/replayed-packet.js";
import { VerdictJsonWriter, type ServiceDirectory } from "../../src/replay/verdicts/json-line.js";
import { LineBuffer, MAX_LINE_BYTES } from "../../src/replay/verdicts/line-bytes.js";
import { VerdictTextWriter } from "../../src/replay/verdicts/text-line.js";
import { decodeVerdict, encodeVerdict, recordView } from "../../src/wasm/codec.js";

// ---- the reference: the lines as strings, from objects ---------------------------------------

const endpoint = (address: number, port: number, ports: boolean): string =>
  ports ? `${formatIPv4(address)}:${port}` : formatIPv4(address);

function jsonLine(replayed: ReplayedPacket, directory: ServiceDirectory): string {
  const { packet: p, verdict: v } = replayed;
  const ports = p.proto !== IpProto.ICMP;
  const doc: Record<string, unknown> = {
    packet: replayed.packetNumber,
    time: formatRfc3339(p.seconds, p.nanoseconds),
    src: endpoint(p.saddr, p.sport, ports),
    dst: endpoint(p.daddr, p.dport, ports),
    proto: protocolName(p.proto) ?? String(p.proto),
  };
  if (p.proto === IpProto.TCP) doc.tcpFlags = tcpFlagNames(p.tcpFlags);
  if (p.proto === IpProto.ICMP) doc.icmp = { type: p.icmpType, code: p.icmpCode };
  Object.assign(doc, traceJson(directory as Datapath, p, v));
  const o = replayed.observed;
  if (o) {
    const drop = o.dropReason !== 0 ? { code: o.dropReason, name: dropReason(o.dropReason).hubble } : null;
    doc.observed = { verdict: o.verdict, dropReason: drop };
  }
  return JSON.stringify(doc);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const identity = (id: number): string => RESERVED_IDENTITY_NAMES[id] ?? `ID:${id}`;

function textLine(replayed: ReplayedPacket): string {
  const { packet: p, verdict: v } = replayed;
  const ports = p.proto !== IpProto.ICMP;
  const d = new Date(p.seconds * 1000);
  const time =
    // Go's time.StampMilli, as `hubble observe` prints it: the day padded with a space.
    `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:` +
    `${pad(d.getUTCSeconds())}.${pad(Math.floor(p.nanoseconds / 1e6), 3)}`;
  const src = endpoint(p.saddr, p.sport, ports);
  const dst = endpoint(p.daddr, p.dport, ports);
  const point = OBSERVATION_POINT_NAMES[v.observationPoint] ?? String(v.observationPoint);
  const what =
    v.verdict === "DROPPED"
      ? `${dropReason(v.dropReason).hubble} DROPPED`
      : `${point.toLowerCase().replace(/_/g, "-")} FORWARDED`;
  const proto =
    p.proto === IpProto.TCP
      ? `TCP Flags: ${tcpFlagNames(p.tcpFlags).join(", ") || "none"}`
      : p.proto === IpProto.ICMP
        ? `ICMPv4 type ${p.icmpType} code ${p.icmpCode}`
        : (protocolName(p.proto) ?? `proto ${p.proto}`);
  let line = `${time}: ${src} (${identity(v.srcIdentity)}) -> ${dst} (${identity(v.dstIdentity)}) ${what} (${proto})`;
  const tsrc = endpoint(v.saddr, v.sport, ports);
  const tdst = endpoint(v.daddr, v.dport, ports);
  if (v.verdict === "FORWARDED" && (tsrc !== src || tdst !== dst)) line += ` xlate ${tsrc} -> ${tdst}`;
  if (replayed.observed) line += ` [hubble: ${escapeForTerminal(replayed.observed.verdict)}]`;
  return line;
}

// ---- random records ----------------------------------------------------------------------------

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
/** Mostly small values (cache hits, reserved identities, known IDs), sometimes any. */
const small = (max: number) => fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max }));

const packetArb = fc.record({
  packetNumber: fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.maxSafeNat()),
  seconds: fc.oneof(fc.integer({ min: 1_704_067_200, max: 1_704_067_203 }), u32),
  nanoseconds: fc.integer({ min: 0, max: 999_999_999 }),
  saddr: u32,
  daddr: u32,
  sport: u16,
  dport: u16,
  proto: fc.oneof(fc.constantFrom(IpProto.TCP, IpProto.UDP, IpProto.ICMP), u8),
  tcpFlags: u8,
  icmpType: u8,
  icmpCode: u8,
  observed: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: OBSERVED_VERDICTS.length - 1 })),
  observedDrop: fc.oneof(fc.constant(0), small(0xffff)),
});

const verdictArb = fc.record({
  dropped: fc.boolean(),
  dropReason: u8,
  observationPoint: fc.oneof(small(15), u8),
  ctState: fc.constantFrom("new", "established", "reply", "related"),
  revNatId: small(0xffff),
  backendId: fc.oneof(small(40), u32),
  sameTranslation: fc.boolean(),
  saddr: u32,
  daddr: u32,
  sport: u16,
  dport: u16,
  srcIdentity: fc.oneof(small(70_000), u32),
  dstIdentity: fc.oneof(small(70_000), u32),
  tunnelEndpoint: fc.oneof(fc.constant(0), u32),
});

/** Frontend and backend names with what a snapshot could hold: quotes, backslashes, controls, Unicode. */
const nameArb = fc.oneof(
  fc.constantFrom("10.96.163.90:80/TCP", 'we"ird\\name', "a\u0000b\u001b[31m", "\u2028ü😀", ""),
  fc.string({ unit: "binary", maxLength: 24 }),
);

const directoryArb = fc.record({
  frontends: fc.dictionary(fc.integer({ min: 1, max: 12 }).map(String), nameArb),
  backends: fc.array(
    fc.record({
      id: fc.integer({ min: 1, max: 40 }),
      address: u32,
      port: fc.oneof(fc.constant(0), u16),
      proto: u8,
    }),
    { maxLength: 12 },
  ),
});

type DirectorySpec = {
  frontends: Record<string, string>;
  backends: { id: number; address: number; port: number; proto: number }[];
};

function directoryOf(spec: DirectorySpec): ServiceDirectory {
  const backends = new Map(spec.backends.map((b) => [b.id, b]));
  return {
    frontendOf: (revNatId) => spec.frontends[String(revNatId)],
    backend: (id) => {
      const b = backends.get(id);
      return b && ({ ...b, state: 0, weight: 100 } as unknown as BackendMapEntry);
    },
  };
}

type PacketSpec = typeof packetArb extends fc.Arbitrary<infer T> ? T : never;
type VerdictSpec = typeof verdictArb extends fc.Arbitrary<infer T> ? T : never;

/** A processed batch of the packets, their verdicts and Hubble's observations. */
function batchOf(packets: PacketSpec[], verdicts: VerdictSpec[]): PacketBatch {
  const batch = new PacketBatch(packets.length);
  const record: PacketRecord = createPacketRecord();
  const zero = decodeVerdict(recordView(new ArrayBuffer(256)), 0);
  packets.forEach((p, i) => {
    Object.assign(record, { ...p, observed: null });
    batch.push(record, null);
    batch.observed[i] = p.observed;
    batch.observedDrop[i] = p.observedDrop;
    const v = verdicts[i]!;
    const verdict: DatapathVerdict = {
      ...zero,
      ...v,
      verdict: v.dropped ? "DROPPED" : "FORWARDED",
      // A translation that leaves the packet as it was (the common case: no xlate in the text line).
      ...(v.sameTranslation ? { saddr: p.saddr, daddr: p.daddr, sport: p.sport, dport: p.dport } : {}),
    };
    encodeVerdict(batch.verdicts, batch.verdictAt(i), verdict);
  });
  return batch;
}

describe("the verdict line writers", () => {
  it("write what the object path wrote, byte for byte, across batches and directory changes", () => {
    const json = new VerdictJsonWriter();
    const text = new VerdictTextWriter();
    const reader = new ReplayedPacketReader();
    const out = new LineBuffer(new Uint8Array(MAX_LINE_BYTES * 64));
    const decoder = new TextDecoder();
    fc.assert(
      fc.property(
        directoryArb,
        fc.array(fc.tuple(packetArb, verdictArb), { minLength: 1, maxLength: 48 }),
        (spec, rows) => {
          const directory = directoryOf(spec);
          // Every run is a new directory state, as after churn.
          json.forgetDirectory();
          const batch = batchOf(
            rows.map(([p]) => p),
            rows.map(([, v]) => v),
          );
          let jsonAt = 0;
          let textAt = MAX_LINE_BYTES * 48;
          const expectedJson: string[] = [];
          const expectedText: string[] = [];
          for (let i = 0; i < batch.count; i++) {
            const replayed = reader.read(batch, i)!;
            expectedJson.push(`${jsonLine(replayed, directory)}\n`);
            expectedText.push(`${textLine(replayed)}\n`);
            const lineStart = jsonAt;
            jsonAt = json.write(out, jsonAt, batch, i, directory);
            expect(jsonAt - lineStart).toBeLessThan(MAX_LINE_BYTES - 16);
            textAt = text.write(out, textAt, batch, i);
          }
          expect(decoder.decode(out.bytes.subarray(0, jsonAt))).toBe(expectedJson.join(""));
          expect(decoder.decode(out.bytes.subarray(MAX_LINE_BYTES * 48, textAt))).toBe(expectedText.join(""));
        },
      ),
      { numRuns: 300 },
    );
  });
});
