// `dpemu maglev --table-size M --backend SPEC... [--cluster-seed B64] [-o table|json]`: build
// Cilium's Maglev table for a list of backends and show how it is shared out. Backends weigh
// Cilium's default 100 unless given a weight; `--seed` is the deprecated name of --cluster-seed.
import type { Command } from "commander";
import { toEntries, type MaglevBackend } from "../lb/backend.js";
import { InvalidInputError } from "../model/errors.js";
import { buildMaglevTable, checkTableSize } from "../lb/maglev.js";
import { DEFAULT_MAGLEV_SEED, parseClusterSeed } from "../model/cluster-seed.js";
import { joinHostPort } from "../model/ip.js";
import {
  cliCommand,
  processIo,
  requiredOption,
  warnDeprecated,
  withErrorHandling,
  type CliIo,
} from "./errors.js";
import { outputFormat } from "./output.js";

const BACKEND_FORMAT = "IP:PORT/PROTO[,weight=W][,id=N][,internal]";

/** Cilium's default backend weight (loadbalancer.DefaultBackendWeight), as `compare` uses it. */
export const DEFAULT_BACKEND_WEIGHT = 100;

/** Parses one --backend value; `position` (1-based) is its default ID. */
export function parseBackendSpec(spec: string, position: number): MaglevBackend {
  const fail = (why: string): never => {
    throw new InvalidInputError(`--backend ${JSON.stringify(spec)}: ${why} (expected ${BACKEND_FORMAT})`);
  };
  const [endpoint = "", ...options] = spec.split(",");
  const slash = endpoint.lastIndexOf("/");
  if (slash < 0) fail("missing /PROTO");
  const hostPort = endpoint.slice(0, slash);
  const protocol = endpoint.slice(slash + 1);
  let address: string;
  let portText: string;
  if (hostPort.startsWith("[")) {
    const close = hostPort.indexOf("]:");
    if (close < 0) fail("an IPv6 address needs the form [ADDR]:PORT");
    address = hostPort.slice(1, close);
    portText = hostPort.slice(close + 2);
  } else {
    const colon = hostPort.lastIndexOf(":");
    if (colon < 0) fail("missing :PORT");
    address = hostPort.slice(0, colon);
    portText = hostPort.slice(colon + 1);
    if (address.includes(":")) fail("write IPv6 addresses in brackets, [ADDR]:PORT");
  }
  const integer = (text: string, what: string): number => {
    if (!/^\d+$/.test(text)) fail(`${what} ${JSON.stringify(text)} is not a non-negative integer`);
    return Number(text);
  };
  const backend: MaglevBackend = {
    address,
    port: integer(portText, "port"),
    protocol,
    id: position,
    weight: DEFAULT_BACKEND_WEIGHT,
  };
  for (const option of options) {
    const [key, value] = option.split("=", 2);
    if (key === "weight" && value !== undefined) backend.weight = integer(value, "weight");
    else if (key === "id" && value !== undefined) backend.id = integer(value, "id");
    else if (key === "internal" && value === undefined) backend.internal = true;
    else fail(`unknown option ${JSON.stringify(option)}`);
  }
  return backend;
}

function parseTableSize(text: string): number {
  if (!/^\d+$/.test(text)) {
    throw new InvalidInputError(`--table-size ${JSON.stringify(text)}: expected one of Cilium's table sizes`);
  }
  try {
    return checkTableSize(Number(text));
  } catch (err) {
    throw new InvalidInputError(`--table-size ${text}: ${(err as Error).message}`);
  }
}

function describeBackend(b: MaglevBackend): string {
  return `${joinHostPort(b.address, b.port)}/${b.protocol.toUpperCase()}${b.internal ? " (internal)" : ""}`;
}

