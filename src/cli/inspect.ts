// `dpemu inspect [SNAPSHOT] [--node NAME] [-o text|json] [--lenient]`: what a snapshot holds.
import type { Command } from "commander";
import { loadCommandSnapshot } from "./snapshot-warnings.js";
import type { UnpackLimits } from "../snapshot/archive/limits.js";
import { defaultSnapshotPath } from "./default-snapshot.js";
import { cliCommand, withErrorHandling } from "./errors.js";
import { outputFormat } from "./output.js";
import { inspectJson, inspectText } from "./inspect-report.js";
import { unpackLimitsOption, snapshotReadOptions } from "./unpack-limits-option.js";

interface InspectOptions {
  readonly node?: string;
  readonly json?: boolean;
  readonly output?: string;
  readonly lenient?: boolean;
  readonly maxUnpacked?: Partial<UnpackLimits>;
}

export function inspectCommand(): Command {
  return cliCommand("inspect")
    .description("show what a snapshot holds: services, backends, config, nodes and warnings")
    .argument(
      "[snapshot]",
      "dump directory, dump file, sysdump .zip or bugtool .tar.gz (default: bundled lab-3node)",
    )
    .option("--node <name>", "the node whose view to show (agent pod or Kubernetes node name)")
    .option("-o, --output <format>", "text (default) or json")
    .option("--json", "same as -o json")
    .option("--lenient", "skip unparseable lines with a warning instead of failing")
    .addOption(unpackLimitsOption())
    .action(
      withErrorHandling("inspect", async (snapshotPath: string | undefined, options: InspectOptions) => {
        const format =
          options.output !== undefined
            ? outputFormat("inspect", "--output", options.output, ["text", "json"])
            : options.json
              ? "json"
              : "text";
        const snapshot = await loadCommandSnapshot(snapshotPath ?? defaultSnapshotPath(), {
          ...(options.node !== undefined ? { node: options.node } : {}),
          ...snapshotReadOptions(options),
        });
        process.stdout.write(
          format === "json" ? `${JSON.stringify(inspectJson(snapshot), null, 2)}\n` : inspectText(snapshot),
        );
      }),
    );
}
