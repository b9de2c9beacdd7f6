// `dpemu compare [SNAPSHOT] [--service FRONTEND|ID ...] [--backends N [--weights W,...]]
//  [--input CAPTURE | --flows N --clients K] [--ct-flows N] [--seed S] [--table-size M]
//  [--cluster-seed B64] [-o text|json] [--json FILE|-] [--html FILE|-] [--lenient]`:
// Maglev against random backend selection on a snapshot's services (or a synthetic one).
import type { Command } from "commander";
import { describeCapture, flowsFromCapture } from "../analysis/capture-input.js";
import type { CompareService } from "../analysis/model.js";
import type { CompareReport, SnapshotInfo } from "../analysis/results.js";
import { compareSelection, DEFAULT_CT_FLOWS, type FlowSource } from "../analysis/run-compare.js";
import { datapathStateFromSnapshot } from "../load/from-snapshot.js";
import type { NodeConfig } from "../engine/state.js";
import { maglevTableCount, servicesToCompare, UnknownServiceError } from "../analysis/snapshot-services.js";
import { parseWeights, syntheticService } from "../analysis/synthetic-service.js";
import { DEFAULT_PORT_PACKING, portPackingForCiliumVersion } from "../model/cilium-version.js";
import { checkTableSize, DEFAULT_MAGLEV_TABLE_SIZE } from "../lb/maglev.js";
import { parseClusterSeed } from "../model/cluster-seed.js";
import type { PortPacking } from "../model/flow.js";
import { UNNAMED_NODE } from "../snapshot/parse-files.js";
import { loadCommandSnapshot } from "./snapshot-warnings.js";
import type { UnpackLimits } from "../snapshot/archive/limits.js";
import { unpackLimitsOption, snapshotReadOptions } from "./unpack-limits-option.js";
import { InputError } from "../snapshot/errors.js";
import { formatHtmlReport } from "../report/html.js";
import { formatJsonReport } from "../report/json.js";
import { formatTextReport } from "../report/text.js";
import { defaultSnapshotPath } from "./default-snapshot.js";
import { addClusterOptions, refuseNodeInCluster } from "./cluster-options.js";
import { runClusterCompare, type ClusterCompareCliOptions } from "./cluster-compare.js";
import type { MeshCliOptions } from "./mesh-options.js";
import { addMeshCompareOptions, meshCompare } from "./mesh-compare.js";
import { EXIT_SIGINT, EXIT_SIGTERM, cliCommand, commandLine, withErrorHandling } from "./errors.js";
import { OutputDocument, checkDistinctOutputs, outputFormat } from "./output.js";
import { progressLine, restoreTerminal } from "./progress.js";

interface CompareCliOptions extends ClusterCompareCliOptions, MeshCliOptions {
  readonly clientPod?: string;
  readonly service?: string[];
  readonly backends?: string;
  readonly weights?: string;
  readonly input?: string;
  readonly flows: string;
  readonly clients: string;
  readonly ctFlows: string;
  readonly seed: string;
  readonly tableSize?: string;
  readonly clusterSeed?: string;
  readonly ciliumVersion?: string;
  readonly node?: string;
  readonly maxUnpacked?: Partial<UnpackLimits>;
  readonly json?: string;
  readonly html?: string;
  readonly output?: string;
  readonly lenient?: boolean;
}

