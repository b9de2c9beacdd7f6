// The mesh experiments on examples/clustermesh-lab: curl-pod's connections to webpod while west scales
// to 0 and back, the affinity flips and east is lost — per algorithm, with every node's real CT.
import { describe, expect, it } from "vitest";
import { runMeshScenario, standardScenarios } from "../../src/mesh/mesh-experiment.js";
import { CURL_POD, exampleMesh, WEST_WEBPOD } from "./helpers.js";

const N = 600;
const options = {
  build: (algorithm: "maglev" | "random") => exampleMesh({ algorithm }),
  client: CURL_POD,
  frontend: `${WEST_WEBPOD}:80/TCP`,
  connections: N,
};
const [scale, affinity, lose] = standardScenarios("west", "east");

describe("mesh experiments", () => {
  it("scaling west to 0 breaks exactly west's connections; coming back, Maglev restores every flow's backend and random does not", async () => {
    for (const algorithm of ["maglev", "random"] as const) {
      const r = await runMeshScenario(scale!, algorithm, options);
      const [down, back] = r.steps;
      expect(r.baseline.west! + r.baseline.east!).toBe(N);
      expect(r.baseline.west).toBeGreaterThan(N * 0.35);
      expect(down!.broken).toBe(r.baseline.west);
      expect(down!.kept).toBe(r.baseline.east);
      expect(down!.newConnections).toEqual({ west: 0, east: N });
      expect(back!.newConnections.west).toBeGreaterThan(N * 0.35);
      if (algorithm === "maglev") expect(back!.rehashed).toBe(0);
      else expect(back!.rehashed).toBeGreaterThan(N * 0.6);
    }
  });

  it("affinity local moves the connections open on east to west; none gives Maglev its old flows back", async () => {
    for (const algorithm of ["maglev", "random"] as const) {
      const r = await runMeshScenario(affinity!, algorithm, options);
      const [local, remote, none] = r.steps;
      expect(local!.newConnections).toEqual({ west: N, east: 0 });
      expect(local!.movedCluster).toBe(r.baseline.east);
      expect(local!.kept).toBe(r.baseline.west);
      expect(remote!.newConnections).toEqual({ west: 0, east: N });
      // Maglev reselects every connection that started on east back onto its first backend.
      if (algorithm === "maglev") expect(remote!.kept).toBe(r.baseline.east);
      if (algorithm === "maglev") expect(none!.rehashed).toBe(0);
      else expect(none!.rehashed).toBeGreaterThan(N * 0.6);
    }
  });

  it("losing east breaks its connections and sends every new one to west", async () => {
    const r = await runMeshScenario(lose!, "maglev", options);
    const [lost, back] = r.steps;
    expect(lost!.broken).toBe(r.baseline.east);
    expect(lost!.kept).toBe(r.baseline.west);
    expect(lost!.newConnections).toEqual({ west: N, east: 0 });
    expect(back!.rehashed).toBe(0);
  });
});
