// The replayer on the bundled lab snapshot: synthetic workloads translated and answered the way the
// node would, the same summary and verdict stream for any number of workers, Wasm and the TS
// reference datapath alike, Hubble's verdicts compared, captures with an entry point forced, and
// corrupt input reported with what was read before it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OBSERVATION_POINT_NAMES } from "../../src/engine/verdict.js";
import { EntryPoint, copyPacketRecord, type PacketRecord } from "../../src/model/packet.js";
import { chunkBytes } from "../../src/readers/byte-source.js";
import { readCapture } from "../../src/replay/read-capture.js";
import { ChurnError } from "../../src/replay/replay-core.js";
import type { ReplaySummary } from "../../src/replay/replay-summary.js";
import type { ReplayedPacket } from "../../src/replay/replayed-packet.js";
import { availableParallelism } from "node:os";
import { MAX_WORKERS } from "../../src/replay/shard-router.js";
import {
  ReplayOptionError,
  SMALL_INPUT_BYTES,
  defaultWorkerCount,
  replay,
  usesPipeline,
  type ReplayOptions,
} from "../../src/replay/replayer.js";
import type { SyntheticSpecJson } from "../../src/synthetic/synthetic-spec.js";
import { SOURCE_WORKER, WEBPOD, WEBPOD_BACKENDS, labState, pcapOf } from "./helpers.js";
import { formatIPv4 } from "../../src/model/ipv4.js";

const encoder = new TextEncoder();
const bytes = (text: string) => chunkBytes(encoder.encode(text), 1 << 16);
const spec = (json: SyntheticSpecJson) => bytes(JSON.stringify(json));

/** The curl pod's view of webpod: one client, many connections, replies to each packet. */
const webpodSpec: SyntheticSpecJson = {
  seed: 3,
  connections: 400,
  clients: { count: 1, cidr: "172.20.0.96/32" },
  services: [{ address: "10.96.163.90", port: 80, proto: "TCP" }],
  connectionLength: { distribution: "uniform", min: 1, max: 6 },
  newConnectionsPerSecond: 300,
};

/**
 * 126 local pods (kube-dns's own among them: hairpin) on three services over 650 s (three CT
 * collections), with a backend replaced.
 */
const podsSpec: SyntheticSpecJson = {
  seed: 11,
  durationSeconds: 650,
  clients: { count: 126, cidr: "172.20.0.128/25" },
  services: [
    { address: "10.96.163.90", port: 80, proto: "TCP" },
    { address: "10.96.0.10", port: 53, proto: "UDP" },
    { address: "10.96.0.10", port: 9153, proto: "TCP" },
  ],
  connectionLength: { distribution: "uniform", min: 1, max: 6 },
  newConnectionsPerSecond: 2,
  churn: [
    { atSeconds: 200, service: "10.96.163.90:80/TCP", action: "remove", backend: "172.20.1.126:80" },
    { atSeconds: 400, service: "10.96.163.90:80/TCP", action: "add", backend: "172.20.1.200:80" },
  ],
};

/** A kube-dns pod looking names up: half of its queries come back to itself (hairpin). */
const hairpinSpec: SyntheticSpecJson = {
  seed: 5,
  connections: 200,
  clients: { count: 1, cidr: "172.20.0.197/32" },
  services: [{ address: "10.96.0.10", port: 53, proto: "UDP" }],
  connectionLength: { distribution: "fixed", packets: 2 },
  newConnectionsPerSecond: 100,
};

/** Outside clients: NodePort 30003 on the node address (a local backend), and a ClusterIP (dropped). */
const outsideSpec: SyntheticSpecJson = {
  seed: 4,
  connections: 600,
  clients: { count: 50, cidr: "203.0.113.0/25", entry: "from-network" },
  services: [
    { address: "192.168.10.100", port: 30003, proto: "TCP" },
    { address: "10.96.163.90", port: 80, proto: "TCP" },
  ],
  connectionLength: { distribution: "fixed", packets: 3 },
  newConnectionsPerSecond: 400,
};

interface Run {
  summary: ReplaySummary;
  verdicts: string[];
}

