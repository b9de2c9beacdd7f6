// Large Hubble JSON inputs for the benchmarks, built from the real lines in test/fixtures/public (the
// v1.19.1 exporter's GetFlowsResponse lines and a 2021 bare-flow line of `hubble observe -o json`):
// line i is template i % 5 with its own time, source address and source port, so every line is as
// long and as nested as real output (labels, workloads, node labels).
//
//   node --import tsx bench/lib/hubble-lines.ts OUT [LINES=1000000]
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

type Json = Record<string, unknown>;

const FIXTURES = ["hubble-flows.v1.19.1-export.jsonl", "hubble-observe-json.2021.jsonl"];

/** The fixture lines as objects (each fixture's first line names its source and is not a flow). */
function templates(): Json[] {
  return FIXTURES.flatMap((name) =>
    readFileSync(new URL(`../../test/fixtures/public/${name}`, import.meta.url), "utf8")
      .split("\n")
      .slice(1)
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Json),
  );
}

/** Writes `lines` Hubble lines to `path`, 8 MiB at a time; returns the byte count. */
export function writeHubbleLines(path: string, lines: number): number {
  const shapes = templates();
  const encoder = new TextEncoder();
  const base = Date.UTC(2026, 1, 24, 8) / 1000;
  let batch: string[] = [];
  let batchLength = 0;
  let total = 0;
  writeFileSync(path, "");
  for (let i = 0; i < lines; i++) {
    const line = shapes[i % shapes.length]!;
    const flow = (line.flow ?? line) as Json & { IP: Json; l4: { TCP: Json } };
    const time = `${new Date((base + Math.floor(i / 10_000)) * 1000).toISOString().slice(0, 19)}.${String((i * 7919) % 1e9).padStart(9, "0")}Z`;
    flow.time = time;
    if (line.flow !== undefined) line.time = time;
    flow.IP.source = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    flow.l4.TCP.source_port = 32768 + (i % 28000);
    const text = JSON.stringify(line) + "\n";
    batch.push(text);
    batchLength += text.length;
    if (batchLength >= 8 << 20 || i === lines - 1) {
      const bytes = encoder.encode(batch.join(""));
      writeFileSync(path, bytes, { flag: "a" });
      total += bytes.length;
      batch = [];
      batchLength = 0;
    }
  }
  return total;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out, lines = "1000000"] = process.argv.slice(2);
  if (out === undefined) {
    console.error("usage: node --import tsx bench/lib/hubble-lines.ts OUT [LINES]");
    process.exit(2);
  }
  const bytes = writeHubbleLines(out, Number(lines));
  console.log(`${out}: ${lines} lines, ${bytes} bytes`);
}
