// The names a JSON verdict line takes from the datapath (ServiceDirectory), as plain data: what a
// thread without a datapath (the CLI's formatter thread) needs to write the same lines. Taken at the
// start and again after every churn event, in the stream's order.
import type { Datapath } from "../../datapath/datapath.js";
import type { BackendMapEntry } from "../../engine/state.js";
import type { ServiceDirectory } from "./json-line.js";

/** Every frontend by rev-NAT ID and every backend known at one point of the replay. */
export interface DirectoryTable {
  frontends: Array<[revNatId: number, name: string]>;
  backends: BackendMapEntry[];
}

/** The datapath's names now. */
export function directoryTable(
  datapath: Pick<Datapath, "revNatFrontends" | "backendIds" | "backend">,
): DirectoryTable {
  const backends: BackendMapEntry[] = [];
  for (const id of datapath.backendIds()) {
    const b = datapath.backend(id);
    if (b !== undefined) backends.push(b);
  }
  return { frontends: datapath.revNatFrontends(), backends };
}

/** A ServiceDirectory that answers from a table. */
export class TableDirectory implements ServiceDirectory {
  private readonly frontends: Map<number, string>;
  private readonly backends: Map<number, BackendMapEntry>;

  constructor(table: DirectoryTable) {
    this.frontends = new Map(table.frontends);
    this.backends = new Map(table.backends.map((b) => [b.id, b]));
  }

  frontendOf(revNatId: number): string | undefined {
    return this.frontends.get(revNatId);
  }

  backend(id: number): BackendMapEntry | undefined {
    return this.backends.get(id);
  }
}
