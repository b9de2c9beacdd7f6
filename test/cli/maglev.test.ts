import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/errors.js";
import { maglevCommand, parseBackendSpec } from "../../src/cli/maglev.js";
import { buildMaglevTableSync } from "../../src/index.js";

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Runs `dpemu maglev ARGS` in-process; returns exit code and output. */
async function runMaglev(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    exit: (code) => {
      throw new Exit(code);
    },
  };
  try {
    await maglevCommand(io).parseAsync(args, { from: "user" });
    return { code: 0, stdout, stderr };
  } catch (err) {
    if (err instanceof Exit) return { code: err.code, stdout, stderr };
    throw err;
  }
}

const three = [
  "--backend",
  "10.0.0.1:80/TCP",
  "--backend",
  "10.0.0.2:80/TCP",
  "--backend",
  "10.0.0.3:80/TCP",
];

describe("dpemu maglev", () => {
  it("prints per-backend entry counts and shares", async () => {
    const { code, stdout, stderr } = await runMaglev("--table-size", "251", ...three);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("Maglev table: 251 entries, seed JLfvgnHc2kaSUFaI, 3 backends");
    expect(lines[1]).toMatch(/^ID\s+BACKEND\s+WEIGHT\s+ENTRIES\s+SHARE$/);
    // Appendix A: 84 / 84 / 83 entries; weights default to Cilium's 100.
    expect(lines.slice(2).map((l) => l.split(/\s+/))).toEqual([
      ["1", "10.0.0.1:80/TCP", "100", "84", "33.47%"],
      ["2", "10.0.0.2:80/TCP", "100", "84", "33.47%"],
      ["3", "10.0.0.3:80/TCP", "100", "83", "33.07%"],
    ]);
  });

  it("prints the table as JSON with --json, ids 1..N in the order given", async () => {
    const { code, stdout } = await runMaglev("--table-size", "1021", "--json", ...three);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { tableSize: number; seed: string; table: number[] };
    expect(Object.keys(parsed)).toEqual(["tableSize", "seed", "table"]);
    expect(parsed.tableSize).toBe(1021);
    expect(parsed.seed).toBe("JLfvgnHc2kaSUFaI");
    const expected = buildMaglevTableSync(
      [1, 2, 3].map((i) => ({ address: `10.0.0.${i}`, port: 80, protocol: "TCP", id: i })),
      { tableSize: 1021 },
    );
    expect(parsed.table).toEqual(Array.from(expected));
  });

  it("honours weight=, id=, internal, IPv6 and --cluster-seed", async () => {
    const seed = "AQIDBAUGBwgJCgsM";
    const { code, stdout } = await runMaglev(
      "--table-size",
      "251",
      "--cluster-seed",
      seed,
      "--json",
      "--backend",
      "10.0.0.1:8080/udp,weight=100,id=40",
      "--backend",
      "[2001:db8::1]:8080/UDP,id=41,weight=300,internal",
    );
    expect(code).toBe(0);
    const expected = buildMaglevTableSync(
      [
        { address: "10.0.0.1", port: 8080, protocol: "UDP", weight: 100, id: 40 },
        { address: "2001:db8::1", port: 8080, protocol: "UDP", weight: 300, id: 41, internal: true },
      ],
      { tableSize: 251, seed },
    );
    expect((JSON.parse(stdout) as { table: number[] }).table).toEqual(Array.from(expected));
  });

  it("takes -o json like --json, and the deprecated --seed with a warning", async () => {
    const seed = "AQIDBAUGBwgJCgsM";
    const json = await runMaglev("--table-size", "251", "--cluster-seed", seed, "--json", ...three);
    const o = await runMaglev("--table-size", "251", "--cluster-seed", seed, "-o", "json", ...three);
    expect(o.code).toBe(0);
    expect(o.stdout).toBe(json.stdout);
    const old = await runMaglev("--table-size", "251", "--seed", seed, "--output", "json", ...three);
    expect(old.code).toBe(0);
    expect(old.stdout).toBe(json.stdout);
    expect(old.stderr).toBe(
      "dpemu maglev: warning: --seed is deprecated; use --cluster-seed (the Maglev hash seed)\n",
    );
    // The default seed is Cilium's; a different one gives a different table.
    const dflt = await runMaglev("--table-size", "251", "-o", "json", ...three);
    expect(dflt.stdout).not.toBe(json.stdout);
  });

  it("weighs backends as Cilium does by default (100), so a weight of 300 triples a share", async () => {
    const { stdout } = await runMaglev(
      "--table-size",
      "1021",
      "--backend",
      "10.0.0.1:80/TCP",
      "--backend",
      "10.0.0.2:80/TCP,weight=300",
    );
    const entries = stdout
      .trimEnd()
      .split("\n")
      .slice(2)
      .map((l) => Number(l.split(/\s+/)[3]));
    expect(entries[0]! + entries[1]!).toBe(1021);
    expect(entries[1]! / entries[0]!).toBeCloseTo(3, 0);
  });

  it("notes when Cilium ignores differing weights", async () => {
    const { stdout } = await runMaglev(
      "--table-size",
      "251",
      "--backend",
      "10.0.0.1:80/TCP,weight=1",
      "--backend",
      "10.0.0.2:80/TCP,weight=2",
    );
    expect(stdout).toMatch(/note: weights differ but Cilium ignores them/);
  });

  it.each([
    [
      ["--table-size", "250", ...three],
      /^dpemu maglev: --table-size 250: .*expected one of 251, 509, .*131071\)$/,
    ],
    [["--table-size", "big", ...three], /^dpemu maglev: --table-size "big"/],
    [["--table-size", "251"], /^dpemu maglev: --backend: at least one backend is required/],
    [
      ["--table-size", "251", "--backend", "10.0.0.1:80"],
      /--backend "10\.0\.0\.1:80": missing \/PROTO \(expected IP:PORT/,
    ],
    [["--table-size", "251", "--backend", "10.0.0.1/TCP"], /--backend "10\.0\.0\.1\/TCP": missing :PORT/],
    [["--table-size", "251", "--backend", "10.0.0.1:http/TCP"], /port "http" is not a non-negative integer/],
    [["--table-size", "251", "--backend", "10.0.0.1:80/TCP,wieght=2"], /unknown option "wieght=2"/],
    [
      ["--table-size", "251", "--backend", "10.0.0.1:80/ICMP"],
      /--backend 1 \(10\.0\.0\.1\): protocol must be one of TCP, UDP, SCTP, ANY/,
    ],
    [
      ["--table-size", "251", "--backend", "10.0.0.1:99999/TCP"],
      /--backend 1 \(10\.0\.0\.1\): port must be an integer 0\.\.65535/,
    ],
    [["--table-size", "251", "--backend", "10.0.0.999:80/TCP"], /--backend 1 \(10\.0\.0\.999\): address/],
    [["--table-size", "251", "--backend", "2001:db8::1:80/TCP"], /write IPv6 addresses in brackets/],
    [
      ["--table-size", "251", ...three, "--backend", "10.0.0.4:80/TCP,id=2"],
      /--backend 4 \(10\.0\.0\.4\): id 2 is already used by backend 2/,
    ],
    [
      ["--table-size", "251", "--cluster-seed", "FYJf2hrSynYxcZrkMWTGYA==", ...three],
      /invalid Maglev hash seed .*decodes to 16 bytes, expected 12/,
    ],
    [
      ["--table-size", "251", "--cluster-seed", "not base64!", ...three],
      /invalid Maglev hash seed "not base64!": not valid base64/,
    ],
    [[...three], /required option '--table-size <M>' not specified/],
    [
      ["--table-size", "251", "--seed", "AQIDBAUGBwgJCgsM", "--cluster-seed", "AQIDBAUGBwgJCgsM", ...three],
      /--seed is the old name of --cluster-seed: give one of them/,
    ],
    [["--table-size", "251", "-o", "yaml", ...three], /--output must be one of table, text, json/],
    [["--table-size", "251", "--frobnicate", ...three], /unknown option '--frobnicate'/],
  ])("rejects bad input %j on one stderr line with exit code 2", async (args, message) => {
    const { code, stdout, stderr } = await runMaglev(...args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr.trimEnd()).toMatch(message);
  });

  it("parses backend specs", () => {
    expect(parseBackendSpec("[fd00::1]:53/udp,weight=5,id=9,internal", 3)).toEqual({
      address: "fd00::1",
      port: 53,
      protocol: "udp",
      weight: 5,
      id: 9,
      internal: true,
    });
    expect(parseBackendSpec("192.0.2.1:443/TCP", 3)).toEqual({
      address: "192.0.2.1",
      port: 443,
      protocol: "TCP",
      id: 3,
      weight: 100,
    });
  });

  it("runs as `dpemu maglev` through the CLI entry point with real exit codes", () => {
    const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
    const ok = spawnSync(
      process.execPath,
      ["--import", "tsx", main, "maglev", "--table-size", "251", "--json", ...three],
      {
        encoding: "utf8",
      },
    );
    expect(ok.status).toBe(0);
    expect((JSON.parse(ok.stdout) as { table: number[] }).table).toHaveLength(251);
    const bad = spawnSync(
      process.execPath,
      ["--import", "tsx", main, "maglev", "--table-size", "7", ...three],
      {
        encoding: "utf8",
      },
    );
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr.trimEnd()).toMatch(/^dpemu maglev: --table-size 7: .*not supported/);
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
