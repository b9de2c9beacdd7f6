// `cilium-dbg status --verbose`: the lines that shape the datapath (Cilium version, routing,
// masquerading, the KubeProxyReplacement Details block, BPF map sizes). The report has many other
// sections; they are skipped, never rejected. Reads indented or flush-left captures alike.
import type {
  AgentConfig,
  BackendSelection,
  DsrDispatch,
  KubeProxyReplacementMode,
  MapSizes,
} from "../../model/agent-config.js";
import type { DumpFormat } from "../dump-format.js";
import { expectedMapSize, isValidMapSize, MAP_SIZE_BOUNDS, type SizedMap } from "../../model/map-limits.js";
import { rejectLine } from "../errors.js";
import { firstContentLines, locate } from "../text/lines.js";

export interface StatusVerboseDump {
  readonly config: AgentConfig;
}

const TOP_LEVEL =
  /^(KVStore|Kubernetes|Kubernetes APIs|KubeProxyReplacement|Host firewall|SRv6|CNI Chaining|CNI Config file|Cilium|NodeMonitor|Cilium health daemon|IPAM|IPv4 BIG TCP|IPv6 BIG TCP|BandwidthManager|Routing|Attach Mode|Device Mode|Masquerading|Host Routing|Controller Status|Proxy Status|Global Identity Range|Hubble|Encryption|Cluster health|Modules Health):/;

const MAP_SIZE_LABELS: Readonly<Record<string, keyof MapSizes>> = {
  "TCP connection tracking": "ctTcp",
  "Non-TCP connection tracking": "ctAny",
  NAT: "nat",
  "IPv4 service": "lbServices",
  "IPv4 service backend": "lbBackends",
  "IPv4 service reverse NAT": "lbRevNat",
  "Session affinity": "lbAffinity",
  "IP cache": "ipcache",
  "IPv4 masquerading agent": "ipmasq",
  "Sock reverse NAT": "sockRevNat",
};

const DISPATCH: Readonly<Record<string, DsrDispatch>> = {
  "IP Option/Extension": "opt",
  IPIP: "ipip",
  Geneve: "geneve",
};

