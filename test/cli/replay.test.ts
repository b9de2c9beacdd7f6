// `dpemu replay` end to end, as a user runs it (the built dist/, which `npm test` builds first), on
// the bundled examples/lab-3node snapshot: a synthetic workload, captures from test/captures, a cut
// capture, the JSON verdict stream and summary, and command-line mistakes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));
const CAPTURES = "test/captures/files";
const WEBPOD_BACKENDS = ["172.20.0.66:80", "172.20.1.126:80", "172.20.2.1:80"];

function dpemu(...args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, "replay", ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dir = mkdtempSync(join(tmpdir(), "dpemu-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SPEC = join(dir, "webpod.json");
writeFileSync(
  SPEC,
  JSON.stringify({
    seed: 3,
    connections: 200,
    clients: { count: 1, cidr: "172.20.0.96/32" },
    services: [{ address: "10.96.163.90", port: 80, proto: "TCP" }],
    connectionLength: { distribution: "uniform", min: 1, max: 5 },
    newConnectionsPerSecond: 100,
  }),
);

const SUMMARY_KEYS = [
  "format",
  "packets",
  "skipped",
  "flows",
  "verdicts",
  "drops",
  "services",
  "backends",
  "ct",
  "nat",
  "workers",
  "elapsedSeconds",
  "packetsPerSecond",
];
const VERDICT_KEYS = [
  "packet",
  "time",
  "src",
  "dst",
  "proto",
  "verdict",
  "dropReason",
  "observationPoint",
  "ctState",
  "service",
  "backend",
  "translated",
  "srcIdentity",
  "dstIdentity",
  "tunnelEndpoint",
];

interface Summary {
  packets: number;
  skipped: Record<string, number>;
  flows: number;
  backends: { frontend: string; address: string; packetShare: number; flows: number }[];
  ct: { tcp: { entries: number; max: number } };
}

describe("dpemu replay", () => {
  it("replays a synthetic workload against the lab and prints the per-backend shares", () => {
    const run = dpemu("--input", SPEC, "--workers", "2");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Replay summary\n/);
    expect(run.stdout).toMatch(/flows +200 connections opened/);
    expect(run.stdout).toContain("10.96.163.90:80/TCP (20)");
    for (const backend of WEBPOD_BACKENDS) {
      expect(run.stdout).toMatch(
        new RegExp(
          `\\n +${backend.replace(/\./g, "\\.")} \\(ID \\d+\\) +[\\d,]+ +\\d+\\.\\d% +\\d+ +\\d+\\.\\d%\\n`,
        ),
      );
    }
    expect(run.stdout).toMatch(/Elapsed +\d+\.\d\d s, [\d,]+ packets\/s/);
  });

  it("writes the summary JSON under the documented keys, the same for 1 and 3 workers", () => {
    const summaries = ["1", "3"].map((workers) => {
      const run = dpemu("--input", SPEC, "--workers", workers, "--summary-json", "-");
      expect(run.code).toBe(0);
      // The table moves to stderr when stdout carries JSON.
      expect(run.stderr).toMatch(/^Replay summary/);
      const doc = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(Object.keys(doc)).toEqual(SUMMARY_KEYS);
      const { elapsedSeconds: _e, packetsPerSecond: _p, workers: _w, ...figures } = doc;
      // Occupancy is of the workers' maps together, so never above 100% for entries one map holds.
      const tcp = (doc as unknown as Summary).ct.tcp;
      const shown = /\n {2}CT TCP +([\d,]+) \/ ([\d,]+)(?: in (\d) workers' maps)? \((\d+\.\d\d)%\)\n/.exec(
        run.stderr,
      );
      expect(shown?.slice(1)).toEqual([
        tcp.entries.toLocaleString("en-US"),
        (tcp.max * Number(workers)).toLocaleString("en-US"),
        workers === "1" ? undefined : workers,
        ((tcp.entries / (tcp.max * Number(workers))) * 100).toFixed(2),
      ]);
      // Each worker holds maps of the node's size: the capacity is theirs together.
      return JSON.parse(
        JSON.stringify(figures, (key, value: unknown) => (key === "capacity" ? undefined : value)),
      );
    });
    expect(summaries[1]).toEqual(summaries[0]);
    const s = summaries[0] as unknown as Summary;
    expect(s.flows).toBe(200);
    expect(s.backends.map((b) => b.address).sort()).toEqual(WEBPOD_BACKENDS);
    expect(s.backends.reduce((n, b) => n + b.flows, 0)).toBe(200);
  });

  it("streams JSON lines a user can pipe into jq, one per replayed packet", () => {
    const summaryFile = join(dir, "summary.json");
    const run = dpemu("--input", SPEC, "--verdicts", "-", "--output", "json", "--summary-json", summaryFile);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    const summary = JSON.parse(readFileSync(summaryFile, "utf8")) as Summary;
    expect(lines).toHaveLength(summary.packets);
    lines.forEach((line, i) => {
      const doc = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(doc).filter((k) => k !== "tcpFlags")).toEqual(VERDICT_KEYS);
      expect(doc.packet).toBe(i + 1);
      expect(doc.time).toMatch(/^2024-01-01T\d\d:\d\d:\d\d\.\d{9}Z$/);
      expect(doc.src).toMatch(/^\d+\.\d+\.\d+\.\d+:\d+$/);
      expect(doc.proto).toBe("TCP");
      const translated = doc.translated as { saddr: string; sport: number; daddr: string; dport: number };
      if (doc.dst === "10.96.163.90:80") {
        expect(WEBPOD_BACKENDS).toContain(`${translated.daddr}:${translated.dport}`);
      } else {
        expect(WEBPOD_BACKENDS).toContain(doc.src);
        expect(`${translated.saddr}:${translated.sport}`).toBe("10.96.163.90:80");
      }
    });
  });

  it("writes a Hubble-like text stream to a file", () => {
    const file = join(dir, "verdicts.txt");
    const run = dpemu("--input", SPEC, "--verdicts", file);
    expect(run.code).toBe(0);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^Jan {2}1 00:00:00\.000: 172\.20\.0\.96:\d+ \(ID:63446\) -> 10\.96\.163\.90:80 \(ID:8469\) to-(endpoint|overlay) FORWARDED \(TCP Flags: SYN\) xlate 172\.20\.0\.96:\d+ -> 172\.20\.\d\.\d+:80$/,
    );
  });

  it("replays pcap captures: every frame replayed or skipped by kind", { timeout: 300_000 }, () => {
    for (const name of ["ethernet-nsec.pcap", "lo-sll.pcap", "multi-interface.pcapng"]) {
      const frames = readFileSync(join(CAPTURES, `${name}.tshark.jsonl`), "utf8")
        .trimEnd()
        .split("\n").length;
      const run = dpemu("examples/lab-3node", "--input", join(CAPTURES, name), "--summary-json", "-");
      expect(run.code).toBe(0);
      const s = JSON.parse(run.stdout) as Summary;
      expect(s.packets + Object.values(s.skipped).reduce((a, b) => a + b, 0)).toBe(frames);
      expect(s.packets).toBeGreaterThan(0);
    }
  });

  it("stops at a cut capture with exit 2, naming the byte offset and packet, after the summary", () => {
    const run = dpemu("--input", join(CAPTURES, "cut-in-packet.pcap"), "--workers", "1");
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^Replay summary\n {2}packets +19 replayed, 28 read \(pcap\)/);
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/cut-in-packet\.pcap: .*\(packet 29, byte offset 2272\)/);
  });

  it("refuses bad command lines with one line and exit 2", { timeout: 300_000 }, () => {
    const cases: [string[], RegExp][] = [
      [["--input", SPEC, "--workers", "0"], /--workers must be an integer 1\.\.254/],
      [["--input", SPEC, "--format", "csv"], /--format must be one of auto, pcap, pcapng, hubble, synthetic/],
      [
        ["--input", SPEC, "--verdicts", "-", "--output", "xml"],
        /--output must be one of compact, text, json/,
      ],
      [["--input", SPEC, "--algorithm", "hash"], /--algorithm must be one of maglev, random/],
      [
        ["--input", SPEC, "--from-pod"],
        /applies to pcap and pcapng captures; a synthetic spec sets clients\.entry/,
      ],
      [["--input", SPEC, "--from-pod", "--from-netdev"], /exclude each other/],
      [["--input", join(dir, "missing.pcap")], /missing\.pcap: --input expects a capture file/],
      [["--input", "examples/lab-3node/service-list.txt"], /service-list\.txt: unrecognised input/],
      [["--input", SPEC, "--node", "nope"], /--node "nope": no such node/],
      [["--input", SPEC, "--verdicts", "v.txt", "--summary-json", "./v.txt"], /both write to the same file/],
      [["--input", SPEC, "--verdicts", "-", "--summary-json", "-"], /both write to stdout/],
      [["--input", SPEC, "-o", "json"], /apply to the verdict stream: add --verdicts/],
      [["--input", SPEC, "--verdict", "DROPPED"], /apply to the verdict stream: add --verdicts/],
      [["--input", SPEC, "--verdicts", "-", "--verdict", "LOST"], /--verdict must be FORWARDED or DROPPED/],
      [["--input", SPEC, "--verdicts", "-", "--from-ip", "10.0.0.300"], /--from-ip expects an IPv4 address/],
      [
        ["--input", SPEC, "--verdicts", "-", "--drop-reason", "NOPE"],
        /--drop-reason expects a Hubble drop reason/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = dpemu(...args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr.trimEnd().split("\n"), args.join(" ")).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
  });
});