/** Errors about the command line itself: reported like bad input (one line, exit 2). */
const COMMAND_LINE = commandLine("compare");

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InputError(
      COMMAND_LINE,
      `${name} must be an integer ${min}..${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/**
 * Runs `work`, turning the errors by which the pieces it calls reject a service selection or a
 * comparison's inputs into command-line errors (InvalidInputError is one everywhere: errors.ts).
 */
async function asInputErrors<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UnknownServiceError || error instanceof RangeError) {
      throw new InputError(COMMAND_LINE, error.message);
    }
    throw error;
  }
}

interface Inputs {
  readonly snapshot: SnapshotInfo;
  readonly services: CompareService[];
  readonly maglevTableServices: number;
  readonly tableSize: number;
  readonly clusterSeed: string | undefined;
  readonly portPacking: PortPacking;
  /** The snapshot node's agent configuration, for the emulated nodes of the CT experiments. */
  readonly node?: NodeConfig;
  readonly notes: string[];
}

/** Flows per service through the emulated datapath: bounded so one backend's NodePort SNAT ports never run out. */
const MAX_CT_FLOWS = 16384;

function packingFor(version: string | undefined): PortPacking {
  return version ? portPackingForCiliumVersion(version) : DEFAULT_PORT_PACKING;
}

async function syntheticInputs(
  options: CompareCliOptions,
  snapshotPath: string | undefined,
): Promise<Inputs> {
  if (snapshotPath !== undefined) {
    throw new InputError(
      COMMAND_LINE,
      "give either a SNAPSHOT or --backends N (a synthetic service), not both",
    );
  }
  if (options.service)
    throw new InputError(COMMAND_LINE, "--service selects snapshot services; drop it with --backends");
  const n = integer("--backends", options.backends!, 1, 65536);
  const weights = options.weights !== undefined ? parseWeights(options.weights, n) : undefined;
  return {
    snapshot: { source: "synthetic", node: null, ciliumVersion: options.ciliumVersion ?? null, services: 1 },
    services: [syntheticService(n, weights)],
    maglevTableServices: 1,
    tableSize:
      options.tableSize !== undefined
        ? integer("--table-size", options.tableSize, 1, 1 << 20)
        : DEFAULT_MAGLEV_TABLE_SIZE,
    clusterSeed: options.clusterSeed,
    portPacking: packingFor(options.ciliumVersion),
    notes: [],
  };
}

async function snapshotInputs(options: CompareCliOptions, snapshotPath: string | undefined): Promise<Inputs> {
  if (options.weights !== undefined) throw new InputError(COMMAND_LINE, "--weights needs --backends N");
  const path = snapshotPath ?? defaultSnapshotPath();
  const snapshot = await loadCommandSnapshot(path, {
    ...(options.node !== undefined ? { node: options.node } : {}),
    ...snapshotReadOptions(options),
  });
  const view = snapshot.selected;
  const services = servicesToCompare(view, options.service ?? []);
  if (services.length === 0) {
    throw new InputError(
      { file: path, line: 0 },
      "no IPv4 service with at least two active backends to compare; name one with --service",
    );
  }
  const ciliumVersion = options.ciliumVersion ?? view.config.ciliumVersion;
  const notes: string[] = [];
  const affinity = view.services.filter((s) => s.affinityTimeout > 0 && services.some((c) => c.id === s.id));
  if (affinity.length > 0) {
    notes.push(
      `session affinity (${affinity.map((s) => s.id).join(", ")}) is not applied here: every connection is selected on its own`,
    );
  }
  if (snapshot.warnings.length > 0) {
    const count = snapshot.warnings.length;
    notes.push(
      `the snapshot loaded with ${count} warning${count === 1 ? "" : "s"}; \`dpemu inspect\` lists ${count === 1 ? "it" : "them"}`,
    );
  }
  let node: NodeConfig | undefined;
  try {
    node = datapathStateFromSnapshot(snapshot).state.node;
  } catch (error) {
    notes.push(
      `the emulated nodes use Cilium's default agent configuration: node ${view.name}'s could not be read (${(error as Error).message})`,
    );
  }
  return {
    snapshot: {
      source: snapshotPath ?? "bundled example lab-3node",
      node: view.name === UNNAMED_NODE ? null : view.name,
      ciliumVersion: ciliumVersion ?? null,
      services: view.services.length,
    },
    services,
    maglevTableServices: maglevTableCount(view),
    tableSize:
      options.tableSize !== undefined
        ? integer("--table-size", options.tableSize, 1, 1 << 20)
        : (view.config.maglevTableSize ?? DEFAULT_MAGLEV_TABLE_SIZE),
    clusterSeed: options.clusterSeed ?? view.config.maglevHashSeed,
    portPacking: packingFor(ciliumVersion),
    ...(node ? { node } : {}),
    notes,
  };
}