function enabled(value: string): boolean | undefined {
  if (/^Enabled\b/.test(value)) return true;
  if (/^Disabled\b/.test(value)) return false;
  return undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const statusVerboseFormat: DumpFormat<StatusVerboseDump> = {
  kind: "status-verbose",
  command: "cilium-dbg status --verbose",
  skipsUnknownLines: true,
  matches(lines) {
    const content = firstContentLines(lines, 6).map((l) => l.trim());
    return (
      content.includes("KubeProxyReplacement Details:") ||
      content.filter((l) => TOP_LEVEL.test(l)).length >= 2
    );
  },
  parse(source, options) {
    const config: Mutable<AgentConfig> = {};
    const sizes: Mutable<MapSizes> = {};
    let section: "top" | "kpr" | "maps" = "top";
    for (const [index, raw] of source.lines.entries()) {
      const line = raw.trim();
      if (line === "") continue;
      if (line === "KubeProxyReplacement Details:") {
        section = "kpr";
        continue;
      }
      if (/^BPF Maps:/.test(line)) {
        section = "maps";
        continue;
      }
      const kv = /^(-\s*)?([A-Za-z][A-Za-z0-9 /.-]*?):\s*(.*)$/.exec(line);
      if (section === "maps") {
        const size = /^(.*?)\s+(\d+)$/.exec(line);
        const field = size ? MAP_SIZE_LABELS[size[1] ?? ""] : undefined;
        if (size && field) {
          const value = Number(size[2]);
          // A size the datapath is built with must be one Cilium runs with.
          if (field in MAP_SIZE_BOUNDS && !isValidMapSize(field as SizedMap, value)) {
            const expected = expectedMapSize(field as SizedMap);
            rejectLine(options, locate(source, index), `a ${size[1]} row with ${expected}`, raw);
          } else sizes[field] = value;
          continue;
        }
        if (kv && !kv[1] && TOP_LEVEL.test(line)) section = "top";
        else continue;
      }
      if (!kv) continue;
      const [, dash, label = "", value = ""] = kv;
      if (section === "kpr") {
        if (readKprLine(config, label, value, dash !== undefined)) continue;
        section = "top";
      }
      readTopLine(config, label, value);
    }
    if (Object.keys(sizes).length > 0) config.mapSizes = sizes;
    return { config };
  },
  print: ({ config }) => printStatus(config),
};

/** Reads one line of the KPR Details block; false when the line is not part of it. */
function readKprLine(config: Mutable<AgentConfig>, label: string, value: string, listItem: boolean): boolean {
  if (listItem) {
    if (label === "NodePort") {
      const range = /Range: (\d+)-(\d+)/.exec(value);
      if (range) config.nodePortRange = { min: Number(range[1]), max: Number(range[2]) };
    }
    return true;
  }
  switch (label) {
    case "Status":
      config.kubeProxyReplacement = value.split(/\s+/)[0];
      return true;
    case "Socket LB":
      config.socketLb = enabled(value);
      return true;
    case "Socket LB Coverage":
      if (value === "Full" || value === "Hostns-only") config.socketLbHostnsOnly = value === "Hostns-only";
      return true;
    case "Mode":
      if (["SNAT", "DSR", "Hybrid"].includes(value)) config.kprMode = value as KubeProxyReplacementMode;
      return true;
    case "DSR Dispatch Mode":
      if (DISPATCH[value]) config.dsrDispatch = DISPATCH[value];
      return true;
    case "Backend Selection": {
      const m = /^(Random|Maglev)(?: \(Table Size: (\d+)\))?/.exec(value);
      if (m) {
        config.backendSelection = m[1] as BackendSelection;
        if (m[2]) config.maglevTableSize = Number(m[2]);
      }
      return true;
    }
    case "Session Affinity":
      config.sessionAffinity = enabled(value);
      return true;
    case "Devices": {
      const addresses = value.match(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g);
      if (addresses) config.deviceAddresses = addresses;
      return true;
    }
    case "Socket LB Tracing":
    case "Socket LB Protocols":
    case "Graceful Termination":
    case "NAT46/64 Support":
    case "XDP Acceleration":
    case "Services":
    case "Annotations":
      return true;
    default:
      return false;
  }
}

function readTopLine(config: Mutable<AgentConfig>, label: string, value: string): void {
  switch (label) {
    case "Cilium": {
      const version = /^\S+\s+(\d+\.\d+\.\d+\S*)/.exec(value);
      if (version) config.ciliumVersion = version[1];
      break;
    }
    case "KubeProxyReplacement":
      config.kubeProxyReplacement = value.split(/\s+/)[0];
      break;
    case "Routing": {
      const m = /Network: (Tunnel|Native)(?: \[(\w+)\])?/.exec(value);
      if (m) {
        config.routingMode = m[1] === "Tunnel" ? "tunnel" : "native";
        if (m[2]) config.tunnelProtocol = m[2];
      }
      break;
    }
    case "Masquerading": {
      if (/^BPF\b/.test(value)) config.bpfMasquerade = true;
      else if (/^(IPTables|Disabled)\b/.test(value)) config.bpfMasquerade = false;
      if (/^Disabled\b/.test(value)) config.ipv4Masquerade = false;
      const ipv4 = /IPv4: (Enabled|Disabled)/.exec(value);
      if (ipv4) config.ipv4Masquerade = ipv4[1] === "Enabled";
      const cidr = /\s(\d+\.\d+\.\d+\.\d+\/\d+)/.exec(value);
      if (cidr) config.ipv4NativeRoutingCidr = cidr[1];
      break;
    }
  }
}

const onOff = (v: boolean) => (v ? "Enabled" : "Disabled");

function printStatus(c: AgentConfig): string {
  const top: string[] = [];
  const row = (label: string, value: string) => `${`${label}:`.padEnd(25)}${value}`;
  if (c.ciliumVersion !== undefined) top.push(row("Cilium", `Ok   ${c.ciliumVersion}`));
  if (c.routingMode !== undefined) {
    const tunnel = c.routingMode === "tunnel" && c.tunnelProtocol ? ` [${c.tunnelProtocol}]` : "";
    top.push(row("Routing", `Network: ${c.routingMode === "tunnel" ? "Tunnel" : "Native"}${tunnel}`));
  }
  if (c.bpfMasquerade !== undefined || c.ipv4Masquerade !== undefined) {
    const kind =
      c.ipv4Masquerade === false && !c.bpfMasquerade ? "Disabled" : c.bpfMasquerade ? "BPF" : "IPTables";
    const cidr = c.ipv4NativeRoutingCidr ? `   ${c.ipv4NativeRoutingCidr}` : "";
    const v4 = c.ipv4Masquerade === undefined ? "" : ` [IPv4: ${onOff(c.ipv4Masquerade)}]`;
    top.push(row("Masquerading", `${kind}${kind === "Disabled" ? "" : cidr + v4}`));
  }
  const kpr: string[] = [];
  const item = (label: string, value: string) => `  ${`${label}:`.padEnd(22)}${value}`;
  if (c.kubeProxyReplacement !== undefined) kpr.push(item("Status", c.kubeProxyReplacement));
  if (c.socketLb !== undefined) kpr.push(item("Socket LB", onOff(c.socketLb)));
  if (c.socketLbHostnsOnly !== undefined)
    kpr.push(item("Socket LB Coverage", c.socketLbHostnsOnly ? "Hostns-only" : "Full"));
  if (c.deviceAddresses !== undefined) kpr.push(item("Devices", c.deviceAddresses.join(" ")));
  if (c.kprMode !== undefined) kpr.push(item("Mode", c.kprMode));
  if (c.dsrDispatch !== undefined) {
    const name = Object.entries(DISPATCH).find(([, v]) => v === c.dsrDispatch)?.[0] ?? c.dsrDispatch;
    kpr.push(`    ${"DSR Dispatch Mode:".padEnd(20)}${name}`);
  }
  if (c.backendSelection !== undefined) {
    const size = c.maglevTableSize === undefined ? "" : ` (Table Size: ${c.maglevTableSize})`;
    kpr.push(item("Backend Selection", `${c.backendSelection}${size}`));
  }
  if (c.sessionAffinity !== undefined) kpr.push(item("Session Affinity", onOff(c.sessionAffinity)));
  if (c.nodePortRange !== undefined) {
    kpr.push(
      "  Services:",
      `  - NodePort:       Enabled (Range: ${c.nodePortRange.min}-${c.nodePortRange.max})`,
    );
  }
  const maps: string[] = [];
  for (const [label, field] of Object.entries(MAP_SIZE_LABELS)) {
    const size = c.mapSizes?.[field];
    if (size !== undefined) maps.push(`  ${label.padEnd(30)}${size}`);
  }
  const lines = [
    ...top,
    ...(kpr.length > 0 ? ["KubeProxyReplacement Details:", ...kpr] : []),
    ...(maps.length > 0 ? ["BPF Maps:   dynamic sizing: on", `  ${"Name".padEnd(30)}Size`, ...maps] : []),
  ];
  return lines.map((l) => `${l}\n`).join("");
}