async function run(
  input: () => ReplayOptions["source"],
  options: Partial<ReplayOptions> & { clients?: number } = {},
): Promise<Run> {
  const verdicts: string[] = [];
  const { clients, ...rest } = options;
  const result = await replay({
    state: await labState(clients ?? 128),
    source: input(),
    seed: 9,
    workers: 1,
    workerScript: SOURCE_WORKER,
    onVerdict: (r) => verdicts.push(describe_(r)),
    ...rest,
  });
  expect(result.inputError).toBeNull();
  return { summary: result.summary, verdicts };
}

function describe_(r: ReplayedPacket): string {
  const p = r.packet;
  const v = r.verdict;
  return (
    `${r.packetNumber} ${formatIPv4(p.saddr)}:${p.sport}>${formatIPv4(p.daddr)}:${p.dport} ` +
    `${v.verdict} ${v.dropReason} ${v.observationPoint} ${v.ctState} ${v.flags} ${v.revNatId} ${v.backendId} ` +
    `${formatIPv4(v.saddr)}:${v.sport}>${formatIPv4(v.daddr)}:${v.dport}`
  );
}

/**
 * The summary without what depends on the run: timing, and the worker count with the map capacity
 * it multiplies (each worker holds maps of the node's size).
 */
function figures(s: ReplaySummary): unknown {
  const { elapsedSeconds: _e, packetsPerSecond: _p, workers, ...rest } = s;
  expect(rest.ct.tcp.capacity).toBe(rest.ct.tcp.max * workers);
  expect(rest.ct.any.capacity).toBe(rest.ct.any.max * workers);
  expect(rest.nat.capacity).toBe(rest.nat.max * workers);
  return JSON.parse(JSON.stringify(rest, (key, value: unknown) => (key === "capacity" ? undefined : value)));
}

