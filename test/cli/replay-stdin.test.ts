// `dpemu replay --input -` (the built dist/, which `npm test` builds first): a capture or Hubble JSON
// lines on standard input — `hubble observe -o json --follow | dpemu replay --input -` — give the
// same summary as the same bytes in a file, an empty stdin is a one-line error, and Ctrl-C on a pipe
// that stays open prints the summary of what arrived.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { fixtureText } from "../helpers/fixtures.js";

const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "dpemu-stdin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `dpemu replay ARGS` with `stdin` piped in (or none), its summary JSON parsed. */
function replay(args: string[], stdin?: Uint8Array) {
  const summaryFile = join(dir, `summary-${Math.random().toString(36).slice(2)}.json`);
  const result = spawnSync(
    process.execPath,
    [MAIN, "replay", ...args, "--workers", "1", "--summary-json", summaryFile],
    { input: stdin ?? new Uint8Array(0), encoding: "utf8" },
  );
  let summary: Record<string, unknown> | null = null;
  try {
    summary = JSON.parse(readFileSync(summaryFile, "utf8")) as Record<string, unknown>;
  } catch {
    summary = null;
  }
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, summary };
}

/** A summary without the timing figures, which differ from run to run. */
function figures(summary: Record<string, unknown> | null): Record<string, unknown> {
  expect(summary).not.toBeNull();
  const { elapsedSeconds: _e, packetsPerSecond: _p, ...rest } = summary!;
  return rest;
}

/** A Hubble flow line to the lab's webpod service from client port `port`. */
function hubbleLine(port: number): string {
  return JSON.stringify({
    flow: {
      time: `2026-02-24T08:47:58.${String(port).padStart(9, "0")}Z`,
      verdict: "FORWARDED",
      IP: { source: "172.20.0.96", destination: "10.96.163.90", ipVersion: "IPv4" },
      l4: { TCP: { source_port: port, destination_port: 80, flags: { SYN: true } } },
      source: { ID: 3106, identity: 63446 },
      Type: "L3_L4",
      node_name: "k8s-ctr",
      event_type: { type: 4 },
      trace_observation_point: "FROM_ENDPOINT",
      is_reply: false,
    },
    node_name: "k8s-ctr",
  });
}

const hubbleFile = join(dir, "flows.jsonl");
writeFileSync(
  hubbleFile,
  [
    ...fixtureText("public/hubble-flows.v1.19.1-export.jsonl").split("\n").slice(1),
    ...Array.from({ length: 500 }, (_, i) => hubbleLine(40000 + i)),
  ].join("\n"),
);

describe("dpemu replay --input - (stdin)", () => {
  it.each([
    ["pcap", "test/captures/files/ethernet-nsec.pcap"],
    ["pcapng", "test/captures/files/multi-interface.pcapng"],
    ["hubble", hubbleFile],
  ])("reads %s from stdin with the same summary as from the file", (format, file) => {
    const fromFile = replay(["--input", file]);
    const fromStdin = replay(["--input", "-"], readFileSync(file));
    expect(fromFile.code).toBe(0);
    expect(fromStdin.stderr).toBe("");
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.summary?.format).toBe(format);
    expect(fromStdin.summary?.packets).toBeGreaterThan(0);
    expect(figures(fromStdin.summary)).toEqual(figures(fromFile.summary));
    expect(fromStdin.stdout).toMatch(/^Replay summary\n/);
  });

  it("refuses an empty stdin with one line and exit 2", () => {
    const run = replay(["--input", "-"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("stdin: unrecognised input: empty input\n");
    expect(run.summary).toBeNull();
  });

  it("refuses stdin in no known format with one line and exit 2", () => {
    const run = replay(["--input", "-"], new TextEncoder().encode("hello\n"));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^stdin: unrecognised input: not a capture this tool reads/);
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("Ctrl-C while stdin stays open: the summary of what arrived, exit 130", async () => {
    const summaryFile = join(dir, "interrupted.json");
    const child = spawn(process.execPath, [
      MAIN,
      "replay",
      "--input",
      "-",
      "--workers",
      "1",
      "--verdicts",
      "-",
      "--summary-json",
      summaryFile,
    ]);
    let stderr = "";
    let sent = false;
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    // The first verdicts (a full batch of 4096 packets ran) show that the replay runs; a second later
    // it waits on the quiet pipe: then Ctrl-C. (An open pipe once kept the stopped process alive.)
    child.stdout.setEncoding("utf8").on("data", () => {
      if (!sent) {
        sent = true;
        setTimeout(() => child.kill("SIGINT"), 1000);
      }
    });
    // The pipe is still open when the replay ends: what it did not read fails to write (EPIPE).
    child.stdin.on("error", () => {});
    child.stdin.write(`${Array.from({ length: 5000 }, (_, i) => hubbleLine(20000 + i)).join("\n")}\n`);
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    child.stdin.destroy();
    expect(code).toBe(130);
    expect(stderr).toMatch(
      /^Replay summary \(interrupted[^\n]*\n {2}packets +[\d,]+ replayed, [\d,]+ read \(hubble\)/,
    );
    expect(stderr).toMatch(/dpemu replay: stopped by SIGINT\n$/);
    const summary = JSON.parse(readFileSync(summaryFile, "utf8")) as {
      packets: number;
      interrupted: boolean;
    };
    expect(summary.interrupted).toBe(true);
    expect(summary.packets).toBeGreaterThanOrEqual(4096);
    expect(summary.packets).toBeLessThanOrEqual(5000);
  });
});
