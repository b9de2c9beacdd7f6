// Hostile captures, generated here (never stored): a pcapng of nothing but interface descriptions,
// packet times past 2106 or before 1970, every length check of the pcap and pcapng readers, and a
// Hubble line far past the line cap. Each ends in a counted skip or a CaptureFormatError naming the
// byte offset and packet, never in unbounded memory or a wrapped time.
import { describe, expect, it } from "vitest";
import { copyPacketRecord, type PacketRecord } from "../../src/model/packet.js";
import { chunkBytes } from "../../src/readers/byte-source.js";
import { CaptureFormatError } from "../../src/readers/capture-error.js";
import { LAST_CLOCK_SECOND } from "../../src/readers/clock-range.js";
import { readHubble } from "../../src/readers/hubble-reader.js";
import { readPcap } from "../../src/readers/pcap-reader.js";
import { MAX_INTERFACES_PER_SECTION, readPcapng } from "../../src/readers/pcapng-reader.js";
import type { ReadSummary } from "../../src/readers/read-summary.js";
import { parseSyntheticSpec, SyntheticSpecError } from "../../src/synthetic/synthetic-spec.js";

/** Little-endian bytes written field by field. */
class Bytes {
  private readonly parts: number[] = [];
  u8(...values: number[]): this {
    this.parts.push(...values);
    return this;
  }
  u16(v: number): this {
    return this.u8(v & 0xff, (v >>> 8) & 0xff);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(Math.floor(v / 65536) & 0xffff);
  }
  get length(): number {
    return this.parts.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** Ethernet + IPv4 + UDP 10.0.0.1:1000 -> 10.0.0.2:53. */
const FRAME = Uint8Array.from([
  ...[0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00],
  ...[0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2],
  ...[0x03, 0xe8, 0x00, 0x35, 0, 8, 0, 0],
]);

function pcapngBlock(type: number, body: Uint8Array): Uint8Array {
  const padded = new Uint8Array(Math.ceil(body.length / 4) * 4);
  padded.set(body);
  const length = padded.length + 12;
  const head = new Bytes().u32(type).u32(length).done();
  const tail = new Bytes().u32(length).done();
  return concat([head, padded, tail]);
}

const sectionHeader = (): Uint8Array =>
  pcapngBlock(0x0a0d0d0a, new Bytes().u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff).done());

/** An Ethernet interface description, with if_tsoffset (seconds, signed) when given. */
function interfaceBlock(tsoffset?: number): Uint8Array {
  const body = new Bytes().u16(1).u16(0).u32(0);
  if (tsoffset !== undefined) {
    const big = BigInt.asUintN(64, BigInt(tsoffset));
    body
      .u16(14)
      .u16(8)
      .u32(Number(big & 0xffffffffn))
      .u32(Number(big >> 32n))
      .u16(0)
      .u16(0);
  }
  return pcapngBlock(1, body.done());
}

/** An enhanced packet block of FRAME at `ticks` microseconds. */
function enhancedBlock(interfaceId: number, ticks: bigint): Uint8Array {
  const body = new Bytes()
    .u32(interfaceId)
    .u32(Number(ticks >> 32n))
    .u32(Number(ticks & 0xffffffffn))
    .u32(FRAME.length)
    .u32(FRAME.length)
    .done();
  return pcapngBlock(6, concat([body, FRAME]));
}

/** A pcap (µs, Ethernet) with one record per [seconds, microseconds]. */
function pcapOf(times: readonly [number, number][]): Uint8Array {
  const header = new Bytes().u32(0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(1).done();
  const records = times.map(([s, us]) =>
    concat([new Bytes().u32(s).u32(us).u32(FRAME.length).u32(FRAME.length).done(), FRAME]),
  );
  return concat([header, ...records]);
}

/** `count` copies of `block`, back to back. */
function repeat(block: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(block.length * count);
  for (let i = 0; i < count; i++) out.set(block, i * block.length);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

type Reader = typeof readPcap;

async function read(
  reader: Reader,
  bytes: Uint8Array,
): Promise<{ records: PacketRecord[]; summary?: ReadSummary; error?: CaptureFormatError }> {
  const records: PacketRecord[] = [];
  try {
    const summary = await reader(chunkBytes(bytes, 4096), (p) => records.push(copyPacketRecord(p)));
    return { records, summary };
  } catch (err) {
    if (err instanceof CaptureFormatError) return { records, error: err };
    throw err;
  }
}

describe("pcapng interface descriptions", () => {
  it("a section describing more interfaces than the limit stops at the first one too many", async () => {
    const header = sectionHeader();
    const { error } = await read(
      readPcapng,
      concat([header, repeat(interfaceBlock(), MAX_INTERFACES_PER_SECTION + 5)]),
    );
    expect(error?.problem).toBe(
      `section 1 describes more than ${MAX_INTERFACES_PER_SECTION} interfaces (corrupt or hostile capture)`,
    );
    expect(error?.byteOffset).toBe(header.length + MAX_INTERFACES_PER_SECTION * interfaceBlock().length);
    expect(error?.packetNumber).toBe(1);
  });

  it("the limit is per section: each section may use it in full, and its last interface reads", async () => {
    const full = repeat(interfaceBlock(), MAX_INTERFACES_PER_SECTION);
    const section = () => concat([sectionHeader(), full, enhancedBlock(MAX_INTERFACES_PER_SECTION - 1, 5n)]);
    const { records, summary, error } = await read(readPcapng, concat([section(), section(), section()]));
    expect(error).toBeUndefined();
    expect(summary?.packets).toBe(3);
    expect(records.map((r) => r.interfaceId)).toEqual(Array(3).fill(MAX_INTERFACES_PER_SECTION - 1));
  });
});

describe("packet times outside the datapath's 32-bit clock", () => {
  it("pcap: a fraction carrying past 2106-02-07T06:28:15Z is skipped and counted, not wrapped", async () => {
    const { records, summary } = await read(
      readPcap,
      pcapOf([
        [1_704_067_200, 0],
        [LAST_CLOCK_SECOND, 999_999],
        // 2,000,000 µs: two seconds past the last one the clock holds.
        [LAST_CLOCK_SECOND, 2_000_000],
      ]),
    );
    expect(records.map((r) => [r.seconds, r.nanoseconds])).toEqual([
      [1_704_067_200, 0],
      [LAST_CLOCK_SECOND, 999_999_000],
    ]);
    expect(summary?.skipped["time-out-of-range"]).toBe(1);
    expect(summary?.seen).toBe(3);
  });

  it("pcapng: 64-bit times past 2106 and negative offsets are skipped; a time in 2104 reads exactly", async () => {
    const micros = (seconds: number) => BigInt(seconds) * 1_000_000n;
    const in2104 = 4_260_000_000; // 2104-12-29T13:20:00Z
    const bytes = concat([
      sectionHeader(),
      interfaceBlock(),
      interfaceBlock(-2_000_000_000),
      enhancedBlock(0, micros(in2104) + 7n),
      enhancedBlock(0, micros(LAST_CLOCK_SECOND + 1)),
      enhancedBlock(0, micros(2 ** 40)),
      enhancedBlock(1, micros(1_000_000_000)),
      enhancedBlock(1, micros(2_100_000_000)),
    ]);
    const { records, summary, error } = await read(readPcapng, bytes);
    expect(error).toBeUndefined();
    expect(records.map((r) => [r.packetNumber, r.seconds, r.nanoseconds])).toEqual([
      [1, in2104, 7000],
      [5, 100_000_000, 0],
    ]);
    expect(summary?.skipped["time-out-of-range"]).toBe(3);
  });

  it("Hubble: flows timed after 2106 or before 1970 are skipped and counted", async () => {
    const flow = (time: string) =>
      JSON.stringify({
        flow: {
          time,
          IP: { source: "10.0.0.1", destination: "10.0.0.2" },
          l4: { UDP: { source_port: 1000, destination_port: 53 } },
        },
      });
    const text = [
      "2106-02-07T06:28:15.5Z",
      "2106-02-07T06:28:16Z",
      "2200-01-01T00:00:00Z",
      "1969-12-31T23:59:59Z",
    ]
      .map(flow)
      .join("\n");
    const { records, summary } = await read(readHubble, new TextEncoder().encode(text));
    expect(records.map((r) => [r.packetNumber, r.seconds, r.nanoseconds])).toEqual([
      [1, LAST_CLOCK_SECOND, 500_000_000],
    ]);
    expect(summary?.skipped["time-out-of-range"]).toBe(3);
  });

  it("a synthetic spec starting where its workload could pass 2106 is refused", () => {
    const spec = (startTime: string) => ({
      seed: 1,
      startTime,
      clients: { cidr: "10.0.0.0/24", count: 10 },
      services: [{ address: "10.96.0.10", port: 53, proto: "UDP" }],
      newConnectionsPerSecond: 10,
      durationSeconds: 1,
    });
    expect(() => parseSyntheticSpec(spec("2106-01-01T00:00:00Z"))).toThrow(SyntheticSpecError);
    expect(() => parseSyntheticSpec(spec("2106-01-01T00:00:00Z"))).toThrow(
      /startTime: 2106-01-01T00:00:00Z is outside 1970-01-01T00:00:00Z\.\.2105-10-26T00:28:15\.0+Z \(the datapath clock is 32-bit/,
    );
    expect(() => parseSyntheticSpec(spec("1969-01-01T00:00:00Z"))).toThrow(
      /startTime: 1969-01-01T00:00:00Z is outside/,
    );
    expect(parseSyntheticSpec(spec("2100-01-01T00:00:00Z")).startSeconds).toBe(Date.UTC(2100, 0, 1) / 1000);
  });
});

describe("every length check names the byte offset and packet of the bad record", () => {
  const good = () => concat([sectionHeader(), interfaceBlock(), enhancedBlock(0, 5n)]);
  /** A block whose length field says `length`, padded with zeros to that length (at least 8 bytes). */
  const rawBlock = (type: number, length: number, trailer = length): Uint8Array => {
    const body = new Bytes().u32(type).u32(length);
    while (body.length < Math.max(length - 4, 8)) body.u8(0);
    if (length >= 12) body.u32(trailer);
    return body.done();
  };
  const cases: [string, Uint8Array, RegExp][] = [
    ["a length not a multiple of 4", rawBlock(6, 42), /invalid length 42 \(must be a multiple of 4/],
    ["a length below a block's minimum", rawBlock(6, 8), /invalid length 8/],
    ["a length beyond any packet", new Bytes().u32(6).u32(0x7ffffff0).done(), /invalid length 2147483632/],
    ["a trailer that disagrees", rawBlock(6, 40, 44), /block length 40 does not match its trailing copy 44/],
    [
      "an interface description too short",
      rawBlock(1, 16),
      /interface description block too short \(16 bytes\)/,
    ],
    [
      "an interface option running past its block",
      pcapngBlock(1, new Bytes().u16(1).u16(0).u32(0).u16(9).u16(200).u32(0).done()),
      /interface description option 9 runs past the end of its block/,
    ],
    ["an enhanced packet block too short", rawBlock(6, 28), /enhanced packet block too short \(28 bytes\)/],
    [
      "an enhanced packet claiming more bytes than it holds",
      pcapngBlock(6, new Bytes().u32(0).u32(0).u32(0).u32(500).u32(500).u32(0).done()),
      /enhanced packet block claims 500 captured bytes but holds 4/,
    ],
    ["a simple packet block too short", rawBlock(3, 12), /simple packet block too short \(12 bytes\)/],
    [
      "a simple packet larger than its block",
      pcapngBlock(3, new Bytes().u32(900).u32(0).done()),
      /simple packet block of 20 bytes cannot hold a 900-byte frame/,
    ],
    [
      "a packet on an undescribed interface",
      enhancedBlock(3, 5n),
      /refers to interface 3, but the section describes 1/,
    ],
    [
      "a cut block",
      enhancedBlock(0, 5n).subarray(0, 30),
      /file ends inside a block: 30 bytes present, \d+ more expected/,
    ],
  ];
  for (const [name, bad, problem] of cases) {
    it(`pcapng: ${name}`, async () => {
      const prefix = good();
      const { records, error } = await read(readPcapng, concat([prefix, bad]));
      expect(records).toHaveLength(1);
      expect(error?.problem).toMatch(problem);
      expect(error?.byteOffset).toBe(prefix.length);
      expect(error?.packetNumber).toBe(2);
    });
  }

  const pcapCases: [string, Uint8Array, RegExp][] = [
    [
      "a captured length beyond the limit",
      new Bytes().u32(0).u32(0).u32(300_000).u32(300_000).done(),
      /record claims 300000 captured bytes, more than the 262144-byte limit/,
    ],
    [
      "a cut record header",
      new Bytes().u32(0).u32(0).done(),
      /file ends inside a packet record: 8 bytes present/,
    ],
    [
      "a cut frame",
      new Bytes().u32(0).u32(0).u32(60).u32(60).u8(1, 2, 3).done(),
      /file ends inside a packet record: 19 bytes present, 57 more expected/,
    ],
  ];
  for (const [name, bad, problem] of pcapCases) {
    it(`pcap: ${name}`, async () => {
      const prefix = pcapOf([[1_704_067_200, 0]]);
      const { records, error } = await read(readPcap, concat([prefix, bad]));
      expect(records).toHaveLength(1);
      expect(error?.problem).toMatch(problem);
      expect(error?.byteOffset).toBe(prefix.length);
      expect(error?.packetNumber).toBe(2);
    });
  }

  it("pcap and pcapng: a file cut inside its header is packet 1 at byte offset 0", async () => {
    const pcap = await read(readPcap, pcapOf([]).subarray(0, 20));
    expect([pcap.error?.byteOffset, pcap.error?.packetNumber]).toEqual([0, 1]);
    expect(pcap.error?.problem).toMatch(
      /input ends after 20 bytes, before the end of the 24-byte pcap file header/,
    );
    const pcapng = await read(readPcapng, sectionHeader().subarray(0, 20));
    expect([pcapng.error?.byteOffset, pcapng.error?.packetNumber]).toEqual([0, 1]);
    expect(pcapng.error?.problem).toMatch(
      /input ends after 20 bytes, before the end of the first section header/,
    );
  });
});

describe("a Hubble line far past the line cap", () => {
  it("stops a 200 MiB line at the 64 MiB cap without reading the rest", async () => {
    const MiB = 1024 * 1024;
    const chunk = new Uint8Array(MiB).fill(0x61);
    let pulled = 0;
    function* line(): Generator<Uint8Array> {
      yield new TextEncoder().encode('{"flow":{"time":"');
      for (let i = 0; i < 200; i++) {
        pulled++;
        yield chunk;
      }
    }
    const outcome = await readHubble(line(), () => undefined).catch((err: unknown) => err);
    expect(outcome).toBeInstanceOf(CaptureFormatError);
    const e = outcome as CaptureFormatError;
    expect(e.problem).toMatch(/^line longer than 67108864 bytes/);
    expect([e.line, e.byteOffset, e.packetNumber]).toEqual([1, 0, 1]);
    // The reader stopped at the cap: at the chunk that crossed 64 MiB, not 200 MiB later.
    expect(pulled).toBe(64);
  });
});