// Several tests start 2 to 4 worker threads, each compiling the sources through tsx first.
describe("replay of a synthetic workload against examples/lab-3node", { timeout: 180_000 }, () => {
  it("translates every flow to webpod to one of its three backends and reverse-translates the replies", async () => {
    const requests = new Map<number, string>();
    let replies = 0;
    const check = (r: ReplayedPacket) => {
      const p = r.packet;
      const v = r.verdict;
      expect(v.verdict).toBe("FORWARDED");
      const translatedDst = `${formatIPv4(v.daddr)}:${v.dport}`;
      if (`${formatIPv4(p.daddr)}:${p.dport}` === WEBPOD) {
        expect(WEBPOD_BACKENDS).toContain(translatedDst);
        // Every packet of a connection goes to the backend its first one got.
        const before = requests.get(p.sport);
        if (before === undefined) requests.set(p.sport, translatedDst);
        else expect(translatedDst).toBe(before);
      } else {
        // A reply: sent by the backend its request reached, seen by the client as webpod.
        replies++;
        expect(`${formatIPv4(p.saddr)}:${p.sport}`).toBe(requests.get(p.dport));
        expect(`${formatIPv4(v.saddr)}:${v.sport}`).toBe(WEBPOD);
        expect(translatedDst).toBe(`172.20.0.96:${p.dport}`);
      }
    };
    const result = await replay({
      state: await labState(),
      source: spec(webpodSpec),
      seed: 9,
      workers: 1,
      onVerdict: check,
    });
    const s = result.summary;
    expect(requests.size).toBe(400);
    expect(replies * 2).toBe(s.packets);
    expect(s.flows).toBe(400);
    expect(s.verdicts.dropped).toBe(0);
    const webpod = s.backends.filter((b) => b.frontend === `${WEBPOD}/TCP`);
    expect(webpod.map((b) => b.address).sort()).toEqual(WEBPOD_BACKENDS);
    expect(webpod.reduce((sum, b) => sum + b.flows, 0)).toBe(400);
    expect(webpod.reduce((sum, b) => sum + b.packetShare, 0)).toBeCloseTo(1, 12);
    // Random selection over three backends: each gets a fair part of 400 flows.
    for (const b of webpod) expect(b.flowShare).toBeGreaterThan(0.2);
    // Connection counts per backend, recomputed from the verdict stream.
    const perBackend = new Map<string, number>();
    for (const backend of requests.values()) perBackend.set(backend, (perBackend.get(backend) ?? 0) + 1);
    for (const b of webpod) expect(b.flows).toBe(perBackend.get(b.address));
  });

  it(
    "gives the same summary and verdict stream with 1 (in this thread or pipelined), 2 and 4 workers",
    { timeout: 300_000 },
    async () => {
      for (const input of [podsSpec, hairpinSpec, outsideSpec]) {
        const one = await run(() => spec(input));
        for (const threads of [{ workers: 1, pipelined: true }, { workers: 2 }, { workers: 4 }]) {
          const many = await run(() => spec(input), threads);
          expect(figures(many.summary), JSON.stringify(threads)).toEqual(figures(one.summary));
          expect(many.summary.workers).toBe(threads.workers);
          expect(many.verdicts).toEqual(one.verdicts);
        }
      }
    },
  );

  it(
    "gives the same summary and verdict stream with 1, 2 and 3 workers for a capture with replies",
    { timeout: 300_000 },
    async () => {
      // Record what a capture at the pods would hold (replies from the backends, hairpin replies to the
      // service loopback address), then replay that capture.
      for (const input of [hairpinSpec, podsSpec]) {
        const entered: PacketRecord[] = [];
        await replay({
          state: await labState(128),
          source: spec(input),
          seed: 9,
          workers: 1,
          onVerdict: (r) => entered.push(copyPacketRecord(r.packet)),
        });
        const capture = pcapOf(entered);
        const one = await run(() => [capture]);
        expect(one.summary.packets).toBe(entered.length);
        for (const workers of [2, 3]) {
          const many = await run(() => [capture], { workers });
          expect(figures(many.summary)).toEqual(figures(one.summary));
          expect(many.verdicts).toEqual(one.verdicts);
        }
      }
    },
  );

  it("hands onVerdict each packet's position and frame lengths in the input, with any worker count", async () => {
    const where = (p: PacketRecord) =>
      [p.packetNumber, p.byteOffset, p.wireLength, p.capturedLength, p.interfaceId].join(" ");
    const everything: string[] = [];
    for (const file of ["ethernet-snap46.pcap", "ethernet-snap50.pcapng", "crafted-blocks.pcapng"]) {
      const bytes = readFileSync(`test/captures/files/${file}`);
      const read: string[] = [];
      await readCapture([bytes], (p) => void read.push(where(p)));
      everything.push(...read);
      for (const workers of [1, 2]) {
        const replayed: string[] = [];
        const result = await replay({
          state: await labState(),
          source: [bytes],
          workers,
          workerScript: SOURCE_WORKER,
          onVerdict: (r) => void replayed.push(where(r.packet)),
        });
        expect(result.inputError).toBeNull();
        expect(replayed.length, file).toBeGreaterThan(0);
        expect(replayed, `${file}, ${workers} workers`).toEqual(read);
      }
    }
    // Truncated frames and a second interface: fields a zeroed record would not match.
    const fields = everything.map((r) => r.split(" ").map(Number));
    expect(fields.some(([, , wire, captured]) => wire !== captured)).toBe(true);
    expect(fields.some(([, , , , interfaceId]) => interfaceId !== 0)).toBe(true);
  });

  it("covers what the workers must agree on: churn, garbage collection, hairpin, drops, NodePort", async () => {
    const { summary: pods, verdicts } = await run(() => spec(podsSpec));
    // kube-dns's pods looking themselves up: the source becomes the service loopback address.
    expect(
      verdicts.filter((v) => / 169\.254\.42\.1:\d+>172\.20\.0\.(197|248):53$/.test(v)).length,
    ).toBeGreaterThan(0);
    expect(pods.ct.gc.runs).toBe(3);
    expect(pods.ct.gc.deleted).toBeGreaterThan(0);
    const webpod = pods.backends.filter((b) => b.frontend === `${WEBPOD}/TCP`).map((b) => [b.address, b.id]);
    expect(webpod).toContainEqual(["172.20.1.126:80", null]);
    expect(webpod.map(([a]) => a)).toContain("172.20.1.200:80");
    const outside = (await run(() => spec(outsideSpec))).summary;
    expect(outside.drops.map((d) => d.reason)).toEqual(["IS_A_CLUSTERIP"]);
    expect(outside.skipped["synthetic-reply-to-dropped-request"]).toBeGreaterThan(0);
    expect(outside.backends.map((b) => b.address)).toContain("172.20.0.73:8081");
  });

  it("replays the same with the TS reference datapath as with Wasm", { timeout: 300_000 }, async () => {
    for (const input of [webpodSpec, podsSpec, outsideSpec]) {
      const wasm = await run(() => spec(input));
      const reference = await run(() => spec(input), { engine: "reference" });
      expect(figures(reference.summary)).toEqual(figures(wasm.summary));
      expect(reference.verdicts).toEqual(wasm.verdicts);
    }
    const sharded = await run(() => spec(podsSpec), { engine: "reference", workers: 2 });
    expect(figures(sharded.summary)).toEqual(figures((await run(() => spec(podsSpec))).summary));
  });

  it("reports a churn event the snapshot cannot take", async () => {
    const bad: SyntheticSpecJson = {
      ...webpodSpec,
      churn: [{ atSeconds: 0.1, service: "10.96.163.90:80/TCP", action: "remove", backend: "172.20.9.9:80" }],
    };
    for (const workers of [1, 2]) {
      const error: unknown = await run(() => spec(bad), { workers }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChurnError);
      expect((error as Error).message).toMatch(
        /172\.20\.9\.9:80 is not a backend of 10\.96\.163\.90:80\/TCP/,
      );
    }
  });
});

