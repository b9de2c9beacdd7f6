// The verdict stream across many chunks, against an output that writes slowly (it reads a chunk only
// after a turn of the event loop, as a file write on the thread pool does): every batch the replay
// hands over is taken many times, so the stream cuts, queues, writes and recycles chunks many times
// over while the replay goes on, and the result must still be the golden lines, each range repeated,
// in order and intact (a chunk refilled before its write ended would show as corrupt lines).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHUNK_BYTES } from "../../src/cli/replay-line-chunks.js";
import { VerdictStream, type VerdictLineFormat } from "../../src/cli/replay-verdict-stream.js";
import { datapathStateFromSnapshot } from "../../src/load/from-snapshot.js";
import { fileByteSource } from "../../src/readers/file-source.js";
import { firstPacketSeconds } from "../../src/replay/first-packet.js";
import { PacketStatus } from "../../src/replay/packet-batch.js";
import { replay } from "../../src/replay/replayer.js";
import type { VerdictSink } from "../../src/replay/verdict-sink.js";
import { loadSnapshot } from "../../src/snapshot/load.js";
import { SlowOutput } from "../helpers/slow-output.js";

const CAPTURE = "test/cli/golden/lab.pcap";
/** Times each batch range is written: the lab capture's stream becomes several chunks. */
const REPEAT = 64;

describe("the verdict stream's chunks", () => {
  it.each([
    ["json", "lab.verdicts.jsonl"],
    ["compact", "lab.verdicts.txt"],
  ] as const)("keep %s lines whole and in order across chunk writes", async (format, golden) => {
    const first = await firstPacketSeconds(fileByteSource(CAPTURE));
    const { state } = datapathStateFromSnapshot(await loadSnapshot("examples/lab-3node"), {
      dumpTime: first!,
    });
    const output = new SlowOutput();
    const stream = new VerdictStream(output, format as VerdictLineFormat, null);
    const linesPerTake: number[] = [];
    const sink: VerdictSink = {
      take(batch, from, to, directory) {
        let lines = 0;
        for (let i = from; i < to; i++) if (batch.status[i] === PacketStatus.Processed) lines++;
        linesPerTake.push(lines);
        for (let k = 0; k < REPEAT; k++) stream.take(batch, from, to, directory);
      },
      directoryChanged: () => stream.directoryChanged(),
    };
    await replay({
      state,
      source: fileByteSource(CAPTURE),
      workers: 1,
      verdictSink: sink,
      onProgress: () => stream.drain(),
    });
    await stream.end();

    const lines = readFileSync(`test/cli/golden/${golden}`, "utf8").split("\n").slice(0, -1);
    let expected = "";
    let at = 0;
    for (const n of linesPerTake) {
      expected += lines
        .slice(at, at + n)
        .map((line) => `${line}\n`)
        .join("")
        .repeat(REPEAT);
      at += n;
    }
    expect(at).toBe(lines.length);
    const written = Buffer.concat(output.parts);
    expect(output.parts.length).toBeGreaterThanOrEqual(3);
    expect(output.parts.every((part) => part.length <= CHUNK_BYTES)).toBe(true);
    expect(written.length).toBe(Buffer.byteLength(expected));
    expect(written.toString("utf8") === expected).toBe(true);
  });
});