/** Per-backend counts and shares as an aligned text table. */
export function formatShares(backends: readonly MaglevBackend[], table: Uint32Array, seed: string): string {
  const counts = new Map<number, number>();
  for (const id of table) counts.set(id, (counts.get(id) ?? 0) + 1);
  const rows = [
    ["ID", "BACKEND", "WEIGHT", "ENTRIES", "SHARE"],
    ...backends.map((b) => {
      const entries = counts.get(b.id) ?? 0;
      return [
        String(b.id),
        describeBackend(b),
        String(b.weight ?? DEFAULT_BACKEND_WEIGHT),
        String(entries),
        `${((entries / table.length) * 100).toFixed(2)}%`,
      ];
    }),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  const lines = rows.map((r) =>
    r
      .map((cell, col) => (col >= 2 ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!)))
      .join("  ")
      .trimEnd(),
  );
  const noun = backends.length === 1 ? "backend" : "backends";
  const weights = backends.map((b) => b.weight ?? DEFAULT_BACKEND_WEIGHT);
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  // Cilium honours weights only when sum(weights) / N, in integer division, exceeds 1.
  const ignored =
    new Set(weights).size > 1 && Math.floor(weightSum / backends.length) <= 1
      ? "note: weights differ but Cilium ignores them here (sum of weights / backends <= 1)\n"
      : "";
  return `Maglev table: ${table.length} entries, seed ${seed}, ${backends.length} ${noun}\n${lines.join("\n")}\n${ignored}`;
}

interface MaglevOptions {
  tableSize: string;
  clusterSeed?: string;
  seed?: string;
  backend: string[];
  json?: boolean;
  output?: string;
}

async function run(options: MaglevOptions, io: CliIo): Promise<void> {
  const format =
    options.output !== undefined
      ? outputFormat("maglev", "--output", options.output, ["table", "text", "json"])
      : options.json
        ? "json"
        : "table";
  const tableSize = parseTableSize(options.tableSize);
  if (options.seed !== undefined) {
    if (options.clusterSeed !== undefined) {
      throw new InvalidInputError("--seed is the old name of --cluster-seed: give one of them");
    }
    warnDeprecated(io, "maglev", "--seed", "--cluster-seed (the Maglev hash seed)");
  }
  const seed = parseClusterSeed(options.clusterSeed ?? options.seed ?? DEFAULT_MAGLEV_SEED);
  if (options.backend.length === 0) {
    throw new InvalidInputError(`--backend: at least one backend is required (expected ${BACKEND_FORMAT})`);
  }
  const backends = options.backend.map((spec, i) => parseBackendSpec(spec, i + 1));
  try {
    toEntries(backends);
  } catch (err) {
    // Its messages start "backend N (address): ..."; say which command-line option that was.
    throw err instanceof InvalidInputError ? new InvalidInputError(`--${err.message}`) : err;
  }
  const table = await buildMaglevTable(backends, { tableSize, seed });
  if (format === "json") {
    io.stdout(`${JSON.stringify({ tableSize, seed: seed.text, table: Array.from(table) })}\n`);
  } else {
    io.stdout(formatShares(backends, table, seed.text));
  }
}

/** The `maglev` subcommand. Bad input: one line on stderr, exit code 2; internal errors exit 1. */
export function maglevCommand(io: CliIo = processIo): Command {
  const command = cliCommand("maglev", io).description(
    "build Cilium's Maglev lookup table for a set of backends and show each backend's share",
  );
  requiredOption(
    command,
    "--table-size <M>",
    "table size M, one of Cilium's primes (251 ... 131071; Cilium's default 16381)",
  );
  return command
    .option(
      "--cluster-seed <S>",
      `Maglev hash seed: base64 of 12 bytes (bpf-lb-maglev-hash-seed; default ${DEFAULT_MAGLEV_SEED})`,
    )
    .option("--seed <S>", "deprecated: the old name of --cluster-seed")
    .option(
      "--backend <spec>",
      `a backend, ${BACKEND_FORMAT}; repeat for each backend (ids default to 1..N in order, weights to ${DEFAULT_BACKEND_WEIGHT})`,
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option("-o, --output <format>", 'table (default) or json: {"tableSize":M,"seed":"S","table":[id,...]}')
    .option("--json", "same as -o json")
    .action(withErrorHandling("maglev", (options: MaglevOptions) => run(options, io), io));
}
