// `dpemu maps dump` without the command line: one node view loaded into an emulated node (with a
// dump clock that makes the loader's time conversion exactly invertible), its maps read back,
// converted to the dump models and printed in cilium-dbg's format, with notes on what the
// emulated maps leave out of (or add to) the snapshot's dumps.
import type { NodeView, Snapshot } from "../model/snapshot.js";
import { InputError } from "../snapshot/errors.js";
import { EMPTY_MAP_CONTENT, type MapDumpContent } from "../snapshot/map-content.js";
import { MAP_DUMPS } from "../snapshot/map-dumps.js";
import { Datapath } from "../datapath/datapath.js";
import { datapathStateFromView, type DumpClock } from "../load/from-snapshot.js";
import { notLoadedNotes } from "../load/not-loaded.js";
import type { DatapathState, NodeConfig } from "../engine/state.js";
import {
  dumpStyleOf,
  emulatedMapContent,
  invertibleDumpTime,
  type DumpStyle,
  type EmulatedMapContent,
} from "./to-model.js";

export const SOCKNAT_NOTE =
  "cilium_lb4_reverse_sk holds socket-LB state, which the emulated datapath does not have: printed from the snapshot as dumped";

export interface EmulatedMapsOptions {
  /** "wasm" (default) or the TypeScript "reference" twin. */
  engine?: "wasm" | "reference";
  /** Overrides of the node configuration (e.g. smaller CT/NAT maps). */
  config?: Partial<NodeConfig>;
}

export interface MapsDumpResult {
  /** The map in cilium-dbg's format. */
  readonly text: string;
  /** What the emulated map leaves out of (or adds to) the snapshot's dumps, one line each. */
  readonly notes: readonly string[];
}

/** One node view loaded into an emulated node, whose maps can be dumped. */
export class EmulatedMaps {
  private constructor(
    readonly view: NodeView,
    readonly snapshot: Snapshot | undefined,
    readonly state: DatapathState,
    readonly datapath: Datapath,
    readonly clock: DumpClock,
    readonly style: DumpStyle,
  ) {}

  static async load(
    view: NodeView,
    snapshot?: Snapshot,
    options: EmulatedMapsOptions = {},
  ): Promise<EmulatedMaps> {
    const loaded = datapathStateFromView(
      view,
      { dumpTime: invertibleDumpTime(view), ...(options.config ? { config: options.config } : {}) },
      snapshot,
    );
    const datapath = await Datapath.create(loaded.state, { engine: options.engine ?? "wasm" });
    return new EmulatedMaps(view, snapshot, loaded.state, datapath, loaded.clock, dumpStyleOf(view));
  }

  /** One part of the node's map content: read back from the emulated maps (socket-LB state from the view). */
  content<K extends keyof MapDumpContent>(part: K): MapDumpContent[K] {
    const options = { clock: this.clock, style: this.style };
    const emulated =
      <P extends keyof EmulatedMapContent>(p: P) =>
      (): EmulatedMapContent[P] =>
        emulatedMapContent(this.datapath, p, options);
    const parts: { readonly [P in keyof MapDumpContent]: () => MapDumpContent[P] } = {
      services: emulated("services"),
      backends: emulated("backends"),
      revNat: emulated("revNat"),
      maglev: emulated("maglev"),
      ipcache: emulated("ipcache"),
      ct: emulated("ct"),
      nat: emulated("nat"),
      ipmasq: emulated("ipmasq"),
      socknat: () => this.view.socknat.filter((e) => e.family === "ipv4"),
    };
    return parts[part]();
  }

  /** The map `name` (a MAP_DUMPS name) printed as cilium-dbg prints it, with its notes. */
  dump(name: string): MapsDumpResult {
    const dump = MAP_DUMPS[name];
    if (dump === undefined) {
      throw new InputError(
        { file: "dpemu maps dump", line: 0 },
        `expected a map name (${Object.keys(MAP_DUMPS).join(", ")}), found ${JSON.stringify(name)}`,
      );
    }
    const content = { ...EMPTY_MAP_CONTENT, [dump.part]: this.content(dump.part) };
    const notes =
      dump.part === "socknat" ? [SOCKNAT_NOTE] : notLoadedNotes(name, this.view, this.state, this.snapshot);
    return { text: dump.print(content), notes };
  }

  dispose(): void {
    this.datapath.dispose();
  }
}
