// `dpemu maps dump NAME [SNAPSHOT]`: prints a map of the loaded snapshot in cilium-dbg's own format.
import type { Command } from "commander";
import type { NodeView } from "../model/snapshot.js";
import { InputError } from "../snapshot/errors.js";
import type { IpFamily, IpPrefix } from "../model/ip-prefix.js";
import { bpfCtListFormat } from "../snapshot/formats/bpf-ct-list.js";
import { bpfIpmasqListFormat } from "../snapshot/formats/bpf-ipmasq-list.js";
import { bpfNatListFormat } from "../snapshot/formats/bpf-nat-list.js";
import { bpfSocknatListFormat } from "../snapshot/formats/bpf-socknat-list.js";
import { mapGetIpcacheFormat } from "../snapshot/formats/map-get-ipcache.js";
import { bpfLbMaglevListFormat } from "../snapshot/formats/bpf-lb-maglev-list.js";
import { mapGetLb4BackendsFormat } from "../snapshot/formats/map-get-lb4-backends.js";
import { mapGetLb4ReverseNatFormat } from "../snapshot/formats/map-get-lb4-reverse-nat.js";
import { mapGetLb4ServicesFormat } from "../snapshot/formats/map-get-lb4-services.js";
import { backendsMapEntries, servicesMapEntries } from "../snapshot/lb-maps.js";
import { loadSnapshot } from "../snapshot/load.js";
import { defaultSnapshotPath } from "./default-snapshot.js";
import { cliCommand, commandLine, withErrorHandling } from "./errors.js";

/** Map name -> printer of that map from a node view. IPv4 entries only (the emulated family). */
export const MAP_PRINTERS: Readonly<Record<string, (view: NodeView) => string>> = {
  cilium_lb4_services_v2: (view) =>
    mapGetLb4ServicesFormat.print({
      header: "map-get",
      omitAnyProtocol: false,
      entries: servicesMapEntries(view.services.filter((s) => s.family === 4)),
    }),
  cilium_lb4_backends_v3: (view) =>
    mapGetLb4BackendsFormat.print({
      header: "map-get",
      entries: backendsMapEntries(v4(view.backends), false),
    }),
  cilium_lb4_backends_v2: (view) =>
    mapGetLb4BackendsFormat.print({
      header: "map-get",
      entries: backendsMapEntries(v4(view.backends), true),
    }),
  cilium_lb4_reverse_nat: (view) =>
    mapGetLb4ReverseNatFormat.print({ header: "map-get", entries: v4(view.revNat) }),
  cilium_lb4_maglev: (view) =>
    bpfLbMaglevListFormat.print({ header: true, tables: view.maglevTables.filter((t) => t.family !== 6) }),
  cilium_ipcache_v2: (view) => mapGetIpcacheFormat.print(v4Prefixes(view.ipcache)),
  cilium_ipcache: (view) => mapGetIpcacheFormat.print(v4Prefixes(view.ipcache)),
  // `bpf ct list global` walks both maps: TCP entries live in ct4_global, all others in ct_any4_global.
  cilium_ct4_global: (view) => bpfCtListFormat.print(ipv4(view.ct).filter((e) => e.nexthdr === IPPROTO_TCP)),
  cilium_ct_any4_global: (view) =>
    bpfCtListFormat.print(ipv4(view.ct).filter((e) => e.nexthdr !== IPPROTO_TCP)),
  cilium_snat_v4_external: (view) => bpfNatListFormat.print(ipv4(view.nat)),
  cilium_ipmasq_v4: (view) => bpfIpmasqListFormat.print(v4Prefixes(view.ipmasq)),
  cilium_lb4_reverse_sk: (view) => bpfSocknatListFormat.print(ipv4(view.socknat)),
};

const IPPROTO_TCP = 6;

function v4<T extends { readonly family: number }>(items: readonly T[]): T[] {
  return items.filter((i) => i.family === 4);
}

function ipv4<T extends { readonly family: IpFamily }>(items: readonly T[]): T[] {
  return items.filter((i) => i.family === "ipv4");
}

function v4Prefixes<T extends { readonly prefix: IpPrefix }>(items: readonly T[]): T[] {
  return items.filter((i) => i.prefix.family === "ipv4");
}

interface MapsOptions {
  readonly node?: string;
  readonly lenient?: boolean;
}

export function mapsCommand(): Command {
  const maps = cliCommand("maps").description("emulated BPF maps");
  maps
    .command("dump")
    .description(`print a map in cilium-dbg's format (${Object.keys(MAP_PRINTERS).join(", ")})`)
    .argument("<name>", "map name, e.g. cilium_lb4_services_v2")
    .argument("[snapshot]", "snapshot (default: bundled lab-3node)")
    .option("--node <name>", "the node whose maps to print")
    .option("--lenient", "skip unparseable lines with a warning instead of failing")
    .action(
      withErrorHandling(
        "maps dump",
        async (name: string, snapshotPath: string | undefined, options: MapsOptions) => {
          const printer = MAP_PRINTERS[name];
          if (printer === undefined) {
            throw new InputError(
              commandLine("maps dump"),
              `expected a map name (${Object.keys(MAP_PRINTERS).join(", ")}), found ${JSON.stringify(name)}`,
            );
          }
          const snapshot = await loadSnapshot(snapshotPath ?? defaultSnapshotPath(), {
            ...(options.node !== undefined ? { node: options.node } : {}),
            lenient: options.lenient ?? false,
          });
          process.stdout.write(printer(snapshot.selected));
        },
      ),
    );
  return maps;
}
