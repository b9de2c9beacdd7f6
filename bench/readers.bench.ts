// Decode throughput of the flow readers on generated inputs in the system temp directory: a ~1M-packet
// pcap and the same packets as pcapng, 1M Hubble JSON lines shaped like real exporter output (read by
// the byte scanner and, for comparison, by the JSON.parse path), and the synthetic generator. Peers
// measured in the same run: raw file-read throughput (the ceiling) and the npm package pcap-parser
// (pure JS; it only frames records, so it is given the same IPv4 tuple decode in plain Buffer reads).
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import { fileByteSource } from "../src/readers/file-source.js";
import { readHubble } from "../src/readers/hubble-reader.js";
import { readPcap } from "../src/readers/pcap-reader.js";
import { readPcapng } from "../src/readers/pcapng-reader.js";
import { readSynthetic } from "../src/synthetic/synthetic.js";
import { parseSyntheticSpec } from "../src/synthetic/synthetic-spec.js";
import { writeHubbleLines } from "./lib/hubble-lines.js";
import { ratio, report, rowsFrom } from "./lib/report.js";

const PACKETS = 1_000_000;
const HUBBLE_LINES = 1_000_000;
const SYNTHETIC_PACKETS = 1_000_000;
const dir = mkdtempSync(join(tmpdir(), "dpemu-readers-bench-"));

/** Ethernet + IPv4 + TCP or UDP frames with varying addresses, ports and payload sizes. */
function frame(i: number): Uint8Array {
  const tcp = i % 4 !== 3;
  const payload = (i * 37) % 64;
  const l4 = tcp ? 20 : 8;
  const bytes = new Uint8Array(14 + 20 + l4 + payload);
  const view = new DataView(bytes.buffer);
  view.setUint16(12, 0x0800);
  view.setUint8(14, 0x45);
  view.setUint16(16, 20 + l4 + payload);
  view.setUint8(22, 64);
  view.setUint8(23, tcp ? 6 : 17);
  view.setUint32(26, (10 << 24) | (1 << 16) | (i % 65000));
  view.setUint32(30, (10 << 24) | (96 << 16) | (i % 50));
  view.setUint16(34, 32768 + (i % 28000));
  view.setUint16(36, tcp ? 80 : 53);
  if (tcp) {
    view.setUint8(46, 0x50);
    view.setUint8(47, i % 10 === 0 ? 0x02 : 0x18);
  } else {
    view.setUint16(38, 8 + payload);
  }
  return bytes;
}

/** Writes a file from parts produced on the fly, in 8 MiB batches. */
function writeParts(path: string, parts: (emit: (part: Uint8Array) => void) => void): number {
  const batch = new Uint8Array(8 << 20);
  let used = 0;
  let total = 0;
  writeFileSync(path, new Uint8Array(0));
  const flush = (): void => {
    writeFileSync(path, batch.subarray(0, used), { flag: "a" });
    used = 0;
  };
  parts((part) => {
    if (used + part.length > batch.length) flush();
    batch.set(part, used);
    used += part.length;
    total += part.length;
  });
  flush();
  return total;
}

function le32(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value, true);
}

const pcapPath = join(dir, "bench.pcap");
const pcapngPath = join(dir, "bench.pcapng");
const hubblePath = join(dir, "bench.jsonl");
const baseSeconds = 1714564800;

writeParts(pcapPath, (emit) => {
  const header = new Uint8Array(24);
  const hv = new DataView(header.buffer);
  le32(hv, 0, 0xa1b2c3d4);
  hv.setUint16(4, 2, true);
  hv.setUint16(6, 4, true);
  le32(hv, 16, 262144);
  le32(hv, 20, 1);
  emit(header);
  const record = new Uint8Array(16);
  const rv = new DataView(record.buffer);
  for (let i = 0; i < PACKETS; i++) {
    const f = frame(i);
    le32(rv, 0, baseSeconds + Math.floor(i / 100_000));
    le32(rv, 4, (i * 7) % 1_000_000);
    le32(rv, 8, f.length);
    le32(rv, 12, f.length);
    emit(record);
    emit(f);
  }
});

writeParts(pcapngPath, (emit) => {
  const shb = new Uint8Array(28);
  const sv = new DataView(shb.buffer);
  le32(sv, 0, 0x0a0d0d0a);
  le32(sv, 4, 28);
  le32(sv, 8, 0x1a2b3c4d);
  sv.setUint16(12, 1, true);
  sv.setBigInt64(16, -1n, true);
  le32(sv, 24, 28);
  emit(shb);
  const idb = new Uint8Array(32);
  const iv = new DataView(idb.buffer);
  le32(iv, 0, 1);
  le32(iv, 4, 32);
  iv.setUint16(8, 1, true);
  // if_tsresol = 9 (nanoseconds), end of options.
  iv.setUint16(16, 9, true);
  iv.setUint16(18, 1, true);
  iv.setUint8(20, 9);
  le32(iv, 28, 32);
  emit(idb);
  for (let i = 0; i < PACKETS; i++) {
    const f = frame(i);
    const padded = (f.length + 3) & ~3;
    const block = new Uint8Array(32 + padded);
    const bv = new DataView(block.buffer);
    le32(bv, 0, 6);
    le32(bv, 4, block.length);
    const ticks = BigInt(baseSeconds) * 1_000_000_000n + BigInt(i) * 1000n;
    le32(bv, 12, Number(ticks >> 32n));
    le32(bv, 16, Number(ticks & 0xffffffffn));
    le32(bv, 20, f.length);
    le32(bv, 24, f.length);
    block.set(f, 28);
    le32(bv, block.length - 4, block.length);
    emit(block);
  }
});

writeHubbleLines(hubblePath, HUBBLE_LINES);

