// `dpemu compare` end to end, as a user runs it (the built dist/, which `npm test` builds first).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));

function dpemu(...args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, "compare", ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface AlgorithmJson {
  balance: { peakToMean: number; cov: number; shares: Record<string, number> };
  churn: {
    event: string;
    count: number;
    disruptedFraction: number;
    optimalFraction: number;
    keptWithCtFraction: number | null;
  }[];
  failover: { brokenFraction: number; flows: number; measuredThrough: string };
  selectNsPerFlow: number;
  buildMs?: number;
}

interface CompareJson {
  services: {
    frontend: string;
    backends: number;
    flows: number;
    ctFlows: number;
    algorithms: { maglev: AlgorithmJson; random: AlgorithmJson };
  }[];
  sweep: { tableSize: number; buildMs: number; entryPeakToMean: number; memoryBytes: number }[];
}

describe("dpemu compare", () => {
  it("with no arguments compares the bundled snapshot's multi-backend services", () => {
    const run = dpemu();
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    // kube-dns (TCP, UDP, metrics) and webpod are the lab's services with at least two backends.
    for (const frontend of [
      "10.96.0.10:53/TCP",
      "10.96.0.10:53/UDP",
      "10.96.0.10:9153/TCP",
      "10.96.163.90:80/TCP",
    ]) {
      expect(lines.some((l) => l.startsWith(`${frontend} `))).toBe(true);
    }
    expect(lines.some((l) => l.startsWith("10.96.0.1:443/TCP"))).toBe(false);
    for (const title of [
      "Node failover:",
      "Balance:",
      "Backend churn (no CT):",
      "Backend churn (with CT):",
      "Table size:",
      "Cost:",
    ]) {
      expect(lines.filter((l) => l.startsWith(title))).toHaveLength(1);
    }
    expect(run.stdout).toMatch(/breaks 0\.0% of established connections with Maglev/);
    expect(run.stdout).toContain("up to 4096 flows per service (CT flows) through emulated Cilium nodes");
    expect(run.stdout).toMatch(/adding a backend keeps 100\.0% with Maglev, 100\.0% with random/);
  });

  it("--json - prints the documented keys and no table", () => {
    const run = dpemu("--service", "20", "--flows", "3000", "--json", "-");
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as CompareJson;
    expect(doc.services).toHaveLength(1);
    const service = doc.services[0]!;
    expect(service.frontend).toBe("10.96.163.90:80/TCP");
    expect(service.backends).toBe(3);
    expect(service.flows).toBe(3000);
    // Fewer flows than the CT cap: all of them go through the emulated nodes.
    expect(service.ctFlows).toBe(3000);
    for (const name of ["maglev", "random"] as const) {
      const a = service.algorithms[name];
      expect(Object.keys(a.balance.shares).sort()).toEqual([
        "172.20.0.66:80",
        "172.20.1.126:80",
        "172.20.2.1:80",
      ]);
      expect(typeof a.balance.peakToMean).toBe("number");
      expect(typeof a.balance.cov).toBe("number");
      expect(a.churn.map((c) => c.event)).toEqual(["remove", "remove", "add", "add", "weight", "rolling"]);
      for (const c of a.churn) {
        expect(Object.keys(c)).toEqual([
          "event",
          "count",
          "disruptedFraction",
          "optimalFraction",
          "keptWithCtFraction",
        ]);
        // With CT only the removed or replaced backends' connections move.
        if (c.event === "add" || c.event === "weight") expect(c.keptWithCtFraction).toBe(1);
        else expect(c.keptWithCtFraction).toBeLessThan(1);
      }
      expect(typeof a.failover.brokenFraction).toBe("number");
      expect(a.failover.flows).toBe(3000);
      expect(a.failover.measuredThrough).toBe("datapath");
      expect(a.selectNsPerFlow).toBeGreaterThan(0);
    }
    expect(service.algorithms.maglev.buildMs).toBeGreaterThan(0);
    expect(service.algorithms.random.buildMs).toBeUndefined();
    expect(service.algorithms.maglev.failover.brokenFraction).toBe(0);
    expect(doc.sweep.map((p) => p.tableSize)).toEqual([
      251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071,
    ]);
    for (const p of doc.sweep) {
      expect(Object.keys(p).slice(0, 4)).toEqual(["tableSize", "buildMs", "entryPeakToMean", "memoryBytes"]);
      expect(p.memoryBytes).toBe(p.tableSize * 4);
    }
  });

  it("sends a 0.0.0.0 NodePort's flows to the node address and caps them at --ct-flows", () => {
    const run = dpemu("--service", "1", "--flows", "2000", "--ct-flows", "500", "--json", "-");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const service = (JSON.parse(run.stdout) as CompareJson).services[0]!;
    expect(service.frontend).toBe("0.0.0.0:30003/TCP");
    expect(service.flows).toBe(2000);
    expect(service.ctFlows).toBe(500);
    expect(service.algorithms.random.failover).toEqual({
      brokenFraction: 0,
      flows: 500,
      measuredThrough: "datapath",
    });
  });

  it("compares a synthetic weighted service and writes the JSON and HTML files", () => {
    const dir = mkdtempSync(join(tmpdir(), "dpemu-compare-"));
    const json = join(dir, "out.json");
    const html = join(dir, "out.html");
    const run = dpemu(
      "--backends",
      "4",
      "--weights",
      "100,100,200,400",
      "--flows",
      "20000",
      "--json",
      json,
      "--html",
      html,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("192.0.2.1:80/TCP");
    expect(run.stderr).toContain(`JSON report written to ${json}`);
    const doc = JSON.parse(readFileSync(json, "utf8")) as CompareJson;
    const shares = doc.services[0]!.algorithms.maglev.balance.shares;
    expect(Object.values(shares)[3]).toBeCloseTo(0.5, 1);
    expect(existsSync(html)).toBe(true);
    expect(readFileSync(html, "utf8")).toMatch(/^<!DOCTYPE html>/);
  });

  it("--input takes the flows a capture or synthetic spec carries to the compared services", () => {
    const dir = mkdtempSync(join(tmpdir(), "dpemu-compare-"));
    const spec = join(dir, "spec.json");
    writeFileSync(
      spec,
      JSON.stringify({
        seed: 7,
        connections: 1500,
        clients: { count: 100, cidr: "10.128.0.0/16" },
        services: [
          { address: "10.96.163.90", port: 80, proto: "TCP" },
          { address: "10.96.0.10", port: 53, proto: "UDP" },
        ],
        newConnectionsPerSecond: 1000,
      }),
    );
    const run = dpemu("--input", spec, "--json", "-");
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as CompareJson & { notes: string[] };
    // Every generated connection lands on one of the two services; the others get no flows.
    expect(doc.services.map((s) => s.frontend).sort()).toEqual(["10.96.0.10:53/UDP", "10.96.163.90:80/TCP"]);
    expect(doc.services.reduce((sum, s) => sum + s.flows, 0)).toBe(1500);
    expect(doc.notes.some((n) => /\(synthetic\): \d+ packets read/.test(n))).toBe(true);
    expect(doc.notes).toContain("no flows reached 10.96.0.10:53/TCP, 10.96.0.10:9153/TCP: left out");

    const pcap = fileURLToPath(new URL("../captures/files/ethernet-usec.pcap", import.meta.url));
    const captured = dpemu("--input", pcap, "--service", "20", "--json", "-");
    expect(captured.code).toBe(0);
    expect((JSON.parse(captured.stdout) as CompareJson).services[0]!.flows).toBeGreaterThan(0);
  });

  it("reports bad input on one line with exit code 2", () => {
    const cases: [string[], RegExp][] = [
      [["--table-size", "1000"], /Maglev table size 1000 is not supported/],
      [["--service", "999"], /--service 999 matches no IPv4 service .* known: 1 0\.0\.0\.0:30003\/TCP/],
      [["--backends", "0"], /--backends must be an integer 1\.\.65536/],
      [["--backends", "3", "--weights", "1,2"], /--weights lists 2 weights for 3 backends/],
      [["--flows", "abc"], /--flows must be an integer/],
      [["--ct-flows", "20000"], /--ct-flows must be an integer 1\.\.16384/],
      [["--cluster-seed", "short"], /base64/],
      [["/nonexistent/snapshot"], /\/nonexistent\/snapshot: expected a snapshot directory/],
      [["--input", "/nonexistent.pcap"], /\/nonexistent\.pcap: expected a capture file/],
      [
        ["--input", fileURLToPath(new URL("../captures/files/cut-in-packet.pcap", import.meta.url))],
        /cut-in-packet\.pcap: file ends inside a packet record.*\(packet 29, byte offset 2272\)/,
      ],
      [
        ["--input", "package.json", "--clients", "5"],
        /--clients makes synthetic flows; drop it with --input/,
      ],
      [["--flows", "100", "--json", "-", "--html", "-"], /--json - and --html both write to stdout/],
      [["--flows", "100", "-o", "json", "--html", "-"], /-o json and --html both write to stdout/],
      [["--flows", "100", "--json", "r.out", "--html", "./r.out"], /both write to the same file/],
      [["--flows", "100", "-o", "yaml"], /--output must be one of text, json/],
    ];
    for (const [args, message] of cases) {
      const run = dpemu(...args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stdout).toBe("");
    }
  });
});
