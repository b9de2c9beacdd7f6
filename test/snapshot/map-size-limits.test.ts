// CT, NAT and affinity map sizes reach the datapath: a snapshot may only set sizes Cilium itself
// runs with (a size of 0 made trace and replay loop forever in Wasm, a huge one failed to
// allocate), and a library caller gets a clear error instead of a hang.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Datapath } from "../../src/datapath/datapath.js";
import { InvalidInputError } from "../../src/model/errors.js";
import { replay } from "../../src/replay/replayer.js";
import { InputError } from "../../src/snapshot/errors.js";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import { labState } from "../datapath/lab-state.js";
import { SOURCE_WORKER } from "../replay/helpers.js";

const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));
const SERVICE = {
  name: "service-list.txt",
  text: "ID   Frontend            Service Type   Backend\n1    10.96.0.10:53/UDP   ClusterIP      1 => 172.20.0.66:53/UDP (active)\n",
};
const status = (row: string) => ({
  name: "status.txt",
  text: `KubeProxyReplacement Details:\n  Mode:                 SNAT\nBPF Maps:   dynamic sizing: on (ratio: 0.002500)\n  Name                          Size\n  ${row}\n`,
});
const configMap = (entry: string) => ({
  name: "cilium-config.yaml",
  text: `apiVersion: v1\ndata:\n  routing-mode: tunnel\n  ${entry}\nkind: ConfigMap\n`,
});

function message(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error("expected an InputError");
}

describe("map sizes from a snapshot", () => {
  it("a status --verbose size outside Cilium's bounds is an error naming file and line", () => {
    expect(message(() => parseSnapshotFiles([SERVICE, status("TCP connection tracking       0")]))).toBe(
      'status.txt:5: expected a TCP connection tracking row with a map size between 1024 and 16777216 entries (Cilium\'s bounds), found "  TCP connection tracking       0"',
    );
    expect(
      message(() => parseSnapshotFiles([SERVICE, status("NAT                           268435456")])),
    ).toMatch(/^status\.txt:5: expected a NAT row with a map size between 1024 and 16777216 entries/);
    const ok = parseSnapshotFiles([SERVICE, status("TCP connection tracking       131072")]);
    expect(ok.selected.config.mapSizes?.ctTcp).toBe(131072);
  });

  it("a ConfigMap size outside the bounds names its key and line; --lenient skips it with a warning", () => {
    expect(message(() => parseSnapshotFiles([SERVICE, configMap('bpf-ct-global-tcp-max: "0"')]))).toBe(
      'cilium-config.yaml:4: expected bpf-ct-global-tcp-max with a map size between 1024 and 16777216 entries (Cilium\'s bounds), found "  bpf-ct-global-tcp-max: \\"0\\""',
    );
    const lenient = parseSnapshotFiles([SERVICE, configMap("bpf-nat-global-max: 0")], { lenient: true });
    expect(lenient.selected.config.mapSizes?.nat).toBeUndefined();
    expect(lenient.warnings.map((w) => [w.file, w.line])).toContainEqual(["cilium-config.yaml", 4]);
  });

  it("`dpemu trace` on a snapshot with a CT size of 0 exits 2 with the line, instead of spinning", () => {
    const dir = mkdtempSync(join(tmpdir(), "dpemu-ct0-"));
    for (const f of [SERVICE, status("TCP connection tracking       0")])
      writeFileSync(join(dir, f.name), f.text);
    const result = spawnSync(
      process.execPath,
      [MAIN, "trace", dir, "--from", "10.0.1.5", "--to", "10.96.0.10:53", "--proto", "udp"],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /status\.txt:5: expected a TCP connection tracking row with a map size between 1024/,
    );
  });
});

describe("map sizes given to the datapath", () => {
  it("a library caller's size of 0 or beyond LimitTableMax is a clear error, not a hang", async () => {
    const state = labState();
    for (const [field, size] of [
      ["ctTcpMax", 0],
      ["natMax", 0],
      ["ctAnyMax", 2 ** 28],
      ["affinityMax", 1.5],
    ] as const) {
      const bad = { ...state, node: { ...state.node, [field]: size } };
      for (const engine of ["wasm", "reference"] as const) {
        await expect(Datapath.create(bad, { engine })).rejects.toThrow(
          new InvalidInputError(
            `node config ${field} ${size}: expected a map size between 1 and 16777216 entries`,
          ),
        );
      }
    }
  });

  it.each([1, 2])(
    "a replay on %i worker(s) given a CT size of 0 rejects with it, no worker spins",
    async (workers) => {
      const state = labState();
      const spec = {
        seed: 1,
        connections: 20,
        clients: { count: 4, cidr: "10.0.9.0/24" },
        services: [{ address: "10.96.163.90", port: 80, proto: "TCP" }],
        newConnectionsPerSecond: 100,
      };
      await expect(
        replay({
          state: { ...state, node: { ...state.node, ctTcpMax: 0 } },
          source: [new TextEncoder().encode(JSON.stringify(spec))],
          workers,
          workerScript: SOURCE_WORKER,
        }),
      ).rejects.toThrow(/node config ctTcpMax 0: expected a map size between 1 and 16777216 entries/);
    },
  );
});