/** Synthetic flows, or the compared services' flows gathered from `--input`. */
async function chooseFlows(
  options: CompareCliOptions,
  command: Command,
  inputs: Inputs,
): Promise<FlowSource> {
  if (options.input === undefined) {
    return {
      kind: "synthetic",
      flows: integer("--flows", options.flows, 1, 10_000_000),
      clients: integer("--clients", options.clients, 1, 1 << 23),
    };
  }
  for (const name of ["flows", "clients"]) {
    if (command.getOptionValueSource(name) === "cli") {
      throw new InputError(COMMAND_LINE, `--${name} makes synthetic flows; drop it with --input`);
    }
  }
  const capture = await flowsFromCapture(options.input, inputs.services);
  inputs.notes.push(describeCapture(options.input, capture));
  return { kind: "capture", path: options.input, flows: capture.flows };
}

/** Where each report goes: stdout holds one document (the table, the JSON or the HTML). */
interface Destinations {
  readonly stdout: "text" | "json" | "html";
  readonly json: OutputDocument | null;
  readonly html: OutputDocument | null;
}

/**
 * Checks and creates the outputs before the (long) comparison, so a path that cannot be written
 * fails at once: `-o json` or `--json -` put the JSON on stdout, `--html -` the HTML; two documents
 * for stdout, or two options naming one file, are refused.
 */
async function destinations(options: CompareCliOptions): Promise<Destinations> {
  const format =
    options.output !== undefined
      ? outputFormat("compare", "--output", options.output, ["text", "json"])
      : "text";
  const jsonToStdout = format === "json" || options.json === "-";
  checkDistinctOutputs("compare", [
    jsonToStdout ? { option: options.json === "-" ? "--json -" : "-o json", path: "-" } : undefined,
    options.json !== undefined && options.json !== "-" ? { option: "--json", path: options.json } : undefined,
    options.html !== undefined ? { option: "--html", path: options.html } : undefined,
  ]);
  const json =
    options.json !== undefined && options.json !== "-" ? await OutputDocument.create(options.json) : null;
  let html: OutputDocument | null = null;
  try {
    html =
      options.html !== undefined && options.html !== "-" ? await OutputDocument.create(options.html) : null;
  } catch (error) {
    await json?.discard();
    throw error;
  }
  return { stdout: jsonToStdout ? "json" : options.html === "-" ? "html" : "text", json, html };
}

async function writeOutputs(
  report: CompareReport,
  to: Destinations,
  options: CompareCliOptions,
): Promise<void> {
  // Files first: a file that cannot be written fails the command before anything is printed.
  await to.json?.commit(formatJsonReport(report));
  await to.html?.commit(formatHtmlReport(report));
  const text = formatTextReport(report);
  if (to.stdout === "json") process.stdout.write(formatJsonReport(report));
  else if (to.stdout === "html") process.stdout.write(formatHtmlReport(report));
  else process.stdout.write(text);
  // The table stays visible when stdout carries a document for a program.
  if (to.stdout === "html") process.stderr.write(text);
  if (to.json) process.stderr.write(`JSON report written to ${escapePath(options.json!)}\n`);
  if (to.html) process.stderr.write(`HTML report written to ${escapePath(options.html!)}\n`);
}

/** A path as typed, with control characters shown as escapes (it came from the command line). */
const escapePath = (path: string): string => JSON.stringify(path).slice(1, -1);

