// The CLI as people use it in a terminal (the built dist/, which `npm test` builds first): Ctrl-C and
// SIGTERM during a replay, `| head -1`, a full disk (/dev/full), a progress bar on a pseudo-terminal
// (util-linux `script`), verdict filters, typos and --lenient wherever a snapshot is read.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "dpemu-session-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dpemu(...args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Far more packets than any test waits for: the replay is always stopped, never finished. */
const LONG = join(dir, "long.json");
writeFileSync(
  LONG,
  JSON.stringify({
    seed: 3,
    durationSeconds: 1_000_000,
    clients: { count: 1, cidr: "172.20.0.96/32" },
    services: [{ address: "10.96.163.90", port: 80, proto: "TCP" }],
    connectionLength: { distribution: "uniform", min: 1, max: 5 },
    newConnectionsPerSecond: 1000,
  }),
);
const SHORT = join(dir, "short.json");
writeFileSync(
  SHORT,
  JSON.stringify({
    seed: 3,
    connections: 300,
    clients: { count: 1, cidr: "172.20.0.96/32" },
    services: [
      { address: "10.96.163.90", port: 80, proto: "TCP" },
      { address: "10.96.0.10", port: 53, proto: "UDP" },
    ],
    connectionLength: { distribution: "uniform", min: 1, max: 4 },
    newConnectionsPerSecond: 100,
  }),
);

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `dpemu replay` on the endless workload and sends `signal` once the verdict stream shows that
 * packets are flowing (so the signal reaches a replay, not a process still starting).
 */
function interruptedReplay(signal: NodeJS.Signals, extra: string[]): Promise<Finished> {
  const child = spawn(process.execPath, [MAIN, "replay", "--input", LONG, "--verdicts", "-", ...extra]);
  let stdout = "";
  let stderr = "";
  let sent = false;
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    if (stdout.length < 4096) stdout += text;
    if (!sent) {
      sent = true;
      child.kill(signal);
    }
  });
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  return new Promise((resolve) =>
    child.on("close", (code, sig) => resolve({ code, signal: sig, stdout, stderr })),
  );
}

describe("stopping a replay", () => {
  it.each(["auto", "on"])(
    "Ctrl-C (SIGINT): the partial summary on stderr and in --summary-json, exit 130 (formatter thread %s)",
    async (thread) => {
      const summaryFile = join(dir, `interrupted.${thread}.json`);
      const run = await interruptedReplay("SIGINT", [
        "--workers",
        "1",
        "--verdict-thread",
        thread,
        "--summary-json",
        summaryFile,
      ]);
      expect(run.signal).toBeNull();
      expect(run.code).toBe(130);
      expect(run.stderr).toMatch(/^Replay summary \(interrupted: covers the packets read before it\)\n/);
      expect(run.stderr).toMatch(/dpemu replay: stopped by SIGINT\n$/);
      const summary = JSON.parse(readFileSync(summaryFile, "utf8")) as {
        interrupted: boolean;
        packets: number;
      };
      expect(summary.interrupted).toBe(true);
      expect(summary.packets).toBeGreaterThan(0);
      // Written through a temporary file that is gone now.
      expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    },
  );

  it("SIGTERM with worker threads: the partial summary, exit 143", async () => {
    const summaryFile = join(dir, "terminated.json");
    const run = await interruptedReplay("SIGTERM", ["--workers", "2", "--summary-json", summaryFile]);
    expect(run.code).toBe(143);
    expect(run.stderr).toMatch(/^Replay summary \(interrupted/);
    expect(run.stderr).toMatch(/stopped by SIGTERM/);
    const summary = JSON.parse(readFileSync(summaryFile, "utf8")) as {
      interrupted: boolean;
      workers: number;
    };
    expect(summary).toMatchObject({ interrupted: true, workers: 2 });
  });

  it.each(["auto", "on"])(
    "`--verdicts - | head -1` ends quietly with exit 0, and the summary file still holds the summary (formatter thread %s)",
    (thread) => {
      const summaryFile = join(dir, `piped.${thread}.json`);
      const run = spawnSync(
        "bash",
        [
          "-c",
          `"${process.execPath}" "${MAIN}" replay --input "${LONG}" --workers 1 --verdicts - --verdict-thread ${thread} --summary-json "${summaryFile}" | head -1; echo "status \${PIPESTATUS[0]}" >&2`,
        ],
        { encoding: "utf8" },
      );
      expect(run.stdout.split("\n")).toHaveLength(2);
      expect(run.stdout).toMatch(/^\w{3} [ \d]\d \d\d:\d\d:\d\d\.\d{3}: 172\.20\.0\.96:\d+ /);
      expect(run.stderr).toBe("status 0\n");
      expect(JSON.parse(readFileSync(summaryFile, "utf8"))).toMatchObject({ interrupted: true });
    },
  );
});

describe("writing outputs", () => {
  it.each([["--verdicts"], ["--summary-json"], ["--verdicts", "--verdict-thread", "on"]])(
    "a full disk for %s is one line naming the file and the reason, exit 3 (%s %s)",
    (option, ...thread) => {
      const run = dpemu("replay", "--input", SHORT, "--workers", "1", ...thread, option, "/dev/full");
      expect(run.code).toBe(3);
      expect(run.stderr).toBe("dpemu replay: cannot write /dev/full: no space left on device\n");
    },
  );

  it("a directory that does not exist is the same kind of failure, before any work", () => {
    const run = dpemu("replay", "--input", SHORT, "--summary-json", join(dir, "nope", "s.json"));
    expect(run.code).toBe(3);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^dpemu replay: cannot write .*nope\/s\.json: no such file or directory\n$/);
  });

  it("an interrupted write never leaves a 0-byte or partial summary where one was", async () => {
    const summaryFile = join(dir, "kept.json");
    writeFileSync(summaryFile, '{"old":true}\n');
    const child = spawn(process.execPath, [
      MAIN,
      "replay",
      "--input",
      LONG,
      "--workers",
      "1",
      "--verdicts",
      "-",
      "--summary-json",
      summaryFile,
    ]);
    // Killed outright (no chance to write anything): the old file stays as it was.
    child.stdout.once("data", () => child.kill("SIGKILL"));
    await new Promise((resolve) => child.on("close", resolve));
    expect(readFileSync(summaryFile, "utf8")).toBe('{"old":true}\n');
  });

  it("compare --html - writes the report to stdout, the table to stderr", () => {
    const run = dpemu("compare", "--backends", "3", "--flows", "2000", "--ct-flows", "64", "--html", "-");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^<!doctype html>/i);
    expect(run.stderr).toMatch(/Maglev/);
    expect(existsSync("-")).toBe(false);
  });
});

