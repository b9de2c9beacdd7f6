// Names from the input reach the terminal escaped: a sysdump whose agent directory (the node name) and
// a Hubble capture whose fields hold escape sequences, newlines and bidi overrides print them as
// visible `\x1b`, `\n`, `\u202e`, in `inspect`, `compare` and `replay` output and in error messages.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { zipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));
const LAB = fileURLToPath(new URL("../../examples/lab-3node", import.meta.url));

function dpemu(...args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** What a terminal would act on: C0/C1 controls but the line feed, DEL, bidi and line separators. */
// eslint-disable-next-line no-control-regex
const ACTED_ON = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** An agent pod name that clears the screen, recolours, sets the title (C1 OSC) and reverses text. */
const HOSTILE_AGENT = "cilium-\x1b[2J\x1b[31mevil\x9d0;title\x07\u202eboom";
const HOSTILE_AGENT_SHOWN = "cilium-\\x1b[2J\\x1b[31mevil\\x9d0;title\\x07\\u202eboom";

const dir = mkdtempSync(join(tmpdir(), "dpemu-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The lab's dumps as a sysdump: all in one bugtool tree whose directory names the hostile agent. */
function hostileSysdump(): string {
  const tree = `cilium-sysdump-20260101-120000/cilium-bugtool-${HOSTILE_AGENT}-20260101-120000.123+0000-UTC/cmd/`;
  const members: Record<string, Uint8Array> = {};
  for (const name of readdirSync(LAB)) {
    if (name.startsWith("bpf-ipcache-list.") && !name.includes("k8s-ctr")) continue;
    members[`${tree}${name.replace(/\.k8s-ctr\.txt$/, ".md")}`] = readFileSync(join(LAB, name));
  }
  const path = join(dir, "sysdump.zip");
  writeFileSync(path, zipSync(members));
  return path;
}

describe("hostile names in terminal output", () => {
  const sysdump = hostileSysdump();

  it("inspect prints an archive's hostile node name escaped, on the lines it belongs to", () => {
    const run = dpemu("inspect", sysdump);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(ACTED_ON);
    const lines = run.stdout.split("\n");
    expect(lines).toContain(`Nodes: ${HOSTILE_AGENT_SHOWN} (selected)`);
    expect(lines).toContain(`Node state of ${HOSTILE_AGENT_SHOWN}`);
  });

  it("compare prints the node name escaped in its text report", () => {
    const run = dpemu("compare", sysdump, "--service", "20", "--flows", "2000", "--ct-flows", "64");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(ACTED_ON);
    expect(run.stdout).toContain(`(node ${HOSTILE_AGENT_SHOWN})`);
  });

  it("an unknown --node quoted back in the error stays one escaped line", () => {
    const run = dpemu("inspect", sysdump, "--node", "x");
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(ACTED_ON);
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("Hubble fields quoted in a replay error are escaped, on one line", () => {
    const flow = (ip: unknown, time: string) =>
      JSON.stringify({
        flow: { time, IP: ip, l4: { TCP: { source_port: 1, destination_port: 80 } }, verdict: "FORWARDED" },
      });
    const cases: [string, string][] = [
      [
        flow({ source: "1.2.3.4\x1b]0;pwned\x07", destination: "10.96.163.90" }, "2024-01-01T00:00:00Z"),
        "1.2.3.4\\x1b]0;pwned\\x07 -> 10.96.163.90",
      ],
      [
        flow({ source: "1.2.3.4", destination: "10.96.163.90" }, "2024\n\u202e01-01"),
        "flow.time is not RFC 3339: 2024\\n\\u202e01-01",
      ],
    ];
    for (const [line, shown] of cases) {
      const input = join(dir, "flows.json");
      writeFileSync(input, `${line}\n`);
      const run = dpemu("replay", "--input", input, "--workers", "1", "--summary-json", join(dir, "s.json"));
      expect(run.code).toBe(2);
      expect(run.stderr).not.toMatch(ACTED_ON);
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(run.stderr).toContain(shown);
    }
  });

  it("a Hubble line that is not JSON is quoted escaped (V8's message quotes the raw line)", () => {
    const input = join(dir, "broken.json");
    writeFileSync(input, `{"flow":{"time":"2024-01-01T00:00:00Z"}}\n{"flow": \x1b[2J\x1b[H}\n`);
    const run = dpemu("replay", "--input", input, "--workers", "1", "--format", "hubble");
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(ACTED_ON);
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/not valid JSON .*\\x1b\[2J/);
  });
});
