// Every command that reads a snapshot, end to end (the built dist/): a snapshot in which nothing was
// recognised is an error naming the skipped files, never a confident result; warnings are summed up
// in one stderr line; unnamed dumps of different nodes are refused with how to name them; pasted
// sessions (kube-ps1 prompts, a status followed directly by another dump) are read whole.
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FIXTURES, fixturePath, fixtureText } from "../helpers/fixtures.js";

const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));
const CAPTURE = fileURLToPath(new URL("../captures/files/raw-101.pcap", import.meta.url));

function dpemu(...args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The command line of each command that reads a snapshot, for a snapshot path. */
const COMMANDS: Record<string, (snapshot: string) => string[]> = {
  inspect: (s) => ["inspect", s],
  "maps dump": (s) => ["maps", "dump", "cilium_ipcache_v2", s],
  compare: (s) => ["compare", s],
  trace: (s) => ["trace", s, "--from", "172.20.0.96:40000", "--to", "10.96.163.90:80"],
  replay: (s) => ["replay", s, "--input", CAPTURE],
};

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "dpemu-snapshot-"));
}

describe("a snapshot in which no dump is recognised", () => {
  const junk = tempDir();
  writeFileSync(join(junk, "notes.txt"), "kubectl get pods -A\nNAME READY STATUS\n");
  writeFileSync(join(junk, "empty.txt"), "");
  writeFileSync(join(junk, "core.bin"), new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3]));
  const empty = join(tempDir(), "empty.txt");
  writeFileSync(empty, "");
  const binary = join(tempDir(), "blob.dat");
  writeFileSync(binary, new Uint8Array(64));

  for (const [command, args] of Object.entries(COMMANDS)) {
    it(`${command}: exit 2, naming each skipped file and why`, () => {
      const run = dpemu(...args(junk));
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      const lines = run.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/no dump recognised/);
      expect(lines[0]).toMatch(/core\.bin \(binary\)/);
      expect(lines[0]).toMatch(/empty\.txt \(empty\)/);
      expect(lines[0]).toMatch(/notes\.txt \(line 1 "kubectl get pods -A"/);
    });
  }

  it("an empty file and a binary file on their own are errors too", () => {
    for (const [file, why] of [
      [empty, "empty"],
      [binary, "binary"],
    ] as const) {
      const run = dpemu(...(COMMANDS.trace?.(file) ?? []));
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`no dump recognised`);
      expect(run.stderr).toContain(`(${why})`);
    }
  });
});

describe("warnings summary", () => {
  const dir = tempDir();
  for (const name of ["service-list.txt", "bpf-lb-list.webpod.txt", "map-get-cilium_lb4_services_v2.txt"])
    copyFileSync(fixturePath(`lab-3node/${name}`), join(dir, name));
  writeFileSync(join(dir, "todo.txt"), "check the webpod backends\n");

  for (const [command, args] of Object.entries(COMMANDS)) {
    it(`${command}: one stderr line sums up the snapshot's warnings`, () => {
      const run = dpemu(...args(dir));
      expect(run.code).toBe(0);
      const summary = run.stderr.split("\n").filter((l) => /snapshot loaded with/.test(l));
      expect(summary).toHaveLength(1);
      expect(summary[0]).toMatch(
        /^dpemu: the snapshot loaded with \d+ warnings? \(.*todo\.txt:1: unrecognised content/,
      );
      expect(summary[0]).toMatch(/`dpemu inspect` lists/);
    });
  }

  it("one node's view of the router lab does not call its router-side outputs unreadable", () => {
    const lab = fileURLToPath(new URL("../../examples/lab-3node-lb", import.meta.url));
    const run = dpemu("inspect", lab, "--node", "k8s-w1", "-o", "json");
    expect(run.code).toBe(0);
    const { warnings } = JSON.parse(run.stdout) as { warnings: { file: string; message: string }[] };
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.filter((w) => /unrecognised content/.test(w.message))).toEqual([]);
    // Unrelated text beside them still is.
    const dir = tempDir();
    cpSync(lab, dir, { recursive: true });
    writeFileSync(join(dir, "todo.txt"), "check the webpod backends\n");
    const withNotes = JSON.parse(dpemu("inspect", dir, "--node", "k8s-w1", "-o", "json").stdout) as {
      warnings: { file: string; message: string }[];
    };
    expect(
      withNotes.warnings.filter((w) => /unrecognised content/.test(w.message)).map((w) => w.file),
    ).toEqual([join(dir, "todo.txt")]);
  });

  it("the bundled example loads without a warning", () => {
    const run = dpemu("inspect");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).not.toMatch(/Warnings/);
  });
});

describe("per-node dumps whose files do not name their node", () => {
  it("are refused, with how to name the files, instead of merged", () => {
    const dir = tempDir();
    for (const node of ["k8s-ctr", "k8s-w1", "k8s-w0"])
      copyFileSync(
        fixturePath(`lab-3node/bpf-ipcache-list.${node}.txt`),
        join(dir, `ipcache-from-${node}-dump.txt`),
      );
    const run = dpemu(...(COMMANDS.trace?.(dir) ?? []));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/ipcache dumps of different nodes and nothing names their nodes/);
    expect(run.stderr).toContain("<command>.<node>.txt");
    expect(run.stderr).toContain("--node");
  });

  it("named as the message says, they are read as three nodes", () => {
    const dir = tempDir();
    for (const node of ["k8s-ctr", "k8s-w1", "k8s-w0"])
      copyFileSync(
        fixturePath(`lab-3node/bpf-ipcache-list.${node}.txt`),
        join(dir, `bpf-ipcache-list.${node}.txt`),
      );
    const run = dpemu("inspect", dir, "--node", "k8s-w1", "--json");
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { nodes: unknown[] };
    expect(doc.nodes).toHaveLength(3);
  });
});

describe("pasted sessions", () => {
  it("status --verbose followed directly by service list: inspect shows the services", () => {
    const dir = tempDir();
    const both = join(dir, "both.txt");
    writeFileSync(
      both,
      fixtureText("misc/status-verbose.kpr-snat-random.txt") + fixtureText("lab-3node/service-list.txt"),
    );
    const run = dpemu("inspect", both, "--json");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const doc = JSON.parse(run.stdout) as { services: { frontend: string }[] };
    expect(doc.services.length).toBeGreaterThanOrEqual(14);
  });

  it("a kube-ps1 session traces exactly like the dumps it holds, as separate files", () => {
    const manifest = JSON.parse(readFileSync(`${FIXTURES}pasted/manifest.json`, "utf8")) as Record<
      string,
      { sameAs?: string }[]
    >;
    const dir = tempDir();
    for (const { sameAs } of manifest["kube-ps1-session.txt"] ?? []) {
      if (sameAs !== undefined) copyFileSync(fixturePath(sameAs), join(dir, sameAs.split("/").pop() ?? ""));
    }
    const traced = (snapshot: string) => {
      const run = dpemu(...(COMMANDS.trace?.(snapshot) ?? []), "--json");
      expect(run.code).toBe(0);
      expect(run.stderr).toBe("");
      return JSON.parse(run.stdout) as { verdict: string; service: unknown };
    };
    const pasted = traced(`${FIXTURES}pasted/kube-ps1-session.txt`);
    expect(pasted.service).not.toBeNull();
    expect(pasted).toEqual(traced(dir));
  });
});
