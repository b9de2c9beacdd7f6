// The maps `dpemu maps dump` prints, each with the part of a node's map content it shows and the
// cilium-dbg printer of its dump (`map get <name>` or the `bpf ... list` command that walks it).
import { bpfCtListFormat } from "./formats/bpf-ct-list.js";
import { bpfIpmasqListFormat } from "./formats/bpf-ipmasq-list.js";
import { bpfLbMaglevListFormat } from "./formats/bpf-lb-maglev-list.js";
import { bpfNatListFormat } from "./formats/bpf-nat-list.js";
import { bpfSocknatListFormat } from "./formats/bpf-socknat-list.js";
import { mapGetIpcacheFormat } from "./formats/map-get-ipcache.js";
import { mapGetLb4BackendsFormat } from "./formats/map-get-lb4-backends.js";
import { mapGetLb4ReverseNatFormat } from "./formats/map-get-lb4-reverse-nat.js";
import { mapGetLb4ServicesFormat } from "./formats/map-get-lb4-services.js";
import type { MapDumpContent } from "./map-content.js";
import { IpProto } from "../model/protocol.js";

/** A map `maps dump` prints: the part of the content it shows and its cilium-dbg printer. */
export interface MapDump {
  readonly part: keyof MapDumpContent;
  readonly print: (content: MapDumpContent) => string;
}

/** Map name -> its dump. `bpf ct list global` walks both CT maps: TCP lives in ct4_global. */
export const MAP_DUMPS: Readonly<Record<string, MapDump>> = {
  cilium_lb4_services_v2: {
    part: "services",
    print: (c) =>
      mapGetLb4ServicesFormat.print({ header: "map-get", omitAnyProtocol: false, entries: c.services }),
  },
  cilium_lb4_backends_v3: {
    part: "backends",
    // The _v3 value's String() has no port.
    print: (c) =>
      mapGetLb4BackendsFormat.print({
        header: "map-get",
        entries: c.backends.map((b) => ({ ...b, port: undefined })),
      }),
  },
  cilium_lb4_backends_v2: {
    part: "backends",
    print: (c) => mapGetLb4BackendsFormat.print({ header: "map-get", entries: c.backends }),
  },
  cilium_lb4_reverse_nat: {
    part: "revNat",
    print: (c) => mapGetLb4ReverseNatFormat.print({ header: "map-get", entries: c.revNat }),
  },
  cilium_lb4_maglev: {
    part: "maglev",
    print: (c) => bpfLbMaglevListFormat.print({ header: true, tables: c.maglev }),
  },
  cilium_ipcache_v2: { part: "ipcache", print: (c) => mapGetIpcacheFormat.print(c.ipcache) },
  cilium_ipcache: { part: "ipcache", print: (c) => mapGetIpcacheFormat.print(c.ipcache) },
  cilium_ct4_global: {
    part: "ct",
    print: (c) => bpfCtListFormat.print(c.ct.filter((e) => e.nexthdr === IpProto.TCP)),
  },
  cilium_ct_any4_global: {
    part: "ct",
    print: (c) => bpfCtListFormat.print(c.ct.filter((e) => e.nexthdr !== IpProto.TCP)),
  },
  cilium_snat_v4_external: { part: "nat", print: (c) => bpfNatListFormat.print(c.nat) },
  cilium_ipmasq_v4: { part: "ipmasq", print: (c) => bpfIpmasqListFormat.print(c.ipmasq) },
  cilium_lb4_reverse_sk: { part: "socknat", print: (c) => bpfSocknatListFormat.print(c.socknat) },
};