describe("replay verdict filters (hubble observe's flags)", () => {
  const stream = (...filters: string[]) => {
    const run = dpemu(
      "replay",
      "--input",
      SHORT,
      "--workers",
      "1",
      "--verdicts",
      "-",
      "-o",
      "json",
      ...filters,
    );
    expect(run.code).toBe(0);
    return run.stdout
      .trimEnd()
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { verdict: string; dst: string; src: string; proto: string });
  };

  it("keeps exactly the verdicts each filter selects", { timeout: 300_000 }, () => {
    const all = stream();
    const udp = stream("--protocol", "udp");
    expect(udp.length).toBeGreaterThan(0);
    expect(udp).toEqual(all.filter((v) => v.proto === "UDP"));
    const toDns = stream("--to-ip", "10.96.0.0/16", "--port", "53");
    expect(toDns).toEqual(all.filter((v) => v.dst === "10.96.0.10:53"));
    const forwarded = stream("--verdict", "FORWARDED", "--service", "10.96.163.90:80/TCP");
    expect(forwarded.length).toBeGreaterThan(0);
    expect(forwarded).toEqual(
      all.filter(
        (v) =>
          v.verdict === "FORWARDED" &&
          (v as unknown as { service: { frontend: string } | null }).service?.frontend ===
            "10.96.163.90:80/TCP",
      ),
    );
    // Several values of one flag: any of them.
    expect(stream("--protocol", "tcp", "--protocol", "udp", "--ip", "172.20.0.96")).toEqual(all);
  });
});

describe("the command line", () => {
  it("a typo in a required option gets a suggestion, not 'required option not specified'", () => {
    const run = dpemu("replay", "--inptu", SHORT);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: unknown option '--inptu'\n\(Did you mean --input\?\)\n$/);
  });

  it("takes --lenient wherever a snapshot is read", { timeout: 300_000 }, () => {
    const snapshot = join(dir, "broken");
    rmSync(snapshot, { recursive: true, force: true });
    spawnSync("cp", ["-r", fileURLToPath(new URL("../../examples/lab-3node", import.meta.url)), snapshot]);
    const file = join(snapshot, "service-list.txt");
    // A backend row the parser cannot read (the corruption test/cli/inspect.test.ts uses).
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("2 => 172.20.0.248:53/UDP", "2 => 172.20.0.248:53/UDP (gone)x"),
    );
    const commands = [
      ["trace", snapshot, "--from", "172.20.0.96", "--to", "10.96.163.90:80"],
      ["replay", snapshot, "--input", SHORT, "--workers", "1"],
      ["compare", snapshot, "--flows", "2000", "--ct-flows", "64"],
      ["inspect", snapshot],
    ];
    for (const args of commands) {
      const strict = dpemu(...args);
      expect(strict.code, args[0]).toBe(2);
      expect(strict.stderr).toMatch(/service-list\.txt:\d+:/);
      expect(dpemu(...args, "--lenient").code, args[0]).toBe(0);
    }
  });
});

