// `dpemu inspect [SNAPSHOT] [--node NAME] [--json] [--lenient]`: what a snapshot holds.
import type { Command } from "commander";
import type { UnpackLimits } from "../snapshot/archive/limits.js";
import { loadSnapshot } from "../snapshot/load.js";
import { defaultSnapshotPath } from "./default-snapshot.js";
import { cliCommand, withErrorHandling } from "./errors.js";
import { inspectJson, inspectText } from "./inspect-report.js";
import { unpackLimitsOption } from "./unpack-limits-option.js";

interface InspectOptions {
  readonly node?: string;
  readonly json?: boolean;
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
    .option("--node <name>", "the node whose view to show")
    .option("--json", "print JSON")
    .option("--lenient", "skip unparseable lines with a warning instead of failing")
    .addOption(unpackLimitsOption())
    .action(
      withErrorHandling("inspect", async (snapshotPath: string | undefined, options: InspectOptions) => {
        const snapshot = await loadSnapshot(snapshotPath ?? defaultSnapshotPath(), {
          ...(options.node !== undefined ? { node: options.node } : {}),
          lenient: options.lenient ?? false,
          ...(options.maxUnpacked !== undefined ? { limits: options.maxUnpacked } : {}),
        });
        process.stdout.write(
          options.json ? `${JSON.stringify(inspectJson(snapshot), null, 2)}\n` : inspectText(snapshot),
        );
      }),
    );
}
