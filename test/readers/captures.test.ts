// The pcap and pcapng readers against tshark, on captures written by real tools (text2pcap, editcap,
// mergecap, tcpdump) and on crafted pcapng features: every frame tshark lists must come out as the same
// packet record (tuple, flags, lengths, interface, nanosecond timestamp) or as a skip of the right kind.
import { describe, expect, it } from "vitest";
import { copyPacketRecord, type PacketRecord } from "../../src/model/packet.js";
import { chunkBytes } from "../../src/readers/byte-source.js";
import { CaptureFormatError } from "../../src/readers/capture-error.js";
import { readPcap } from "../../src/readers/pcap-reader.js";
import { readPcapng } from "../../src/readers/pcapng-reader.js";
import type { ReadSummary } from "../../src/readers/read-summary.js";
import { SKIP_KINDS, type SkipKind } from "../../src/readers/skip-counts.js";
import {
  captureFiles,
  expectedOutcomes,
  readCaptureBytes,
  recordView,
  tsharkFrames,
  type RecordView,
} from "../helpers/tshark-expectations.js";

async function readAll(
  name: string,
  bytes: Uint8Array,
  chunkSize = 4096,
): Promise<{ records: PacketRecord[]; summary: ReadSummary }> {
  const records: PacketRecord[] = [];
  const read = name.endsWith(".pcapng") ? readPcapng : readPcap;
  const summary = await read(chunkBytes(bytes, chunkSize), (p) => records.push(copyPacketRecord(p)), {
    sourceName: name,
  });
  return { records, summary };
}

const { complete, cut } = captureFiles();

describe("captures written by real tools, compared with tshark", () => {
  it("covers every format and link type the readers claim", () => {
    const covered = new Set(complete);
    for (const name of [
      "ethernet-usec.pcap",
      "ethernet-nsec.pcap",
      "ethernet-usec-be.pcap",
      "ethernet-nsec-be.pcap",
      "ethernet-modified.pcap",
      "ethernet.pcapng",
      "ethernet-be.pcapng",
      "raw-ipv4-228.pcap",
      "raw-101.pcap",
      "sll.pcap",
      "sll2.pcap",
      "lo-ethernet-usec.pcap",
      "lo-ethernet-nsec.pcap",
      "lo-sll.pcap",
      "lo-sll2.pcap",
      "multi-interface.pcapng",
      "multi-section.pcapng",
      "crafted-blocks.pcapng",
      "ethernet-snap30.pcap",
      "ethernet-snap46.pcap",
      "ethernet-snap50.pcapng",
      "sll2-snap36.pcap",
    ]) {
      expect(covered, name).toContain(name);
    }
  });

  for (const name of complete) {
    it(`${name}: every frame decodes or skips as tshark's view says`, async () => {
      const frames = tsharkFrames(name);
      const expected = expectedOutcomes(frames, name.endsWith(".pcapng"));
      const { records, summary } = await readAll(name, readCaptureBytes(name));

      const expectedRecords = expected.flatMap((e) => ("record" in e ? [e.record] : []));
      expect(records.map(recordView)).toEqual<RecordView[]>(expectedRecords);

      const expectedSkips = Object.fromEntries(SKIP_KINDS.map((k) => [k, 0])) as Record<SkipKind, number>;
      for (const e of expected) if ("skip" in e) expectedSkips[e.skip]++;
      expect(summary.skipped).toEqual(expectedSkips);
      expect(summary.seen).toBe(frames.length);
      expect(summary.packets).toBe(expectedRecords.length);
      expect(summary.bytesRead).toBe(readCaptureBytes(name).length);
    });
  }

  it("keeps the byte offset of each packet's record, so a record can be found in the file", async () => {
    const bytes = readCaptureBytes("ethernet-nsec.pcap");
    const { records } = await readAll("ethernet-nsec.pcap", bytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    for (const r of records) {
      // A pcap record header starts with the timestamp seconds, then the nanoseconds.
      expect(view.getUint32(r.byteOffset, true)).toBe(r.seconds);
      expect(view.getUint32(r.byteOffset + 4, true)).toBe(r.nanoseconds);
    }
  });
});

describe("captures tshark also finds cut short", () => {
  for (const name of cut) {
    it(`${name}: the packets before the cut, then a CaptureFormatError with offset and packet number`, async () => {
      const frames = tsharkFrames(name);
      const expected = expectedOutcomes(frames, name.endsWith(".pcapng"));
      const records: PacketRecord[] = [];
      const bytes = readCaptureBytes(name);
      const read = name.endsWith(".pcapng") ? readPcapng : readPcap;
      const error = await read(chunkBytes(bytes, 4096), (p) => records.push(copyPacketRecord(p))).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(CaptureFormatError);
      const e = error as CaptureFormatError;
      expect(records.map(recordView)).toEqual(expected.flatMap((x) => ("record" in x ? [x.record] : [])));
      // The failing packet is the one after the last tshark could show...
      expect(e.packetNumber).toBe(frames.length + 1);
      // ...and its record starts right after everything read successfully.
      expect(e.byteOffset).toBe(e.summary!.bytesRead);
      expect(e.byteOffset).toBeLessThan(bytes.length);
      expect(e.summary!.seen).toBe(frames.length);
      expect(e.message).toContain(`packet ${frames.length + 1} at byte offset ${e.byteOffset}`);
    });
  }
});
