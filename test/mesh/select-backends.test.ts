// The ClusterMesh affinity rule (pkg/clustermesh/loadbalancer/selectbackends.go): which backends a
// cluster programs for a global service, case by case.
import { describe, expect, it } from "vitest";
import { selectBackends, type SelectableBackend } from "../../src/mesh/select-backends.js";
import { BackendState } from "../../src/model/backend.js";

const be = (name: string, local: boolean, state: number = BackendState.ACTIVE) =>
  ({ name, local, state }) as SelectableBackend & { name: string };
const names = (bs: readonly { name: string }[]) => bs.map((b) => b.name);
const L1 = be("l1", true);
const L2 = be("l2", true);
const R1 = be("r1", false);
const R2 = be("r2", false);

describe("ClusterMesh backend selection", () => {
  it("affinity none takes every backend; a service that is not global keeps its own only", () => {
    expect(names(selectBackends([L1, R1, L2, R2], "none", true))).toEqual(["l1", "r1", "l2", "r2"]);
    expect(names(selectBackends([L1, R1, L2, R2], "local", false))).toEqual(["l1", "l2"]);
    expect(names(selectBackends([L1, R1], "remote", false))).toEqual(["l1"]);
  });

  it("affinity local uses the remote backends only when no local backend is active", () => {
    expect(names(selectBackends([L1, R1, L2, R2], "local", true))).toEqual(["l1", "l2"]);
    expect(names(selectBackends([R1, R2], "local", true))).toEqual(["r1", "r2"]);
    // A terminating local backend is not active: the remote ones join it.
    const draining = be("l3", true, BackendState.TERMINATING);
    expect(names(selectBackends([draining, R1], "local", true))).toEqual(["l3", "r1"]);
    // ... but with no healthy remote backend the local ones stay alone.
    const quarantined = be("r3", false, BackendState.QUARANTINED);
    expect(names(selectBackends([draining, quarantined], "local", true))).toEqual(["l3"]);
  });

  it("affinity remote uses the local backends only when no remote backend is healthy", () => {
    expect(names(selectBackends([L1, R1, L2, R2], "remote", true))).toEqual(["r1", "r2"]);
    expect(names(selectBackends([L1, L2], "remote", true))).toEqual(["l1", "l2"]);
    // A terminating remote backend still counts as healthy: the local ones stay out.
    const draining = be("r3", false, BackendState.TERMINATING);
    expect(names(selectBackends([L1, draining], "remote", true))).toEqual(["r3"]);
    const quarantined = be("r4", false, BackendState.QUARANTINED);
    expect(names(selectBackends([L1, quarantined], "remote", true))).toEqual(["l1", "r4"]);
  });
});