/** A Hubble flow line (the fields the reader reads). */
function hubbleFlow(
  time: string,
  verdict: string,
  src: string,
  dst: string,
  options: { drop?: string; point?: string; reply?: boolean } = {},
): string {
  const [saddr, sport] = src.split(":");
  const [daddr, dport] = dst.split(":");
  return JSON.stringify({
    flow: {
      time,
      verdict,
      ...(options.drop ? { drop_reason_desc: options.drop } : {}),
      IP: { source: saddr, destination: daddr, ipVersion: "IPv4" },
      l4: { TCP: { source_port: Number(sport), destination_port: Number(dport), flags: { SYN: true } } },
      Type: "L3_L4",
      node_name: "k8s-ctr",
      ...(options.point ? { trace_observation_point: options.point } : {}),
      is_reply: options.reply ?? false,
    },
  });
}

describe("stopping a replay with an AbortSignal", () => {
  const longSpec: SyntheticSpecJson = { ...podsSpec, churn: [], newConnectionsPerSecond: 200 };

  it.each([1, 2])("ends with the summary of what was read (%i workers)", async (workers) => {
    const full = await replay({ state: await labState(126), source: spec(longSpec), workers: 1 });
    const controller = new AbortController();
    let progressCalls = 0;
    const stopped = await replay({
      state: await labState(126),
      source: spec(longSpec),
      workers,
      workerScript: SOURCE_WORKER,
      signal: controller.signal,
      onProgress: () => {
        if (++progressCalls === 1) controller.abort("test");
      },
    });
    expect(stopped.aborted).toEqual({ reason: "test" });
    expect(stopped.summary.interrupted).toBe(true);
    expect(full.summary.interrupted).toBeUndefined();
    // One chunk of generated packets went through, not the whole workload.
    const read = (s: ReplaySummary) => s.packets + Object.values(s.skipped).reduce((a, b) => a + b, 0);
    expect(read(stopped.summary)).toBeGreaterThan(0);
    expect(read(stopped.summary)).toBeLessThan(read(full.summary));
    expect(stopped.summary.verdicts.forwarded + stopped.summary.verdicts.dropped).toBe(
      stopped.summary.packets,
    );
  });

  it("reads nothing when the signal is already aborted", async () => {
    const stopped = await replay({
      state: await labState(),
      source: spec(podsSpec),
      workers: 1,
      signal: AbortSignal.abort("early"),
    });
    expect(stopped.aborted).toEqual({ reason: "early" });
    expect(stopped.summary.packets).toBe(0);
  });
});

