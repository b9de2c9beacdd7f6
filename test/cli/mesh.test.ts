// `dpemu trace|replay --mesh` end to end (the built dist/), on examples/clustermesh-lab: the cluster
// of every hop in text and JSON, a capture replayed across both clusters, and clear errors.
/* eslint-disable @typescript-eslint/no-explicit-any -- the CLI's JSON documents are read back untyped and checked field by field */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { pcapFileHeader, pcapRecordOf } from "../../src/readers/pcap-writer.js";
import { createPacketRecord, TcpFlag } from "../../src/model/packet.js";
import { requireIPv4 } from "../../src/model/ipv4.js";

const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));
const LAB = fileURLToPath(new URL("../../examples/clustermesh-lab", import.meta.url));
const MESH = ["--mesh", `west=${LAB}/west`, "--mesh", `east=${LAB}/east`];

function dpemu(...args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const curl = (port: number, ...more: string[]) =>
  dpemu(
    "trace",
    ...MESH,
    "--from",
    `10.0.1.10:${port}`,
    "--to",
    "10.2.147.197:80",
    "--algorithm",
    "maglev",
    ...more,
  );

describe("dpemu --mesh", () => {
  it("trace names the cluster of every hop: west's node routes to east's, which delivers; the reply comes back", () => {
    // Maglev sends port 40003 to east and 40002 to west (each CLI run builds four nodes: keep it short).
    const docs = [40002, 40003].map((port) => {
      const run = curl(port, "--json");
      expect(run.code).toBe(0);
      return JSON.parse(run.stdout) as Record<string, any>;
    });
    expect(docs[0]!.clusters).toEqual([
      { name: "west", id: 1, nodes: ["west/west-control-plane", "west/west-worker"] },
      { name: "east", id: 2, nodes: ["east/east-control-plane", "east/east-worker"] },
    ]);
    const crossing = docs.find((d) => d.backend.cluster === "east")!;
    expect(crossing.hops.map((h: any) => [h.cluster, h.node])).toEqual([
      ["west", "west/west-worker"],
      ["east", "east/east-worker"],
    ]);
    expect(crossing.reply.hops.map((h: any) => h.cluster)).toEqual(["east", "west"]);
    expect(crossing.reply.source).toEqual({ saddr: "10.2.147.197", sport: 80 });
    expect(docs.some((d) => d.backend.cluster === "west")).toBe(true);
    const text = curl(Number(crossing.hops[0].received.sport));
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /\[west\/west-worker\][\s\S]*routed natively to east\/east-worker[\s\S]*\[east\/east-worker\]/,
    );
  });

  it("with affinity local every connection stays in west", () => {
    for (const port of [40003]) {
      const run = curl(port, "--json", "--affinity", "local");
      expect((JSON.parse(run.stdout) as Record<string, any>).backend.cluster).toBe("west");
    }
  });

  it("replay --mesh counts packets on the nodes of both clusters", () => {
    const dir = mkdtempSync(join(tmpdir(), "dpemu-mesh-"));
    try {
      const client = requireIPv4("10.0.1.10");
      const svc = requireIPv4("10.2.147.197");
      const parts = [pcapFileHeader()];
      for (let i = 0; i < 40; i++)
        parts.push(
          pcapRecordOf({
            ...createPacketRecord(),
            seconds: 1_700_000_000 + i,
            saddr: client,
            daddr: svc,
            sport: 41000 + i,
            dport: 80,
            proto: 6,
            tcpFlags: TcpFlag.SYN,
            ipLength: 52,
          }),
        );
      const capture = join(dir, "curl.pcap");
      writeFileSync(capture, Buffer.concat(parts));
      const run = dpemu(
        "replay",
        ...MESH,
        "--input",
        capture,
        "--algorithm",
        "maglev",
        "--summary-json",
        "-",
      );
      expect(run.code).toBe(0);
      const doc = JSON.parse(run.stdout) as Record<string, any>;
      expect(doc.mesh.clusters.map((c: any) => c.name)).toEqual(["west", "east"]);
      expect(doc.mesh.nodes["west/west-worker"].packets).toBe(40);
      expect(doc.mesh.nodes["east/east-worker"].packets).toBeGreaterThan(5);
      expect(doc.mesh.ends.delivered).toBe(40);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("compare --mesh prints each scenario per algorithm and writes the HTML page", () => {
    const dir = mkdtempSync(join(tmpdir(), "dpemu-mesh-"));
    try {
      const html = join(dir, "mesh.html");
      const run = dpemu("compare", ...MESH, "--connections", "100", "--html", html);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /^100 connections from 10\.0\.1\.10 \(cluster west\) to 10\.2\.147\.197:80\/TCP/,
      );
      for (const scenario of ["scale west to 0 and back", "flip affinity", "lose east"])
        expect(run.stdout).toContain(`Scenario: ${scenario}`);
      expect(run.stdout).toMatch(
        /maglev\twest back\twest \d+%, east \d+%\t[\d.]+%\t[\d.]+% \([\d.]+%\)\t0\.0%\t0\.0% \(0\.0%\)/,
      );
      const page = readFileSync(html, "utf8");
      expect(page).toContain("<h2>lose east</h2>");
      const json = dpemu("compare", ...MESH, "--connections", "20", "-o", "json");
      const doc = JSON.parse(json.stdout) as Record<string, any>;
      expect(doc.mesh.results.map((r: any) => `${r.scenario}/${r.algorithm}`)).toHaveLength(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects a single cluster, a bad spec and a missing directory with one line and exit 2", () => {
    const one = dpemu(
      "trace",
      "--mesh",
      `west=${LAB}/west`,
      "--from",
      "10.0.1.10:1",
      "--to",
      "10.2.147.197:80",
    );
    expect([one.code, one.stderr]).toEqual([2, expect.stringMatching(/a mesh needs two or more clusters/)]);
    const bad = dpemu(
      "trace",
      "--mesh",
      "we st=x",
      "--mesh",
      `east=${LAB}/east`,
      "--from",
      "10.0.1.10:1",
      "--to",
      "1.2.3.4:80",
    );
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/expected NAME\[:ID\]=DIR/)]);
    const missing = dpemu(
      "trace",
      ...MESH.slice(0, 2),
      "--mesh",
      "east=/nonexistent/dpemu",
      "--from",
      "10.0.1.10:1",
      "--to",
      "1.2.3.4:80",
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split("\n").at(-1)).toMatch(/nonexistent\/dpemu: no such file or directory/);
  });
});