const sizes = {
  pcap: statSync(pcapPath).size,
  pcapng: statSync(pcapngPath).size,
  hubble: statSync(hubblePath).size,
};
const syntheticSpec = parseSyntheticSpec({
  seed: 1,
  connections: SYNTHETIC_PACKETS / 20,
  clients: { count: 10000, cidr: "10.1.0.0/16" },
  services: [
    { address: "10.96.163.90", port: 80, proto: "TCP" },
    { address: "10.96.0.10", port: 53, proto: "UDP" },
  ],
  connectionLength: { distribution: "fixed", packets: 10 },
  newConnectionsPerSecond: 20000,
});

let sink = 0;
/** Every reader is asked for the same thing: each packet's tuple, folded so nothing is optimised away. */
const consume = (p: { saddr: number; dport: number }): void => {
  sink = (sink + p.saddr + p.dport) | 0;
};

async function fsCeiling(path: string): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }))
    sink = (sink + (chunk as Buffer).length) | 0;
}

interface PeerParser {
  on(event: "packet", handler: (packet: { header: { capturedLength: number }; data: Buffer }) => void): void;
  on(event: "end" | "error", handler: (value?: unknown) => void): void;
}
const pcapParser = createRequire(import.meta.url)("pcap-parser") as { parse(stream: unknown): PeerParser };

function peerPcapParser(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const parser = pcapParser.parse(createReadStream(path, { highWaterMark: 1 << 20 }));
    parser.on("packet", ({ data }) => {
      // The same IPv4 tuple decode the readers do, written the ordinary Buffer way.
      if (data.readUInt16BE(12) !== 0x0800) return;
      const ihl = (data[14]! & 0x0f) * 4;
      const saddr = data.readUInt32BE(26);
      const l4 = 14 + ihl;
      const dport = data.readUInt16BE(l4 + 2);
      consume({ saddr, dport });
    });
    parser.on("end", () => resolve());
    parser.on("error", (err) => reject(err as Error));
  });
}

const HUBBLE_SCANNER = "dpemu readHubble (byte scanner)";
const HUBBLE_PARSE = "dpemu readHubble (JSON.parse path)";
const bench = new Bench({ time: 0, iterations: 4, warmupIterations: 1 });
bench
  .add("fs read pcap (ceiling)", () => fsCeiling(pcapPath))
  .add("dpemu readPcap", async () => void (await readPcap(fileByteSource(pcapPath), consume)))
  .add("pcap-parser + Buffer tuple decode", () => peerPcapParser(pcapPath))
  .add("dpemu readPcapng", async () => void (await readPcapng(fileByteSource(pcapngPath), consume)))
  .add(HUBBLE_SCANNER, async () => void (await readHubble(fileByteSource(hubblePath), consume)))
  .add(
    HUBBLE_PARSE,
    async () => void (await readHubble(fileByteSource(hubblePath), consume, { scan: false })),
  )
  .add("dpemu synthetic generator", async () => void (await readSynthetic(syntheticSpec, consume)));

try {
  await bench.run();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const packetsPerTask: Record<string, number> = {
  "fs read pcap (ceiling)": PACKETS,
  "dpemu readPcap": PACKETS,
  "pcap-parser + Buffer tuple decode": PACKETS,
  "dpemu readPcapng": PACKETS,
  [HUBBLE_SCANNER]: HUBBLE_LINES,
  [HUBBLE_PARSE]: HUBBLE_LINES,
  "dpemu synthetic generator": SYNTHETIC_PACKETS,
};
const bytesPerTask: Record<string, number> = {
  "fs read pcap (ceiling)": sizes.pcap,
  "dpemu readPcap": sizes.pcap,
  "pcap-parser + Buffer tuple decode": sizes.pcap,
  "dpemu readPcapng": sizes.pcapng,
  [HUBBLE_SCANNER]: sizes.hubble,
  [HUBBLE_PARSE]: sizes.hubble,
};
const rows = rowsFrom(bench, packetsPerTask, "packet");
const megabytesPerSecond = Object.fromEntries(
  rows
    .filter((r) => bytesPerTask[r.name] !== undefined)
    .map((r) => [
      r.name,
      +(((r.opsPerSecond / packetsPerTask[r.name]!) * bytesPerTask[r.name]!) / 1e6).toFixed(1),
    ]),
);
console.table(Object.entries(megabytesPerSecond).map(([task, mbs]) => ({ task, "MB/s": mbs })));
report(
  "readers",
  rows,
  [
    {
      name: "readPcap / pcap-parser (packets/s)",
      value: ratio(rows, "dpemu readPcap", "pcap-parser + Buffer tuple decode"),
    },
    {
      name: "readPcap / fs read ceiling (bytes/s)",
      value: ratio(rows, "dpemu readPcap", "fs read pcap (ceiling)"),
    },
    { name: "readPcapng / readPcap (packets/s)", value: ratio(rows, "dpemu readPcapng", "dpemu readPcap") },
    {
      name: "readHubble byte scanner / JSON.parse path (flows/s)",
      value: ratio(rows, HUBBLE_SCANNER, HUBBLE_PARSE),
    },
  ],
  {
    files: {
      pcap: { packets: PACKETS, bytes: sizes.pcap },
      pcapng: { packets: PACKETS, bytes: sizes.pcapng },
      hubble: { lines: HUBBLE_LINES, bytes: sizes.hubble },
    },
    megabytesPerSecond,
    syntheticPackets: SYNTHETIC_PACKETS,
    hubbleShape: "the fixture lines of test/fixtures/public (v1.19.1 exporter, 2021 bare flow), varied",
    loadAverage: loadavg(),
    chunkSize: "1 MiB file reads",
    peer: "pcap-parser 0.2.1 (npm, pure JS; frames records only, tuple decode added in the task)",
    sink,
  },
);
