// A bounded, evenly spread subset of a flow set: the conntrack experiments push every flow through
// an emulated node packet by packet, so they take at most a few thousand flows per service.
import type { FlowSet } from "./model.js";

/**
 * At most `max` flows, taken at evenly spaced positions (not the first `max`: a capture's early
 * connections may all come from one client or one burst). Returns `flows` itself when it fits.
 */
export function sampleFlows(flows: FlowSet, max: number): FlowSet {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`flow sample size must be ≥ 1, got ${max}`);
  if (flows.count <= max) return flows;
  const pick = (i: number) => Math.floor((i * flows.count) / max);
  return {
    count: max,
    clientAddress: Uint32Array.from({ length: max }, (_, i) => flows.clientAddress[pick(i)]!),
    clientPort: Uint16Array.from({ length: max }, (_, i) => flows.clientPort[pick(i)]!),
    packets: Float64Array.from({ length: max }, (_, i) => flows.packets[pick(i)]!),
    bytes: Float64Array.from({ length: max }, (_, i) => flows.bytes[pick(i)]!),
  };
}
