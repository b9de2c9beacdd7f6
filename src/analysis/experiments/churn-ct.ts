// Experiment 3, backend churn WITH conntrack state on the same node: connections are established
// through an emulated node, the service's backends change under them, and every connection sends
// one more packet. Cilium's lb4_local follows the service CT entry to its backend while that
// backend exists and is active; only when it is gone (or not active, for a SYN) does it select
// again. So additions and weight changes keep every connection, and a removal loses exactly the
// connections of the removed backends — whatever the algorithm.
import type { Algorithm, CompareService, FlowSet } from "../model.js";
import type { ServiceNodes } from "../service-node.js";
import { changedFraction, type ChurnScenario } from "./churn.js";

/** Node numbers of the churn nodes start here (failover uses 0 and 1). */
export const FIRST_CHURN_NODE = 16;

/**
 * For each scenario, on a node of its own: establish every flow on the scenario's first backend
 * set, apply each later set in turn, and after each change send one mid-connection packet per
 * flow. Returns, per scenario, the fraction of connections still on their backend after a change
 * (the mean over the steps of a rolling restart).
 */
export async function measureChurnWithCt(
  nodes: ServiceNodes,
  algorithm: Algorithm,
  service: CompareService,
  flows: FlowSet,
  scenarios: readonly ChurnScenario[],
  firstNode = FIRST_CHURN_NODE,
): Promise<number[]> {
  const kept: number[] = [];
  let nodeNumber = firstNode;
  for (const scenario of scenarios) {
    const changes = scenario.steps.length - 1;
    const node = await nodes.open(service, scenario.steps[0]!, algorithm, nodeNumber++, flows, changes);
    try {
      let previous = node.establish();
      let sum = 0;
      for (let step = 1; step <= changes; step++) {
        await node.change(scenario.steps[step - 1]!, scenario.steps[step]!);
        const current = node.send(false);
        sum += 1 - changedFraction(previous, current);
        previous = current;
      }
      node.checkNoEvictions();
      kept.push(sum / changes);
    } finally {
      node.dispose();
    }
  }
  return kept;
}
