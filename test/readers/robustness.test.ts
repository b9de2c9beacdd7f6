// Streaming and robustness: the same packets whatever the chunking, and on any input either packet
// records or the typed CaptureFormatError (never another exception), with its position.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { copyPacketRecord, type PacketRecord } from "../../src/model/packet.js";
import { chunkBytes } from "../../src/readers/byte-source.js";
import { CaptureFormatError } from "../../src/readers/capture-error.js";
import { readCapture, UnknownCaptureFormatError } from "../../src/replay/read-capture.js";
import { readHubble } from "../../src/readers/hubble-reader.js";
import { readPcap } from "../../src/readers/pcap-reader.js";
import { readPcapng } from "../../src/readers/pcapng-reader.js";
import type { ReadSummary } from "../../src/readers/read-summary.js";
import { captureFiles, readCaptureBytes } from "../helpers/tshark-expectations.js";
import { runs } from "../helpers/property.js";

type Reader = typeof readPcap;

async function collect(
  read: Reader,
  chunks: Iterable<Uint8Array>,
): Promise<{ records: PacketRecord[]; summary?: ReadSummary; error?: CaptureFormatError }> {
  const records: PacketRecord[] = [];
  try {
    const summary = await read(chunks, (p) => records.push(copyPacketRecord(p)));
    return { records, summary };
  } catch (err) {
    if (err instanceof CaptureFormatError) return { records, error: err };
    throw err;
  }
}

const { complete, cut } = captureFiles();
const readerFor = (name: string): Reader => (name.endsWith(".pcapng") ? readPcapng : readPcap);

describe("chunk-boundary independence", () => {
  for (const name of [...complete, ...cut]) {
    it(`${name}: chunks of 1, 7 and 4096 bytes give the same packets, summary and error`, async () => {
      const bytes = readCaptureBytes(name);
      const reference = await collect(readerFor(name), [bytes]);
      for (const size of [1, 7, 4096]) {
        const chunked = await collect(readerFor(name), chunkBytes(bytes, size));
        expect(chunked.records).toEqual(reference.records);
        expect(chunked.summary).toEqual(reference.summary);
        expect(chunked.error?.message).toEqual(reference.error?.message);
      }
    });
  }

  it("random chunkings of a multi-section pcapng give the same packets", async () => {
    const bytes = readCaptureBytes("multi-section.pcapng");
    const reference = await collect(readPcapng, [bytes]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 40 }),
        async (sizes) => {
          const chunks: Uint8Array[] = [];
          for (let offset = 0, i = 0; offset < bytes.length; i++) {
            const size = sizes[i % sizes.length]!;
            chunks.push(bytes.subarray(offset, offset + size));
            offset += size;
          }
          const chunked = await collect(readPcapng, chunks);
          expect(chunked.records).toEqual(reference.records);
        },
      ),
      { numRuns: runs(40) },
    );
  });
});

/** Asserts the outcome is records or a CaptureFormatError positioned inside the input. */
function checkOutcome(outcome: Awaited<ReturnType<typeof collect>>, length: number): void {
  if (outcome.error) {
    expect(outcome.error.byteOffset).toBeGreaterThanOrEqual(0);
    expect(outcome.error.byteOffset).toBeLessThanOrEqual(length);
    expect(outcome.error.packetNumber).toBeGreaterThanOrEqual(1);
    expect(outcome.error.summary).toBeDefined();
    expect(outcome.error.summary!.packets).toBe(outcome.records.length);
  } else {
    expect(outcome.summary!.packets).toBe(outcome.records.length);
  }
  for (const r of outcome.records) {
    expect(r.saddr).toBeGreaterThanOrEqual(0);
    expect(r.saddr).toBeLessThanOrEqual(0xffffffff);
    expect(r.nanoseconds).toBeGreaterThanOrEqual(0);
    expect(r.nanoseconds).toBeLessThan(1e9);
    expect(r.sport).toBeLessThanOrEqual(0xffff);
  }
}

