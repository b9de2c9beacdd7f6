// Sharding a replay past one machine, as users run it (the built dist/, which `npm test` builds
// first): `dpemu replay --shard K/N --summary-json` per shard, then `dpemu summary merge`, for N = 1..4
// on a committed capture, Hubble flows and a synthetic workload — the merged summary is the summary
// of the unsharded run (timing aside); shards that do not make up one run are refused with one line,
// exit 2; and the Kubernetes example's manifests parse and their command lines are accepted.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { replayCommand } from "../../src/cli/replay.js";
import { summaryCommand } from "../../src/cli/summary.js";
import { parseShard } from "../../src/replay/shard.js";
import { fixtureText } from "../helpers/fixtures.js";

const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../../examples/kubernetes-shards/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "dpemu-shards-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `dpemu ARGS`; at most two at a time (the machine's cores). */
let running = 0;
const queue: (() => void)[] = [];
async function dpemu(...args: string[]): Promise<Run> {
  if (running >= 2) await new Promise<void>((resolve) => queue.push(resolve));
  running++;
  try {
    return await new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, [MAIN, ...args]);
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
      child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  } finally {
    running--;
    queue.shift()?.();
  }
}

type Summary = Record<string, unknown>;
const readSummary = (file: string): Summary => JSON.parse(readFileSync(file, "utf8")) as Summary;

/** A summary without its timing figures. */
function figures(summary: Summary): Summary {
  const { elapsedSeconds: _e, packetsPerSecond: _p, ...rest } = summary;
  return rest;
}

/** Replays `input` as N shards (one worker each) and merges them, once per input and N. */
const shardedRuns = new Map<string, ReturnType<typeof replaySharded>>();
function sharded(input: string, n: number) {
  const key = `${input} ${n}`;
  if (!shardedRuns.has(key)) shardedRuns.set(key, replaySharded(input, n, input.replace(/\W/g, "_")));
  return shardedRuns.get(key)!;
}

async function replaySharded(input: string, n: number, tag: string) {
  const files = Array.from({ length: n }, (_, k) => join(dir, `${tag}-${n}-${k}.json`));
  const runs = await Promise.all(
    files.map((file, k) =>
      dpemu("replay", "--input", input, "--workers", "1", "--shard", `${k}/${n}`, "--summary-json", file),
    ),
  );
  for (const run of runs) expect(run.code, run.stderr).toBe(0);
  const mergedFile = join(dir, `${tag}-${n}-merged.json`);
  // Given in reverse: the order of the files does not matter.
  const merge = await dpemu("summary", "merge", ...[...files].reverse(), "--summary-json", mergedFile);
  expect(merge.stderr).toBe("");
  expect(merge.code).toBe(0);
  expect(merge.stdout).toMatch(/^Replay summary\n/);
  return { shards: files.map(readSummary), merged: readSummary(mergedFile), files };
}

/** The unsharded run with `workers` workers. */
async function whole(input: string, workers: number, tag: string): Promise<Summary> {
  const file = join(dir, `${tag}-whole-${workers}.json`);
  const run = await dpemu("replay", "--input", input, "--workers", String(workers), "--summary-json", file);
  expect(run.code, run.stderr).toBe(0);
  return readSummary(file);
}

const SPEC = join(dir, "workload.json");
writeFileSync(
  SPEC,
  JSON.stringify({
    seed: 5,
    connections: 600,
    clients: { count: 64, cidr: "172.20.0.0/24" },
    services: [
      { address: "10.96.163.90", port: 80, proto: "TCP" },
      { address: "10.96.0.10", port: 53, proto: "UDP" },
    ],
    connectionLength: { distribution: "uniform", min: 1, max: 6 },
    newConnectionsPerSecond: 200,
  }),
);

/** Hubble flows to the lab's services from many clients, and the real export's lines. */
const HUBBLE = join(dir, "flows.jsonl");
writeFileSync(
  HUBBLE,
  [
    ...fixtureText("public/hubble-flows.v1.19.1-export.jsonl").split("\n").slice(1),
    ...Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({
        flow: {
          time: `2026-02-24T08:48:${String(Math.floor(i / 10)).padStart(2, "0")}.000000000Z`,
          verdict: i % 7 === 0 ? "DROPPED" : "FORWARDED",
          ...(i % 7 === 0 ? { drop_reason_desc: "POLICY_DENIED", drop_reason: 133 } : {}),
          IP: { source: `172.20.0.${10 + (i % 40)}`, destination: i % 3 ? "10.96.163.90" : "10.96.0.10" },
          l4:
            i % 3
              ? { TCP: { source_port: 40000 + i, destination_port: 80, flags: { SYN: true } } }
              : { UDP: { source_port: 40000 + i, destination_port: 53 } },
          Type: "L3_L4",
          event_type: { type: i % 7 === 0 ? 1 : 4 },
          trace_observation_point: i % 5 === 0 ? "TO_OVERLAY" : "FROM_ENDPOINT",
          is_reply: false,
        },
        node_name: "k8s-ctr",
      }),
    ),
  ].join("\n"),
);