// A pseudo-terminal from util-linux `script`, where the machine has it.
const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;

describe.runIf(hasScript)("on a terminal", () => {
  /** Runs `dpemu replay` on a pseudo-terminal; types Ctrl-C once output shows, returns all it wrote. */
  function onTerminal(term: string, input: string): Promise<{ output: string; status: number | null }> {
    // `exec`: the CLI is the pty's only foreground process, whatever $SHELL is. A shell left waiting
    // (dash, CI's /bin/sh) would itself die of the Ctrl-C; `script -e` passes the CLI's status on.
    const command = `exec "${process.execPath}" "${MAIN}" replay --input "${input}" --workers 1`;
    const child = spawn("script", ["-qefc", command, "/dev/null"], {
      env: { ...process.env, TERM: term },
    });
    let output = "";
    let typed = false;
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      output += text;
      // The progress line (or, without one, nothing until the end): Ctrl-C once it is drawn.
      if (!typed && /packets\/s/.test(output)) {
        typed = true;
        child.stdin.write("\x03");
      }
    });
    return new Promise((resolve) => child.on("close", (status) => resolve({ output, status })));
  }

  it("Ctrl-C gives the cursor and line wrap back, then prints the partial summary; exit 130", async () => {
    const { output, status } = await onTerminal("xterm", LONG);
    const hidden = output.lastIndexOf("\x1b[?25l");
    expect(hidden).toBeGreaterThanOrEqual(0);
    expect(output.indexOf("\x1b[?7l")).toBeGreaterThanOrEqual(0);
    // After the last time the bar hid the cursor: shown again, line wrap on again, then the summary.
    const rest = output.slice(hidden);
    expect(rest).toContain("\x1b[?25h");
    expect(rest).toContain("\x1b[?7h");
    expect(rest.indexOf("\x1b[?25h")).toBeLessThan(rest.indexOf("Replay summary (interrupted"));
    expect(status).toBe(130);
    // A synthetic workload has no known total: no percentage, no "100%" from the start.
    expect(output.slice(0, output.indexOf("Replay summary"))).not.toMatch(/\d+%/);
  });

  it(
    "compare draws its progress by steps on a terminal, then gives the terminal back",
    { timeout: 300_000 },
    () => {
      const command = `"${process.execPath}" "${MAIN}" compare --flows 20000`;
      const run = (term: string) =>
        spawnSync("script", ["-qefc", command, "/dev/null"], {
          encoding: "utf8",
          env: { ...process.env, TERM: term },
        });
      const drawn = run("xterm");
      expect(drawn.status).toBe(0);
      const percentages = [...drawn.stdout.matchAll(/compare \|[^|]*\| (\d+)% \|/g)].map((m) => Number(m[1]));
      expect(percentages[0]).toBe(0);
      expect(percentages.some((p) => p > 0 && p < 100)).toBe(true);
      const table = drawn.stdout.indexOf("Maglev");
      expect(drawn.stdout.lastIndexOf("\x1b[?25h")).toBeLessThan(table);
      expect(drawn.stdout.lastIndexOf("\x1b[?25l")).toBeLessThan(drawn.stdout.lastIndexOf("\x1b[?25h"));
      const dumb = run("dumb");
      expect(dumb.status).toBe(0);
      expect(dumb.stdout).toMatch(/Maglev/);
      expect(dumb.stdout).not.toContain("\x1b[");
    },
  );

  it("draws nothing on TERM=dumb", () => {
    const run = spawnSync(
      "script",
      ["-qefc", `"${process.execPath}" "${MAIN}" replay --input "${SHORT}" --workers 1`, "/dev/null"],
      { encoding: "utf8", env: { ...process.env, TERM: "dumb" } },
    );
    expect(run.stdout).toMatch(/Replay summary/);
    expect(run.stdout).not.toContain("\x1b[");
  });
});
