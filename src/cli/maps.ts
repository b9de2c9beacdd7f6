// `dpemu maps dump NAME [SNAPSHOT] [--node NAME] [--engine wasm|reference]`: loads the snapshot
// into an emulated node, reads the map back from it and prints it in cilium-dbg's own format (see
// src/readback/maps-dump.ts). What the dumps hold that the emulator does not (IPv6, other
// clusters, another node's CT/NAT state) is counted on stderr, one `note:` line each.
import type { Command } from "commander";
import { EmulatedMaps } from "../readback/maps-dump.js";
import { InputError } from "../snapshot/errors.js";
import { loadCommandSnapshot } from "./snapshot-warnings.js";
import type { UnpackLimits } from "../snapshot/archive/limits.js";
import { unpackLimitsOption, snapshotReadOptions } from "./unpack-limits-option.js";
import { MAP_DUMPS } from "../snapshot/map-dumps.js";
import { defaultSnapshotPath } from "./default-snapshot.js";
import { cliCommand, commandLine, withErrorHandling } from "./errors.js";

const ENGINES = ["wasm", "reference"] as const;

interface MapsOptions {
  readonly node?: string;
  readonly lenient?: boolean;
  readonly maxUnpacked?: Partial<UnpackLimits>;
  readonly engine: string;
}

export function mapsCommand(): Command {
  const maps = cliCommand("maps").description("emulated BPF maps");
  maps
    .command("dump")
    .description(
      `load the snapshot into the emulated node and print one of its maps in cilium-dbg's format (${Object.keys(MAP_DUMPS).join(", ")})`,
    )
    .argument("<name>", "map name, e.g. cilium_lb4_services_v2")
    .argument("[snapshot]", "snapshot (default: bundled lab-3node)")
    .option("--node <name>", "the node whose maps to print (agent pod or Kubernetes node name)")
    .option("--lenient", "skip unparseable lines with a warning instead of failing")
    .addOption(unpackLimitsOption())
    .option(
      "--engine <engine>",
      "read the maps of the wasm datapath or of its TypeScript reference twin",
      "wasm",
    )
    .action(
      withErrorHandling(
        "maps dump",
        async (name: string, snapshotPath: string | undefined, options: MapsOptions) => {
          const engine = ENGINES.find((e) => e === options.engine);
          if (engine === undefined) {
            throw new InputError(
              commandLine("maps dump"),
              `--engine must be wasm or reference, got ${JSON.stringify(options.engine)}`,
            );
          }
          if (MAP_DUMPS[name] === undefined) {
            throw new InputError(
              commandLine("maps dump"),
              `expected a map name (${Object.keys(MAP_DUMPS).join(", ")}), found ${JSON.stringify(name)}`,
            );
          }
          const snapshot = await loadCommandSnapshot(snapshotPath ?? defaultSnapshotPath(), {
            ...(options.node !== undefined ? { node: options.node } : {}),
            ...snapshotReadOptions(options),
          });
          const maps = await EmulatedMaps.load(snapshot.selected, snapshot, { engine });
          try {
            const result = maps.dump(name);
            process.stdout.write(result.text);
            for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
          } finally {
            maps.dispose();
          }
        },
      ),
    );
  return maps;
}