/** Inputs, the shard counts each is split into, and the counts also run unsharded with N workers. */
const INPUTS: [string, number[], string, number[]][] = [
  ["a committed capture", [1, 2, 3, 4], "test/captures/files/multi-interface.pcapng", [2]],
  ["a synthetic workload", [1, 2, 3, 4], SPEC, [4]],
  ["Hubble flows", [3], HUBBLE, [3]],
];

describe("dpemu replay --shard K/N + dpemu summary merge", () => {
  it.each(INPUTS)(
    "merged shards of %s are the unsharded run's summary, N = %j",
    { timeout: 600_000 },
    async (_, counts, input, withWorkers) => {
      const tag = input.replace(/\W/g, "_");
      const single = await whole(input, 1, tag);
      for (const n of counts) {
        const { shards, merged } = await sharded(input, n);
        // The shards split the packets between them; each read all of them.
        const packets = shards.map((s) => s.packets as number);
        expect(packets.reduce((a, b) => a + b, 0)).toBe(single.packets);
        expect(new Set(shards.map((s) => (s.shard as { packetsRead: number }).packetsRead)).size).toBe(1);
        if (n > 1 && input !== INPUTS[0]![2]) expect(Math.min(...packets)).toBeGreaterThan(0);
        // One run with as many workers as the shards had together: every figure but timing, byte
        // for byte (keys in the same order).
        if (n === 1 || withWorkers.includes(n)) {
          const unsharded = n === 1 ? single : await whole(input, n, tag);
          expect(JSON.stringify(figures(merged))).toBe(JSON.stringify(figures(unsharded)));
        }
        // The one-worker run's, but for the worker count and the capacities it multiplies.
        const { workers: _w, ct: mergedCt, nat: mergedNat, ...rest } = figures(merged);
        const { workers: _w1, ct: singleCt, nat: singleNat, ...singleRest } = figures(single);
        expect(rest).toEqual(singleRest);
        const entries = (m: Summary) =>
          JSON.stringify(m, (k, v: unknown) => (k === "capacity" ? undefined : v));
        expect(entries({ mergedCt, mergedNat })).toBe(entries({ mergedCt: singleCt, mergedNat: singleNat }));
      }
    },
  );

  it(
    "refuses shards that do not make up one run: one line naming the files, exit 2",
    { timeout: 600_000 },
    async () => {
      const { files } = await sharded(SPEC, 3);
      const [a, b, c] = files as [string, string, string];
      const otherSeed = join(dir, "other-seed.json");
      const otherInput = join(dir, "other-input.json");
      const unsharded = join(dir, "unsharded.json");
      await Promise.all([
        dpemu(
          "replay",
          "--input",
          SPEC,
          "--workers",
          "1",
          "--shard",
          "1/3",
          "--seed",
          "9",
          "--summary-json",
          otherSeed,
        ),
        dpemu("replay", "--input", HUBBLE, "--workers", "1", "--shard", "1/3", "--summary-json", otherInput),
        dpemu("replay", "--input", SPEC, "--workers", "1", "--summary-json", unsharded),
      ]);
      const malformed = join(dir, "malformed.json");
      writeFileSync(malformed, readFileSync(b, "utf8").slice(0, 100));
      const wrongField = join(dir, "wrong-field.json");
      const edited = readSummary(b);
      (edited.verdicts as Record<string, unknown>).forwarded = "many";
      writeFileSync(wrongField, JSON.stringify(edited));
      const cases: [string[], RegExp][] = [
        [[a, c], /^dpemu summary merge: missing 1 of 3 shards: 1$/],
        [[a, b, b, c], /^dpemu summary merge: shard 1\/3 given twice: .*-1\.json and .*-1\.json$/],
        [
          [a, otherSeed, c],
          /^dpemu summary merge: .* are not shards of one run: snapshot or replay options \(shard\.run\) differ$/,
        ],
        [[a, otherInput, c], /^dpemu summary merge: .* are not shards of one run: /],
        [[a, unsharded, c], /unsharded\.json is not a shard's summary/],
        [[a, malformed, c], /malformed\.json: not valid JSON \(/],
        [
          [a, wrongField, c],
          /wrong-field\.json: not a replay summary: summary\.verdicts\.forwarded: not a count/,
        ],
        [[a, join(dir, "missing.json"), c], /missing\.json: expected a summary file/],
        [[], /error: missing required argument/],
      ];
      for (const [args, message] of cases) {
        const run = await dpemu("summary", "merge", ...args);
        expect(run.code, args.join(" ")).toBe(2);
        expect(run.stdout).toBe("");
        expect(run.stderr.trimEnd().split("\n"), args.join(" ")).toHaveLength(1);
        expect(run.stderr.trimEnd()).toMatch(message);
      }
      const bad = await dpemu("replay", "--input", SPEC, "--shard", "3/3");
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe("dpemu replay: shard index must be an integer from 0 to 2, got 3\n");
    },
  );

  it(
    "takes the output options of replay: -o json like --json, --summary-json, the old --output FILE",
    { timeout: 600_000 },
    async () => {
      const { files, merged } = await sharded(SPEC, 3);
      const json = await dpemu("summary", "merge", ...files, "--json");
      const o = await dpemu("summary", "merge", ...files, "-o", "json");
      expect(o.code).toBe(0);
      expect(o.stdout).toBe(json.stdout);
      expect(JSON.parse(o.stdout)).toEqual(merged);
      const old = join(dir, "old-spelling.json");
      const run = await dpemu("summary", "merge", ...files, "--output", old);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Replay summary\n/);
      expect(run.stderr).toBe(
        "dpemu summary merge: warning: --output FILE is deprecated; use --summary-json FILE\n",
      );
      expect(readSummary(old)).toEqual(merged);
      const cases: [string[], RegExp][] = [
        [["-o", "json", "--summary-json", "-"], /-o json and --summary-json both write to stdout/],
        [["-o", "yaml"], /--output must be one of text, json, got "yaml"/],
        [
          ["--output", old, "--summary-json", old],
          /--output FILE is the old name of --summary-json: give one/,
        ],
      ];
      for (const [args, message] of cases) {
        const bad = await dpemu("summary", "merge", ...files, ...args);
        expect(bad.code, args.join(" ")).toBe(2);
        expect(bad.stdout).toBe("");
        expect(bad.stderr.trimEnd().split("\n")).toHaveLength(1);
        expect(bad.stderr).toMatch(message);
      }
    },
  );
});

/** The parts of a Job manifest the test reads. */
interface JobManifest {
  apiVersion: string;
  kind: string;
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    template: { spec: { containers: { args: string[] }[] } };
  };
}