describe("replay of Hubble flows", () => {
  it("keeps Hubble's verdict beside the emulated one and counts agreements", async () => {
    const lines = [
      // Seen leaving its pod, before any translation: only the verdict is comparable.
      hubbleFlow("2024-01-01T00:00:00.1Z", "FORWARDED", "172.20.0.96:40000", "10.96.163.90:80", {
        point: "FROM_ENDPOINT",
      }),
      hubbleFlow("2024-01-01T00:00:00.2Z", "FORWARDED", "172.20.0.96:40001", "10.96.0.10:9153"),
      // From outside to a ClusterIP: Cilium drops it, Hubble saw it forwarded (a disagreement).
      hubbleFlow("2024-01-01T00:00:00.3Z", "FORWARDED", "203.0.113.7:5000", "10.96.163.90:80", {
        point: "FROM_NETWORK",
      }),
      hubbleFlow("2024-01-01T00:00:00.4Z", "DROPPED", "203.0.113.8:5000", "10.96.163.90:80", {
        drop: "IS_A_CLUSTERIP",
      }),
      hubbleFlow("2024-01-01T00:00:00.5Z", "TRANSLATED", "172.20.0.96:40002", "10.96.163.90:80"),
    ];
    const observed: (string | undefined)[] = [];
    const result = await replay({
      state: await labState(),
      source: bytes(lines.join("\n") + "\n"),
      workers: 1,
      onVerdict: (r) => observed.push(r.observed?.verdict),
    });
    expect(result.summary.format).toBe("hubble");
    expect(observed).toEqual(["FORWARDED", "FORWARDED", "FORWARDED", "DROPPED", "TRANSLATED"]);
    expect(result.summary.observed).toEqual({
      compared: 4,
      agree: 3,
      disagree: 1,
      notComparable: 1,
      byKind: { verdict: 1, "drop-reason": 0, "observation-point": 0, "translated-destination": 0 },
      disagreements: [
        { kind: "verdict", observed: "FORWARDED", emulated: "DROPPED IS_A_CLUSTERIP", flows: 1 },
      ],
    });
  });

  it("compares the drop reason, the exit observation point and the destination after translation", async () => {
    const lines = [
      // Another cluster's drop reason for a flow the lab drops as IS_A_CLUSTERIP.
      hubbleFlow("2024-01-01T00:00:00.1Z", "DROPPED", "203.0.113.9:5000", "10.96.163.90:80", {
        drop: "SERVICE_BACKEND_NOT_FOUND",
      }),
      // Pod to a pod on the same node: Hubble says it left to the overlay.
      hubbleFlow("2024-01-01T00:00:00.2Z", "FORWARDED", "172.20.0.96:40003", "172.20.0.66:80", {
        point: "TO_OVERLAY",
      }),
      // Seen at the backend's endpoint still addressed to the ClusterIP: the emulator translates it.
      hubbleFlow("2024-01-01T00:00:00.3Z", "FORWARDED", "172.20.0.96:40004", "10.96.163.90:80", {
        point: "TO_ENDPOINT",
      }),
    ];
    const points: string[] = [];
    const result = await replay({
      state: await labState(),
      source: bytes(lines.join("\n") + "\n"),
      workers: 1,
      onVerdict: (r) => points.push(OBSERVATION_POINT_NAMES[r.verdict.observationPoint] ?? ""),
    });
    expect(points.slice(0, 2)).toEqual(["FROM_NETWORK", "TO_ENDPOINT"]);
    // Where the ClusterIP flow went depends on the backend chosen; TO_ENDPOINT agrees, anything else not.
    const third = points[2]!;
    const o = result.summary.observed!;
    expect(o.compared).toBe(3);
    expect(o.agree).toBe(0);
    expect(o.byKind).toEqual({
      verdict: 0,
      "drop-reason": 1,
      "observation-point": third === "TO_ENDPOINT" ? 1 : 2,
      "translated-destination": 1,
    });
    expect(o.disagreements).toContainEqual({
      kind: "drop-reason",
      observed: "SERVICE_BACKEND_NOT_FOUND",
      emulated: "IS_A_CLUSTERIP",
      flows: 1,
    });
    expect(o.disagreements).toContainEqual({
      kind: "observation-point",
      observed: "TO_OVERLAY",
      emulated: "TO_ENDPOINT",
      flows: 1,
    });
    expect(o.disagreements).toContainEqual({
      kind: "translated-destination",
      observed: "TO_ENDPOINT with the destination as read",
      emulated: "destination translated",
      flows: 1,
    });
  });
});

