// The live emulated nodes, by the handle the host holds: api.ts creates and frees them, the other
// export files (dump.ts) look them up. The table keeps every live node reachable for the runtime.
import { Node } from "./node";

export const nodes = new Array<Node | null>();

/** The node behind a handle (the host only passes handles dpCreate returned). */
export function nodeOf(handle: i32): Node {
  return nodes[handle]!;
}