describe("examples/kubernetes-shards", () => {
  /** The one document of a manifest, parsed strictly (any YAML error fails). */
  function manifest(name: string): JobManifest {
    const docs = parseAllDocuments(readFileSync(join(EXAMPLE, name), "utf8"));
    expect(docs).toHaveLength(1);
    const doc = (docs as { errors: unknown[]; toJS(): unknown }[])[0]!;
    expect(doc.errors).toEqual([]);
    return doc.toJS() as JobManifest;
  }

  /** What the option parser makes of a command line, without running the command. */
  async function parsed(
    command: ReturnType<typeof replayCommand>,
    args: string[],
  ): Promise<Record<string, unknown>> {
    let options: Record<string, unknown> | undefined;
    command.exitOverride((error) => {
      throw error;
    });
    command.action((...received: unknown[]) => {
      options = received.at(-2) as Record<string, unknown>;
    });
    await command.parseAsync(args, { from: "user" });
    expect(options).toBeDefined();
    return options!;
  }

  it("runs one pod per shard with JOB_COMPLETION_INDEX as K, each command line accepted", async () => {
    const job = manifest("replay-job.yaml");
    expect(job).toMatchObject({ apiVersion: "batch/v1", kind: "Job" });
    expect(job.spec.completionMode).toBe("Indexed");
    const n = job.spec.completions!;
    expect(job.spec.parallelism).toBe(n);
    const args = job.spec.template.spec.containers[0]!.args;
    expect(args[0]).toBe("replay");
    expect(args.join(" ")).toContain("$(JOB_COMPLETION_INDEX)");
    const outputs = new Set<unknown>();
    for (let k = 0; k < n; k++) {
      // What the kubelet runs in pod K: $(VAR) expanded from the container's environment.
      const expanded = args.slice(1).map((a) => a.replaceAll("$(JOB_COMPLETION_INDEX)", String(k)));
      const options = await parsed(replayCommand(), expanded);
      expect(parseShard(options.shard as string)).toEqual({ index: k, count: n });
      outputs.add(options.summaryJson);
    }
    expect(outputs.size).toBe(n);
    const merge = manifest("merge-job.yaml");
    const mergeArgs = merge.spec.template.spec.containers[0]!.args;
    expect(mergeArgs.slice(0, 2)).toEqual(["summary", "merge"]);
    const summary = summaryCommand();
    const mergeCommand = summary.commands.find((c) => c.name() === "merge")!;
    let files: string[] = [];
    mergeCommand.action((received: string[]) => {
      files = received;
    });
    summary.exitOverride((error) => {
      throw error;
    });
    mergeCommand.exitOverride((error) => {
      throw error;
    });
    await summary.parseAsync(mergeArgs.slice(1), { from: "user" });
    // The merge reads exactly the summaries the shards write.
    expect(new Set(files)).toEqual(outputs);
  });
});
