// `dpemu summary merge SHARD.json... [--output FILE] [--json]`: the summaries of the shards of a
// split replay (`dpemu replay --shard K/N --summary-json FILE`, one per shard) merged into the
// summary of the whole run — printed as `dpemu replay` prints it (or as JSON with --json), and
// written as JSON to --output. A file that is not a shard's summary, or shards that do not make up
// one run (missing, twice, of different runs or inputs), are one line, exit 2.
import { readFile, stat } from "node:fs/promises";
import type { Command } from "commander";
import { parseReplaySummary, SummaryFormatError } from "../replay/summary-json.js";
import { mergeReplaySummaries, type NamedSummary } from "../replay/summary-merge.js";
import { InputError } from "../snapshot/errors.js";
import { cliCommand, withErrorHandling } from "./errors.js";
import { OutputDocument, checkDistinctOutputs } from "./output.js";
import { formatReplaySummary } from "./replay-output.js";

/** A summary is a few tables; anything this large is not one (and is not read into memory). */
const MAX_SUMMARY_BYTES = 64 * 1024 * 1024;

interface MergeOptions {
  readonly output?: string;
  readonly json?: boolean;
}

/** One shard's summary file, read and checked; problems are InputErrors naming the file. */
async function readShardSummary(path: string): Promise<NamedSummary> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error("not a file");
    if (info.size > MAX_SUMMARY_BYTES)
      throw new InputError(
        { file: path, line: 0 },
        `larger than ${MAX_SUMMARY_BYTES} bytes: not a replay summary`,
      );
    text = await readFile(path, "utf8");
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError({ file: path, line: 0 }, "expected a summary file (dpemu replay --summary-json)");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError({ file: path, line: 0 }, `not valid JSON (${(error as Error).message})`);
  }
  try {
    return { name: path, summary: parseReplaySummary(json) };
  } catch (error) {
    if (error instanceof SummaryFormatError)
      throw new InputError({ file: path, line: 0 }, `not a replay summary: ${error.message}`);
    throw error;
  }
}

async function runMerge(files: string[], options: MergeOptions): Promise<void> {
  checkDistinctOutputs("summary merge", [
    options.json ? { option: "--json", path: "-" } : undefined,
    options.output !== undefined ? { option: "--output", path: options.output } : undefined,
  ]);
  const named: NamedSummary[] = [];
  for (const file of files) named.push(await readShardSummary(file));
  // Shards that do not make up one run: SummaryMergeError, `dpemu summary merge: ...`, exit 2.
  const merged = mergeReplaySummaries(named);
  // Created before anything is printed: an output that cannot be written fails at once.
  const document = options.output !== undefined ? await OutputDocument.create(options.output) : null;
  const json = `${JSON.stringify(merged, null, 2)}\n`;
  if (options.json) process.stdout.write(json);
  // The table goes to stderr when stdout carries the JSON (`--output -`).
  else if (options.output === "-") process.stderr.write(formatReplaySummary(merged));
  else process.stdout.write(formatReplaySummary(merged));
  await document?.commit(json);
}

/** `dpemu summary`: commands on replay summaries. */
export function summaryCommand(): Command {
  const summary = cliCommand("summary").description("replay summaries: merge the shards of a split replay");
  summary
    .command("merge")
    .description(
      "merge the --summary-json files of all shards of `dpemu replay --shard K/N` into the run's summary",
    )
    .argument("<files...>", "one summary per shard, shards 0 to N-1, each once")
    .option("--output <file>", "also write the merged summary as JSON to a file (- for stdout)")
    .option("--json", "print the merged summary as JSON instead of the table")
    .action(withErrorHandling("summary merge", runMerge));
  return summary;
}
