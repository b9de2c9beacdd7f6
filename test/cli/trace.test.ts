// `dpemu trace` end to end, as a user runs it (the built dist/, which `npm test` builds first), on
// the bundled examples/lab-3node snapshot (node k8s-ctr).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fixturePath } from "../helpers/fixtures.js";

const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));

function dpemu(...args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, "trace", ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function json(...args: string[]): Record<string, unknown> {
  const run = dpemu(...args, "--json");
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

const WEBPOD_BACKENDS = ["172.20.0.66:80/TCP", "172.20.1.126:80/TCP", "172.20.2.1:80/TCP"];

describe("dpemu trace", () => {
  it("prints the documented JSON for curl-pod to webpod", () => {
    const doc = json("--from", "172.20.0.96:40000", "--to", "10.96.163.90:80");
    expect(Object.keys(doc)).toEqual([
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
      "steps",
    ]);
    expect(doc).toMatchObject({
      verdict: "FORWARDED",
      dropReason: null,
      ctState: "new",
      service: { revNatId: 20, frontend: "10.96.163.90:80/TCP" },
      srcIdentity: 63446,
      dstIdentity: 8469,
    });
    const backend = doc.backend as { id: number; address: string };
    expect(WEBPOD_BACKENDS).toContain(backend.address);
    const translated = doc.translated as { saddr: string; sport: number; daddr: string; dport: number };
    expect(`${translated.daddr}:${translated.dport}/TCP`).toBe(backend.address);
    expect(translated).toMatchObject({ saddr: "172.20.0.96", sport: 40000 });
    if (backend.address.startsWith("172.20.0.")) {
      expect(doc).toMatchObject({ observationPoint: "TO_ENDPOINT", tunnelEndpoint: null });
    } else {
      expect(doc.observationPoint).toBe("TO_OVERLAY");
      expect(doc.tunnelEndpoint).toBe(
        backend.address.startsWith("172.20.1.") ? "192.168.10.101" : "192.168.20.100",
      );
    }
  });

  it(
    "reaches every webpod backend over different seeds, and the same one for the same seed",
    { timeout: 300_000 },
    () => {
      const pick = (seed: number) =>
        (
          json("--from", "172.20.0.96", "--to", "10.96.163.90:80", "--seed", String(seed)).backend as {
            address: string;
          }
        ).address;
      const picks = [1, 2, 3, 4, 5, 6, 7, 8].map(pick);
      expect(new Set(picks)).toEqual(new Set(WEBPOD_BACKENDS));
      expect(pick(3)).toBe(picks[2]);
    },
  );

  it("prints the path Hubble-style", () => {
    const run = dpemu("--from", "172.20.0.96:40000", "--to", "10.96.163.90:80", "--flags", "SYN");
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n").filter((l) => !l.startsWith("    ") && l !== "");
    expect(lines[0]).toMatch(
      /172\.20\.0\.96:40000 \(ID:63446\) <> 10\.96\.163\.90:80 \(world\) pre-xlate-fwd TRACED \(TCP\)$/,
    );
    expect(lines[1]).toMatch(/<> 172\.20\.\d+\.\d+:80 \(ID:8469\) post-xlate-fwd TRANSLATED \(TCP\)$/);
    expect(lines[2]).toMatch(
      /-> 172\.20\.\d+\.\d+:80 \(ID:8469\) to-(endpoint|overlay) FORWARDED \(TCP Flags: SYN\)$/,
    );
  });

  it("puts the steps of the text output into the JSON, in the same order with the same notes", () => {
    const args = ["--from", "172.20.0.96:40000", "--to", "10.96.163.90:80"];
    const text = dpemu(...args)
      .stdout.trimEnd()
      .split("\n");
    const doc = json(...args);
    const steps = doc.steps as { point: string; verdict: string; src: { address: string }; note: string }[];
    // Two text lines per step: the Hubble-style line, then the note.
    expect(text).toHaveLength(steps.length * 2);
    steps.forEach((step, i) => {
      expect(text[2 * i]).toContain(` ${step.point} ${step.verdict}`);
      expect(text[2 * i]).toContain(step.src.address);
      expect(text[2 * i + 1]).toBe(`    ${step.note}`);
    });
    expect(steps.map((s) => s.point).slice(0, 2)).toEqual(["pre-xlate-fwd", "post-xlate-fwd"]);
    // -o json is the same document.
    const o = dpemu(...args, "-o", "json");
    expect(JSON.parse(o.stdout)).toEqual(doc);
  });

  it("--exit-status exits 1 for a dropped packet and 0 for a forwarded one; without it, 0", () => {
    const dropped = ["--from", "192.168.10.50:1234", "--to", "10.96.163.90:80"];
    expect(dpemu(...dropped).code).toBe(0);
    const run = dpemu(...dropped, "--exit-status");
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/DROPPED/);
    expect(run.stderr).toBe("");
    expect(dpemu("--from", "172.20.0.96:40000", "--to", "10.96.163.90:80", "--exit-status").code).toBe(0);
  });

  it("suggests the option a typo meant instead of calling a required one missing", () => {
    const run = dpemu("--form", "172.20.0.96", "--to", "10.96.163.90:80");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option '--form'/);
    expect(run.stderr).toMatch(/Did you mean --from\?/);
    expect(run.stderr).not.toMatch(/required option/);
    // A required option really missing is still reported as such.
    const missing = dpemu("--to", "10.96.163.90:80");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--from <ip\[:port\]>' not specified/);
  });

  it("drops a ClusterIP reached from outside, untranslated, with Hubble's reason", () => {
    const doc = json("--from", "192.168.10.50:1234", "--to", "10.96.163.90:80");
    expect(doc).toMatchObject({
      verdict: "DROPPED",
      dropReason: { code: 174, name: "IS_A_CLUSTERIP" },
      observationPoint: "FROM_NETWORK",
      backend: null,
      translated: { saddr: "192.168.10.50", sport: 1234, daddr: "10.96.163.90", dport: 80 },
    });
    const text = dpemu("--from", "192.168.10.50:1234", "--to", "10.96.163.90:80").stdout;
    expect(text).toMatch(/Is a ClusterIP DROPPED \(TCP Flags: SYN\)/);
  });

  it("serves NodePort 30003 on the node address and kube-dns over UDP", () => {
    expect(json("--from", "192.168.10.50:5000", "--to", "192.168.10.100:30003")).toMatchObject({
      verdict: "FORWARDED",
      observationPoint: "TO_ENDPOINT",
      service: { revNatId: 3, frontend: "192.168.10.100:30003/TCP" },
      backend: { address: "172.20.0.73:8081/TCP" },
    });
    const dns = json("--from", "172.20.0.96:5353", "--to", "10.96.0.10:53", "--proto", "udp");
    expect(dns.service).toEqual({ revNatId: 6, frontend: "10.96.0.10:53/UDP" });
    expect(["172.20.0.197:53/UDP", "172.20.0.248:53/UDP"]).toContain(
      (dns.backend as { address: string }).address,
    );
  });

  it("masquerades an ICMP echo from a pod to the outside", () => {
    expect(json("--from", "172.20.0.96", "--to", "8.8.8.8", "--proto", "icmp")).toMatchObject({
      verdict: "FORWARDED",
      observationPoint: "TO_NETWORK",
      translated: { saddr: "192.168.10.100", daddr: "8.8.8.8" },
      service: null,
    });
  });

  it("emulates a DSR snapshot without a not-emulated note, keeping the JSON clean", () => {
    const dir = mkdtempSync(join(tmpdir(), "dpemu-dsr-"));
    for (const name of readdirSync("examples/lab-3node")) {
      if (name !== "status-verbose.txt") copyFileSync(join("examples/lab-3node", name), join(dir, name));
    }
    copyFileSync(fixturePath("misc/status-verbose.kpr-dsr-maglev.txt"), join(dir, "status-verbose.txt"));
    const run = dpemu(dir, "--from", "192.168.10.50:5000", "--to", "192.168.10.100:30003", "--json");
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain("not emulated: NodePort traffic");
    expect(run.stderr).not.toContain("DSR, not emulated");
    expect(JSON.parse(run.stdout)).toMatchObject({
      verdict: "FORWARDED",
      backend: { address: "172.20.0.73:8081/TCP" },
    });
  });

  it.each([
    [["--from", "172.20.0.96", "--to", "10.96.163.90"], "--to needs a port"],
    [["--from", "not-an-ip", "--to", "10.96.163.90:80"], "--from expects IPv4"],
    [
      ["--from", "172.20.0.96", "--to", "10.96.163.90:80", "--proto", "gre"],
      "--proto must be tcp, udp or icmp",
    ],
    [
      ["--from", "172.20.0.96", "--to", "10.96.163.90:80", "--flags", "SYN,BOGUS"],
      'unknown TCP flag "BOGUS"',
    ],
    [["--from", "172.20.0.96", "--to", "10.96.163.90:80", "--node", "nope"], "no such node"],
    [
      ["--from", "172.20.0.96", "--to", "10.96.163.90:80", "--algorithm", "rr"],
      "--algorithm must be maglev or random",
    ],
    [["/no/such/snapshot", "--from", "172.20.0.96", "--to", "10.96.163.90:80"], "found nothing at that path"],
  ])("rejects bad input %j with one line and exit 2", (args, message) => {
    const run = dpemu(...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(message);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });
});