describe("replay of a capture", () => {
  const capture = (name: string) => () => [readFileSync(`test/captures/files/${name}`)];

  it("decides the entry point from the source, or takes --from-pod / --from-netdev", async () => {
    const state = await labState();
    const pods = new Set(state.endpoints.filter((e) => !e.isHost).map((e) => e.address));
    const local = new Set(state.endpoints.map((e) => e.address));
    const replayWith = async (entry: EntryPoint | null) => {
      const seen: { entry: EntryPoint; fromPod: boolean; local: boolean; drop: number }[] = [];
      await replay({
        state,
        source: capture("ethernet-usec.pcap")(),
        workers: 1,
        entry,
        onVerdict: (r) =>
          seen.push({
            entry: r.packet.entry,
            fromPod: pods.has(r.packet.saddr),
            local: local.has(r.packet.saddr),
            drop: r.verdict.dropReason,
          }),
      });
      return seen;
    };
    const heuristic = await replayWith(null);
    expect(heuristic.some((p) => p.fromPod)).toBe(true);
    expect(heuristic.every((p) => p.entry === EntryPoint.Unknown && p.drop !== 132)).toBe(true);
    // Forced from the pod: a packet whose source is no local endpoint is refused (INVALID_SOURCE_IP).
    const fromPod = await replayWith(EntryPoint.FromEndpoint);
    expect(fromPod).toHaveLength(heuristic.length);
    expect(fromPod.filter((p) => !p.local).length).toBeGreaterThan(0);
    for (const p of fromPod) {
      expect(p.entry).toBe(EntryPoint.FromEndpoint);
      expect(p.drop === 132).toBe(!p.local);
    }
    const fromNetdev = await replayWith(EntryPoint.FromNetwork);
    expect(fromNetdev.every((p) => p.entry === EntryPoint.FromNetwork && p.drop !== 132)).toBe(true);
  });

  it("refuses an entry point for inputs that carry their own", async () => {
    await expect(run(() => spec(webpodSpec), { entry: EntryPoint.FromNetwork })).rejects.toThrow(
      ReplayOptionError,
    );
  });

  it("stops at a cut record with its offset and packet number, keeping the summary of what was read", async () => {
    for (const workers of [1, 2]) {
      const result = await replay({
        state: await labState(),
        source: [readFileSync("test/captures/files/cut-in-packet.pcap")],
        workers,
        workerScript: SOURCE_WORKER,
      });
      expect(result.inputError?.packetNumber).toBe(29);
      expect(result.inputError?.byteOffset).toBe(2272);
      const s = result.summary;
      expect(s.packets + Object.values(s.skipped).reduce((a, b) => a + b, 0)).toBe(28);
      expect(s.packets).toBe(s.verdicts.forwarded + s.verdicts.dropped);
    }
  });
});

describe("the default threads of a replay", () => {
  it("runs a small input in this thread and a large or unknown one behind the reader", async () => {
    const cores = availableParallelism();
    expect(await defaultWorkerCount(SMALL_INPUT_BYTES - 1)).toBe(1);
    expect(usesPipeline(1, SMALL_INPUT_BYTES - 1)).toBe(false);
    // The reader takes a core; the rest run the datapath (on two cores: one worker, pipelined).
    const large = await defaultWorkerCount(SMALL_INPUT_BYTES);
    expect(large).toBe(Math.max(1, Math.min(MAX_WORKERS, cores - 1)));
    expect(await defaultWorkerCount()).toBe(large);
    expect(usesPipeline(1, SMALL_INPUT_BYTES)).toBe(true);
    expect(usesPipeline(1)).toBe(true);
    expect(usesPipeline(2, SMALL_INPUT_BYTES)).toBe(false);
  });

  it("runs one pipelined worker on a worker thread, and one not pipelined in this thread", async () => {
    const options = {
      state: await labState(),
      workers: 1,
      workerScript: new URL("./no-such-worker.js", import.meta.url),
    };
    const inThread = await replay({ ...options, source: spec(podsSpec) });
    expect(inThread.summary.packets).toBeGreaterThan(0);
    await expect(replay({ ...options, source: spec(podsSpec), pipelined: true })).rejects.toThrow(/worker/);
  });
});