describe("corrupt and truncated input", () => {
  const samples = [
    "ethernet-nsec.pcap",
    "ethernet-usec-be.pcap",
    "multi-section.pcapng",
    "crafted-blocks.pcapng",
  ];

  it("a capture cut anywhere yields the packets before the cut, then an error at the cut packet", async () => {
    for (const name of samples) {
      const bytes = readCaptureBytes(name);
      const full = await collect(readerFor(name), [bytes]);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: bytes.length - 1 }), async (cutAt) => {
          const outcome = await collect(readerFor(name), chunkBytes(bytes.subarray(0, cutAt), 97));
          checkOutcome(outcome, cutAt);
          // Whatever came out is a prefix of the full read.
          expect(outcome.records).toEqual(full.records.slice(0, outcome.records.length));
          // A cut inside a record is always reported (a cut exactly between records is a shorter, valid file).
          if (outcome.error) expect(outcome.error.byteOffset).toBe(outcome.error.summary!.bytesRead);
        }),
        { numRuns: runs(60) },
      );
    }
  });

  it("random byte corruption never throws anything but CaptureFormatError", async () => {
    for (const name of samples) {
      const bytes = readCaptureBytes(name);
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.tuple(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 })),
            {
              minLength: 1,
              maxLength: 8,
            },
          ),
          async (changes) => {
            const corrupt = bytes.slice();
            for (const [at, value] of changes) corrupt[at] = value;
            checkOutcome(await collect(readerFor(name), chunkBytes(corrupt, 61)), corrupt.length);
          },
        ),
        { numRuns: runs(80) },
      );
    }
  });

  it("random bytes behind a valid magic number never throw anything but CaptureFormatError", async () => {
    const magics: Array<[Reader, number[]]> = [
      [readPcap, [0xd4, 0xc3, 0xb2, 0xa1]],
      [readPcap, [0xa1, 0xb2, 0x3c, 0x4d]],
      [readPcapng, [0x0a, 0x0d, 0x0d, 0x0a]],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...magics),
        fc.uint8Array({ minLength: 0, maxLength: 600 }),
        async ([read, magic], tail) => {
          const input = new Uint8Array([...magic, ...tail]);
          checkOutcome(await collect(read, chunkBytes(input, 13)), input.length);
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it("a corrupt record length is reported at that record", async () => {
    const bytes = readCaptureBytes("ethernet-nsec.pcap").slice();
    const full = await collect(readPcap, [bytes]);
    // Packet 3's record header: its captured-length field becomes 0x7fffffff.
    const third = full.records.find((r) => r.packetNumber === 3)!;
    new DataView(bytes.buffer).setUint32(third.byteOffset + 8, 0x7fffffff, true);
    const outcome = await collect(readPcap, chunkBytes(bytes, 4096));
    expect(outcome.error?.packetNumber).toBe(3);
    expect(outcome.error?.byteOffset).toBe(third.byteOffset);
    expect(outcome.error?.problem).toMatch(/claims 2147483647 captured bytes/);
    expect(outcome.records.map((r) => r.packetNumber)).toEqual([1, 2]);
  });

  it("a pcapng block whose trailing length disagrees is reported as corrupt", async () => {
    const bytes = readCaptureBytes("ethernet.pcapng").slice();
    const full = await collect(readPcapng, [bytes]);
    const second = full.records[1]!;
    const view = new DataView(bytes.buffer);
    const length = view.getUint32(second.byteOffset + 4, true);
    view.setUint32(second.byteOffset + length - 4, length + 4, true);
    const outcome = await collect(readPcapng, [bytes]);
    expect(outcome.error?.byteOffset).toBe(second.byteOffset);
    expect(outcome.error?.packetNumber).toBe(second.packetNumber);
    expect(outcome.error?.problem).toMatch(/does not match its trailing copy/);
  });

  it("random text lines never make the Hubble reader throw anything but CaptureFormatError", async () => {
    const piece = fc.oneof(
      fc.string(),
      fc.constantFrom(
        '{"flow":',
        '{"flow":{"IP":{"source":"1.2.3.4","destination":"5.6.7.8"},"l4":{"TCP":{}}',
        "}",
        "\n",
        '"time":"x"',
      ),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.jsonValue().map((v) => JSON.stringify({ flow: v, time: "2024-01-01T00:00:00Z" })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 12 }), async (pieces) => {
        const bytes = new TextEncoder().encode(pieces.join("\n"));
        checkOutcome(await collect(readHubble, chunkBytes(bytes, 5)), bytes.length);
      }),
      { numRuns: runs(300) },
    );
  });

  it("readCapture on arbitrary bytes: packets, CaptureFormatError or UnknownCaptureFormatError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        try {
          await readCapture([bytes], () => undefined);
        } catch (err) {
          expect(err instanceof CaptureFormatError || err instanceof UnknownCaptureFormatError).toBe(true);
        }
      }),
      { numRuns: runs(300) },
    );
  });
});
