// The agent's slot layout and slot flags (bpf_reconciler.go) as pure functions.
import { describe, expect, it } from "vitest";
import { layoutSlots, slotFlags } from "../../src/control/slot-layout.js";
import type { BackendMapEntry } from "../../src/engine/state.js";
import { BackendState, type BackendStateValue } from "../../src/model/backend.js";
import { ServiceFlag } from "../../src/model/service-flags.js";

const b = (id: number, address: number, port: number, state: BackendStateValue): BackendMapEntry => ({
  id,
  address,
  port,
  proto: 6,
  state,
  weight: 100,
});

describe("layoutSlots", () => {
  it("puts active backends first, then terminating, then quarantined, each by address then port", () => {
    const layout = layoutSlots([
      b(1, 3, 80, BackendState.QUARANTINED),
      b(2, 2, 81, BackendState.ACTIVE),
      b(3, 2, 80, BackendState.ACTIVE),
      b(4, 1, 80, BackendState.TERMINATING),
      b(5, 0, 80, BackendState.MAINTENANCE),
      b(6, 1, 80, BackendState.ACTIVE),
    ]);
    expect(layout).toEqual({ backendIds: [6, 3, 2, 4, 1], count: 3, qcount: 2 });
  });

  it("counts the terminating backends as active when none is active (draining)", () => {
    const layout = layoutSlots([
      b(1, 1, 80, BackendState.QUARANTINED),
      b(2, 2, 80, BackendState.TERMINATING),
    ]);
    expect(layout).toEqual({ backendIds: [2, 1], count: 1, qcount: 1 });
    expect(layoutSlots([b(1, 1, 80, BackendState.MAINTENANCE)])).toEqual({
      backendIds: [],
      count: 0,
      qcount: 0,
    });
  });
});

describe("slotFlags", () => {
  const deny = ServiceFlag.QuarantinedOrDeny >> 8;
  const master = { flags: ServiceFlag.NodePort | ServiceFlag.SourceRange, flags2: deny | 1 };

  it("copies the master's flags without the source-range bits", () => {
    expect(slotFlags(master, false)).toEqual({ flags: ServiceFlag.NodePort, flags2: 1 });
  });

  it("marks a quarantined backend's slot with the bit that means deny on a master", () => {
    expect(slotFlags(master, true)).toEqual({ flags: ServiceFlag.NodePort, flags2: deny | 1 });
  });
});