export function compareCommand(): Command {
  const command = cliCommand("compare")
    .description(
      "Maglev vs random backend selection on real services: balance, table size, backend churn, node failover, cost",
    )
    .argument(
      "[snapshot]",
      "dump directory, dump file, sysdump .zip or bugtool .tar.gz (default: bundled lab-3node)",
    )
    .option(
      "--service <frontend|id...>",
      "services to compare: ID, IP:PORT[/PROTO] or namespace/name (default: every one with ≥ 2 backends)",
    )
    .option("--backends <n>", "compare a synthetic service with N backends instead of a snapshot")
    .option(
      "--weights <w,...>",
      "weights of the synthetic backends: one for all, or one each (Cilium's default 100)",
    )
    .option(
      "--input <capture>",
      "flows from a pcap, pcapng, Hubble JSON or synthetic-spec file instead of synthetic ones",
    )
    .option("--flows <n>", "synthetic connections per service", "100000")
    .option("--clients <k>", "distinct client addresses the connections come from", "1000")
    .option(
      "--ct-flows <n>",
      `flows per service sent through the emulated datapath for churn with CT and failover (≤ ${MAX_CT_FLOWS})`,
      String(DEFAULT_CT_FLOWS),
    )
    .option("--seed <s>", "seed of the synthetic flows and the random-selection streams", "1")
    .option(
      "--table-size <m>",
      "Maglev table size, one of Cilium's primes (default: the snapshot's, else 16381)",
    )
    .option(
      "--cluster-seed <base64>",
      "Maglev hash seed, bpf-lb-maglev-hash-seed (default: the snapshot's, else Cilium's)",
    )
    .option(
      "--cilium-version <v>",
      "Cilium version whose tuple-hash port packing to use (default: the snapshot's)",
    )
    .option("--node <name>", "the node whose view of the snapshot to use (agent pod or Kubernetes node name)")
    .addOption(unpackLimitsOption())
    .option("-o, --output <format>", "what stdout gets: text (the table, default) or json")
    .option("--json <file|->", "also write the results as JSON to a file (- for stdout: -o json)")
    .option("--html <file|->", "also write a self-contained HTML report with charts (- for stdout)")
    .option("--lenient", "skip unparseable snapshot lines with a warning instead of failing")
    .option(
      "--connections <n>",
      "cluster failover: connections open when a node leaves the ECMP set",
      "10000",
    )
    .option(
      "--leave <node>",
      "cluster failover: the node that leaves the ECMP set (default: the first next hop)",
    );
  return addMeshCompareOptions(addClusterOptions(command)).action(
    withErrorHandling(
      "compare",
      async (snapshotPath: string | undefined, options: CompareCliOptions, command: Command) => {
        if (await meshCompare(options, command)) return;
        if (options.cluster === true || options.nodes !== undefined) {
          refuseNodeInCluster("compare", options.node, "the node that leaves the ECMP set is --leave NAME");
          await runClusterCompare(snapshotPath ?? defaultSnapshotPath(), options);
          return;
        }
        const to = await destinations(options);
        try {
          await runCompare(snapshotPath, options, command, to);
        } catch (error) {
          await to.json?.discard();
          await to.html?.discard();
          throw error;
        }
      },
    ),
  );
}

async function runCompare(
  snapshotPath: string | undefined,
  options: CompareCliOptions,
  command: Command,
  to: Destinations,
): Promise<void> {
  const inputs = await asInputErrors(async () => {
    const found =
      options.backends !== undefined
        ? await syntheticInputs(options, snapshotPath)
        : await snapshotInputs(options, snapshotPath);
    checkTableSize(found.tableSize);
    if (found.clusterSeed !== undefined) parseClusterSeed(found.clusterSeed);
    return found;
  });
  const seed = integer("--seed", options.seed, 0, 0xffffffff);
  const ctFlows = integer("--ct-flows", options.ctFlows, 1, MAX_CT_FLOWS);
  const flowSource = await chooseFlows(options, command, inputs);
  // Ctrl-C during a long comparison: give the terminal back, then end as a signal would.
  const interrupt = (code: number) => () => {
    restoreTerminal();
    process.exit(code);
  };
  const onSigint = interrupt(EXIT_SIGINT);
  const onSigterm = interrupt(EXIT_SIGTERM);
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  const bar = progressLine("compare", "steps", inputs.services.length + 1);
  const report = await asInputErrors(() =>
    compareSelection({
      onProgress: async (done) => {
        bar?.update(done, done);
        // Let the terminal redraw and signals in between the (synchronous) steps.
        await new Promise((resolve) => setImmediate(resolve));
      },
      snapshot: inputs.snapshot,
      services: inputs.services,
      maglevTableServices: inputs.maglevTableServices,
      flowSource,
      seed,
      tableSize: inputs.tableSize,
      portPacking: inputs.portPacking,
      ctFlows,
      notes: inputs.notes,
      ...(inputs.node !== undefined ? { node: inputs.node } : {}),
      ...(inputs.clusterSeed !== undefined ? { clusterSeed: inputs.clusterSeed } : {}),
    }),
  ).finally(() => {
    bar?.stop();
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
  });
  await writeOutputs(report, to, options);
}
