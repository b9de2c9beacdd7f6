// Experiment 4, node failover / ECMP rehash: connections established through one node are
// re-routed to another node that has no CT entry for them, so that node selects afresh. Every
// connection whose new backend differs from its old one breaks. Maglev's reason to exist: every
// node builds the same table, so the same flow hashes to the same backend anywhere.
//
// The figure `dpemu compare` reports runs through the datapath (measureFailoverThroughDatapath):
// node A serves the handshake, node B — the same service, an empty CT — gets a mid-connection
// packet of every flow. measureFailover computes the same from selection alone; the tests hold
// the two against each other.
import type { Algorithm, CompareService, FlowSet } from "../model.js";
import type { FailoverResult } from "../results.js";
import type { SelectionEngine } from "../selection.js";
import type { ServiceNodes } from "../service-node.js";
import { changedFraction } from "./churn.js";

/** Node numbers: 0 established the flows, 1 takes them over. */
export const ESTABLISHING_NODE = 0;
export const TAKEOVER_NODE = 1;

/**
 * Selection only. `established` is what the first node picked (node 0). The second node lists
 * the same backends in the opposite order, as another agent may; its selection must not depend
 * on that.
 */
export function measureFailover(
  engine: SelectionEngine,
  algorithm: Algorithm,
  service: CompareService,
  flows: FlowSet,
  established: Uint32Array,
): FailoverResult {
  const otherNodeOrder = [...service.backends].reverse();
  const takeover = engine.node(algorithm, TAKEOVER_NODE).select(service, otherNodeOrder, flows);
  return {
    brokenFraction: changedFraction(established, takeover),
    flows: flows.count,
    measuredThrough: "selection",
  };
}

/** Through two emulated nodes: A establishes every flow (SYN, ACK), B gets the next packet. */
export async function measureFailoverThroughDatapath(
  nodes: ServiceNodes,
  algorithm: Algorithm,
  service: CompareService,
  flows: FlowSet,
): Promise<FailoverResult> {
  const a = await nodes.open(service, service.backends, algorithm, ESTABLISHING_NODE, flows, 0);
  let established: Uint32Array;
  try {
    established = a.establish();
    a.checkNoEvictions();
  } finally {
    a.dispose();
  }
  const b = await nodes.open(service, service.backends, algorithm, TAKEOVER_NODE, flows, 0);
  try {
    const takeover = b.send(false);
    b.checkNoEvictions();
    return {
      brokenFraction: changedFraction(established, takeover),
      flows: flows.count,
      measuredThrough: "datapath",
    };
  } finally {
    b.dispose();
  }
}
