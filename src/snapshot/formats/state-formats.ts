// The node-state dump formats (ipcache, identities, conntrack, NAT, ip-masq, socket rev-NAT,
// endpoints, maps), for the registry.
import type { DumpFormat } from "../dump-format.js";
import { bpfCtListFormat } from "./bpf-ct-list.js";
import { bpfIpcacheListFormat } from "./bpf-ipcache-list.js";
import { bpfIpmasqListFormat } from "./bpf-ipmasq-list.js";
import { bpfNatListFormat } from "./bpf-nat-list.js";
import { bpfSocknatListFormat } from "./bpf-socknat-list.js";
import { endpointListFormat } from "./endpoint-list.js";
import { ipListFormat } from "./ip-list.js";
import { mapGetIpcacheFormat } from "./map-get-ipcache.js";
import { mapListFormat } from "./map-list.js";
import { mapListVerboseFormat } from "./map-list-verbose.js";

export const stateFormats: readonly DumpFormat<unknown>[] = [
  bpfIpcacheListFormat,
  mapGetIpcacheFormat,
  ipListFormat,
  bpfCtListFormat,
  bpfNatListFormat,
  bpfIpmasqListFormat,
  bpfSocknatListFormat,
  endpointListFormat,
  mapListFormat,
  mapListVerboseFormat,
];
