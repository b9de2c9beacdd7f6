// `dpemu summary merge SHARD.json... [--summary-json FILE] [-o text|json]`: the summaries of the
// shards of a split replay (`dpemu replay --shard K/N --summary-json FILE`, one per shard) merged into
// the summary of the whole run — printed as `dpemu replay` prints it (or as JSON with -o json), and
// written as JSON to --summary-json, the options replay has. `--output FILE` (the old name of
// --summary-json) still works, with a warning. A file that is not a shard's summary, or shards that do
// not make up one run (missing, twice, of different runs or inputs), are one line, exit 2.
import { readFile, stat } from "node:fs/promises";
import type { Command } from "commander";
import { parseReplaySummary, SummaryFormatError } from "../replay/summary-json.js";
import { mergeReplaySummaries, type NamedSummary } from "../replay/summary-merge.js";
import { InputError } from "../snapshot/errors.js";
import { cliCommand, commandLine, withErrorHandling } from "./errors.js";
import { OutputDocument, checkDistinctOutputs, outputFormat } from "./output.js";
import { formatReplaySummary } from "./replay-output.js";

/** A summary is a few tables; anything this large is not one (and is not read into memory). */
const MAX_SUMMARY_BYTES = 64 * 1024 * 1024;

interface MergeOptions {
  readonly output?: string;
  readonly json?: boolean;
  readonly summaryJson?: string;
}

const FORMATS = ["text", "json"] as const;

/** What stdout gets and where the JSON goes, from the options and their old spellings. */
function mergeOutputs(options: MergeOptions): { format: "text" | "json"; file: string | undefined } {
  let file = options.summaryJson;
  let format: "text" | "json" = options.json ? "json" : "text";
  const output = options.output;
  // The old --output FILE took a file name (`summary.json`, `-`); anything else is a format.
  if (output !== undefined && (output === "-" || /[./\\]/.test(output))) {
    if (file !== undefined)
      throw new InputError(
        commandLine("summary merge"),
        "--output FILE is the old name of --summary-json: give one",
      );
    process.stderr.write(
      "dpemu summary merge: warning: --output FILE is deprecated; use --summary-json FILE\n",
    );
    file = output;
  } else if (output !== undefined) format = outputFormat("summary merge", "--output", output, FORMATS);
  checkDistinctOutputs("summary merge", [
    format === "json" ? { option: "-o json", path: "-" } : undefined,
    file !== undefined ? { option: "--summary-json", path: file } : undefined,
  ]);
  return { format, file };
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
  const { format, file } = mergeOutputs(options);
  const named: NamedSummary[] = [];
  for (const file of files) named.push(await readShardSummary(file));
  // Shards that do not make up one run: SummaryMergeError, `dpemu summary merge: ...`, exit 2.
  const merged = mergeReplaySummaries(named);
  // Created before anything is printed: an output that cannot be written fails at once.
  const document = file !== undefined ? await OutputDocument.create(file) : null;
  const json = `${JSON.stringify(merged, null, 2)}\n`;
  if (format === "json") process.stdout.write(json);
  // The table goes to stderr when stdout carries the JSON (`--summary-json -`).
  else if (file === "-") process.stderr.write(formatReplaySummary(merged));
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
    .option("--summary-json <file>", "also write the merged summary as JSON to a file (- for stdout)")
    .option("-o, --output <format>", "what stdout gets: text (the table, default) or json")
    .option("--json", "same as -o json")
    .action(withErrorHandling("summary merge", runMerge));
  return summary;
}
