// `dpemu compare --input CAPTURE` (Node): streams a pcap, pcapng, Hubble JSON or synthetic spec file
// through the readers and gathers the compared services' flows from it.
import { stat } from "node:fs/promises";
import { CaptureFormatError } from "../readers/capture-error.js";
import { fileByteSource } from "../readers/file-source.js";
import { readCapture, UnknownCaptureFormatError } from "../replay/read-capture.js";
import type { ReadSummary } from "../readers/read-summary.js";
import { nonZeroSkips } from "../readers/skip-counts.js";
import { SyntheticSpecError } from "../synthetic/synthetic-spec.js";
import { InputError } from "../snapshot/errors.js";
import { CaptureFlowCollector, type CaptureFlowCounts } from "./capture-flows.js";
import type { CompareService, FlowSet } from "./model.js";

export interface CaptureFlows {
  readonly flows: Map<string, FlowSet>;
  readonly summary: ReadSummary;
  readonly counts: CaptureFlowCounts;
}

/** Reads `path` once; bad or unknown input becomes an InputError naming the file and position. */
export async function flowsFromCapture(
  path: string,
  services: readonly CompareService[],
): Promise<CaptureFlows> {
  try {
    if (!(await stat(path)).isFile()) throw new Error("not a file");
  } catch {
    throw new InputError(
      { file: path, line: 0 },
      "expected a capture file (pcap, pcapng, Hubble JSON or synthetic spec)",
    );
  }
  const collector = new CaptureFlowCollector(services);
  try {
    const summary = await readCapture(fileByteSource(path), (packet) => collector.add(packet), {
      sourceName: path,
    });
    return { flows: collector.flows(), summary, counts: collector.counts() };
  } catch (error) {
    if (error instanceof CaptureFormatError) {
      throw new InputError(
        { file: path, line: error.line ?? 0 },
        error.problem + ` (packet ${error.packetNumber}, byte offset ${error.byteOffset})`,
      );
    }
    if (error instanceof UnknownCaptureFormatError) {
      throw new InputError({ file: path, line: 0 }, `unrecognised input: ${error.description}`);
    }
    if (error instanceof SyntheticSpecError) throw new InputError({ file: path, line: 0 }, error.message);
    throw error;
  }
}

/** One line for the report's notes: what the capture held and what of it reached the services. */
export function describeCapture(path: string, capture: CaptureFlows): string {
  const { summary, counts } = capture;
  const skipped = Object.entries(nonZeroSkips(summary.skipped))
    .map(([kind, n]) => `${n} ${kind}`)
    .join(", ");
  return (
    `${path} (${summary.format}): ${summary.packets} packets read, ${counts.matched} to compared services, ` +
    `${counts.replies} replies and ${counts.other} to other destinations not counted` +
    (skipped ? `; skipped ${skipped}` : "")
  );
}
