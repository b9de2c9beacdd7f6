// The verdict stream formatted on its own thread (VerdictThread) against the one formatted in the
// replay's thread (VerdictStream): the same bytes, JSON and compact, with one worker and two, on a
// synthetic workload whose backends churn (a backend removed, added back, a new one added: the
// formatter must learn each change at its place in the stream) and on Hubble flows (observed
// fields). And a formatter that fails ends the stream with its error instead of hanging.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VerdictStream, type VerdictOutput } from "../../src/cli/replay-verdict-stream.js";
import { VerdictThread } from "../../src/cli/replay-verdict-thread.js";
import type { VerdictLineFormat } from "../../src/cli/replay-verdict-lines.js";
import { chunkBytes } from "../../src/readers/byte-source.js";
import { PacketBatch } from "../../src/replay/packet-batch.js";
import { replay } from "../../src/replay/replayer.js";
import type { SyntheticSpecJson } from "../../src/synthetic/synthetic-spec.js";
import { SOURCE_WORKER, WEBPOD_BACKENDS, labState } from "../replay/helpers.js";
import { SlowOutput } from "../helpers/slow-output.js";

const FORMATTER = new URL("../helpers/verdict-format-worker-source.mjs", import.meta.url);

/** webpod's backends churning: one removed and added back, a new one (a new backend ID) added. */
const churnSpec: SyntheticSpecJson = {
  seed: 5,
  connections: 6000,
  clients: { count: 40, cidr: "172.20.0.128/26" },
  services: [
    { address: "10.96.163.90", port: 80, proto: "TCP" },
    { address: "10.96.0.10", port: 53, proto: "UDP" },
  ],
  connectionLength: { distribution: "uniform", min: 1, max: 6 },
  newConnectionsPerSecond: 600,
  churn: [
    { atSeconds: 2, service: "10.96.163.90:80/TCP", action: "remove", backend: WEBPOD_BACKENDS[1]! },
    { atSeconds: 4, service: "10.96.163.90:80/TCP", action: "add", backend: "172.20.1.200:80" },
    { atSeconds: 6, service: "10.96.163.90:80/TCP", action: "add", backend: WEBPOD_BACKENDS[1]! },
    { atSeconds: 8, service: "10.96.163.90:80/TCP", action: "remove", backend: WEBPOD_BACKENDS[0]! },
  ],
};

const INPUTS = {
  churn: () => chunkBytes(new TextEncoder().encode(JSON.stringify(churnSpec)), 1 << 16),
  hubble: () => chunkBytes(readFileSync("test/cli/golden/hubble.jsonl"), 1 << 16),
};

async function replayInto(stream: VerdictOutput, input: keyof typeof INPUTS, workers: number): Promise<void> {
  const result = await replay({
    state: await labState(64),
    source: INPUTS[input](),
    seed: 9,
    workers,
    workerScript: SOURCE_WORKER,
    verdictSink: stream,
    onProgress: () => stream.drain(),
  });
  expect(result.inputError).toBeNull();
  await stream.end();
}

describe("the verdict stream formatted on its own thread", () => {
  it.each(
    (["churn", "hubble"] as const).flatMap((input) =>
      (["json", "compact"] as const).flatMap((format) =>
        [1, 2].map((workers) => [input, format, workers] as const),
      ),
    ),
  )("writes the in-thread stream's bytes (%s, %s, %i workers)", async (input, format, workers) => {
    const inThread = new SlowOutput();
    await replayInto(new VerdictStream(inThread, format as VerdictLineFormat, null), input, workers);
    const threaded = new SlowOutput();
    await replayInto(VerdictThread.launch(format, FORMATTER)!.writeTo(threaded), input, workers);

    const expected = inThread.text;
    expect(expected.split("\n").length).toBeGreaterThan(input === "churn" ? 20_000 : 50);
    if (input === "churn" && format === "json") {
      // The stream names the backend the churn added (a new ID) and, after its removal, not the removed one.
      expect(expected).toContain('"address":"172.20.1.200:80/TCP"');
    }
    if (input === "hubble") expect(expected).toContain(format === "json" ? '"observed":' : "[hubble: ");
    expect(threaded.text.length).toBe(expected.length);
    expect(threaded.text === expected).toBe(true);
  });

  it("ends with the formatter's error when the formatter cannot run", async () => {
    const broken = new URL("data:text/javascript,throw new Error('no formatter here')");
    const stream = VerdictThread.launch("json", broken)!.writeTo(new SlowOutput());
    const batch = new PacketBatch(4);
    const directory = { revNatFrontends: () => [], backendIds: () => [], backend: () => undefined };
    stream.take(batch, 0, 0, directory as never);
    await expect(stream.end()).rejects.toThrow(/verdict formatter: no formatter here/);
    await stream.close();
  });
});
