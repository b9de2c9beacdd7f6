// Agent configuration dumps: `cilium-dbg config --all` (`Key   : value` under `#### ... ####`
// banners), the cilium-config ConfigMap (`kubectl get cm cilium-config -o yaml`, the `data:`
// block), and `cilium config view` / plain `key value` or `key=value` listings. Keys are matched
// ignoring case, dashes and underscores, so `routing-mode` and `RoutingMode` read the same.
import type { AgentConfig, MapSizes } from "../../model/agent-config.js";
import { expectedMapSize, isValidMapSize, type SizedMap } from "../../model/map-limits.js";
import type { DumpFormat } from "../dump-format.js";
import { rejectLine } from "../errors.js";
import { firstContentLines, locate } from "../text/lines.js";

export type AgentConfigStyle = "config-all" | "configmap" | "key-value";

export interface ConfigEntry {
  readonly key: string;
  readonly value: string;
}

export interface AgentConfigDump {
  readonly style: AgentConfigStyle;
  readonly entries: readonly ConfigEntry[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Setter = (config: Mutable<AgentConfig>, value: string, sizes: Mutable<MapSizes>) => void;

const bool = (v: string): boolean | undefined =>
  /^(true|enabled)$/i.test(v) ? true : /^(false|disabled)$/i.test(v) ? false : undefined;
const int = (v: string): number | undefined => (/^\d+$/.test(v) ? Number(v) : undefined);

/** Settings dpemu uses, by normalised key (lower case, no `-`/`_`); aliases cover older names. */
const SETTINGS: Readonly<Record<string, Setter>> = {
  routingmode: (c, v) => {
    if (v === "tunnel" || v === "native") c.routingMode = v;
  },
  // Before routing-mode existed, `tunnel: disabled` meant native routing.
  tunnel: (c, v) => {
    if (v === "disabled") c.routingMode = "native";
    else if (v !== "") {
      c.routingMode = "tunnel";
      c.tunnelProtocol = v;
    }
  },
  tunnelprotocol: (c, v) => {
    if (v !== "") c.tunnelProtocol = v;
  },
  tunnelport: (c, v) => (c.tunnelPort = int(v)),
  ipv4nativeroutingcidr: (c, v) => {
    if (v !== "" && v !== "<nil>") c.ipv4NativeRoutingCidr = v;
  },
  nativeroutingcidr: (c, v) => {
    if (v !== "" && v !== "<nil>") c.ipv4NativeRoutingCidr = v;
  },
  enablebpfmasquerade: (c, v) => (c.bpfMasquerade = bool(v)),
  enableipv4masquerade: (c, v) => (c.ipv4Masquerade = bool(v)),
  enableipmasqagent: (c, v) => (c.ipMasqAgent = bool(v)),
  kubeproxyreplacement: (c, v) => {
    if (v !== "") c.kubeProxyReplacement = v;
  },
  bpflbmode: (c, v) => setMode(c, v),
  nodeportmode: (c, v) => setMode(c, v),
  bpflbdsrdispatch: (c, v) => {
    if (v === "opt" || v === "ipip" || v === "geneve") c.dsrDispatch = v;
  },
  bpflbalgorithm: (c, v) => setAlgorithm(c, v),
  nodeportalgorithm: (c, v) => setAlgorithm(c, v),
  bpflbmaglevtablesize: (c, v) => (c.maglevTableSize = int(v)),
  bpflbmaglevhashseed: (c, v) => {
    if (v !== "") c.maglevHashSeed = v;
  },
  enablesessionaffinity: (c, v) => (c.sessionAffinity = bool(v)),
  bpflbsock: (c, v) => (c.socketLb = bool(v)),
  bpflbsockhostnsonly: (c, v) => (c.socketLbHostnsOnly = bool(v)),
  bpflbexternalclusterip: (c, v) => (c.externalClusterIp = bool(v)),
  nodeportrange: (c, v) => {
    const m = /^(\d+)[,-](\d+)$/.exec(v.replace(/[[\]\s]/g, ""));
    if (m) c.nodePortRange = { min: Number(m[1]), max: Number(m[2]) };
  },
  clustername: (c, v) => {
    if (v !== "") c.clusterName = v;
  },
  clusterid: (c, v) => (c.clusterId = int(v)),
  bpfctglobaltcpmax: (_c, v, s) => (s.ctTcp = int(v)),
  ctmapentriesglobaltcp: (_c, v, s) => (s.ctTcp = int(v)),
  bpfctglobalanymax: (_c, v, s) => (s.ctAny = int(v)),
  ctmapentriesglobalany: (_c, v, s) => (s.ctAny = int(v)),
  bpfnatglobalmax: (_c, v, s) => (s.nat = int(v)),
  natmapentriesglobal: (_c, v, s) => (s.nat = int(v)),
  bpflbmapmax: (_c, v, s) => {
    const n = int(v);
    s.lbServices = n;
    s.lbBackends = n;
    s.lbRevNat = n;
  },
  bpflbaffinitymapmax: (_c, v, s) => (s.lbAffinity = int(v)),
  bpfsockrevmapmax: (_c, v, s) => (s.sockRevNat = int(v)),
};

/** The map sizes the datapath is built with, by normalised key. */
const MAP_SIZE_KEYS: Readonly<Record<string, SizedMap>> = {
  bpfctglobaltcpmax: "ctTcp",
  ctmapentriesglobaltcp: "ctTcp",
  bpfctglobalanymax: "ctAny",
  ctmapentriesglobalany: "ctAny",
  bpfnatglobalmax: "nat",
  natmapentriesglobal: "nat",
  bpflbaffinitymapmax: "lbAffinity",
};

function setMode(c: Mutable<AgentConfig>, v: string): void {
  const mode = { snat: "SNAT", dsr: "DSR", hybrid: "Hybrid" }[v.toLowerCase()];
  if (mode) c.kprMode = mode as AgentConfig["kprMode"];
}

function setAlgorithm(c: Mutable<AgentConfig>, v: string): void {
  if (/^random$/i.test(v)) c.backendSelection = "Random";
  if (/^maglev$/i.test(v)) c.backendSelection = "Maglev";
}

export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, "");
}

/** The datapath settings a list of configuration entries sets. */
export function agentConfigFromEntries(entries: readonly ConfigEntry[]): AgentConfig {
  const config: Mutable<AgentConfig> = {};
  const sizes: Mutable<MapSizes> = {};
  for (const { key, value } of entries) SETTINGS[normaliseKey(key)]?.(config, value, sizes);
  const defined = Object.fromEntries(Object.entries(sizes).filter(([, v]) => v !== undefined));
  if (Object.keys(defined).length > 0) config.mapSizes = defined;
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as AgentConfig;
}

const BANNER = /^#{4,5} Read-(only|write) configurations #{4,5}$/;
const CONFIG_ALL = /^([A-Za-z][\w.-]*)\s*:\s?(.*)$/;
const YAML_ENTRY = /^\s+([\w.-]+):\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(.*))$/;
const KEY_VALUE = /^([A-Za-z][\w.-]*)(?:(?:\s*[=:]\s*|\s+)(.*))?$/;

/** A double-quoted YAML scalar's content, with JSON-compatible escapes resolved. */
function unquote(text: string): string {
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return text;
  }
}

function isKnown(key: string): boolean {
  return normaliseKey(key) in SETTINGS;
}

export const agentConfigFormat: DumpFormat<AgentConfigDump> = {
  kind: "agent-config",
  command: "cilium-dbg config --all (or the cilium-config ConfigMap)",
  mayHoldHash: true,
  matches(lines) {
    const content = firstContentLines(lines, 12).map((l) => l.trim());
    if (content[0] !== undefined && BANNER.test(content[0])) return true;
    if (content.includes("kind: ConfigMap") || content[0] === "apiVersion: v1") {
      return content.includes("data:") || content.some((l) => /name: cilium-config/.test(l));
    }
    const known = content.filter((l) => {
      const m = KEY_VALUE.exec(l);
      return m !== null && isKnown(m[1] ?? "") && !/[A-Z ]/.test(m[1] ?? "x");
    });
    return known.length >= 2;
  },
  parse(source, options) {
    const first = firstContentLines(source.lines, 1)[0]?.trim() ?? "";
    const style: AgentConfigStyle = BANNER.test(first)
      ? "config-all"
      : first === "apiVersion: v1" || first === "data:" || first.startsWith("kind: ")
        ? "configmap"
        : "key-value";
    const entries: ConfigEntry[] = [];
    let inData = false;
    const add = (entry: ConfigEntry, index: number, line: string) => {
      // A size the datapath is built with must be one Cilium runs with.
      const field = MAP_SIZE_KEYS[normaliseKey(entry.key)];
      const size = int(entry.value);
      if (field !== undefined && size !== undefined && !isValidMapSize(field, size))
        rejectLine(options, locate(source, index), `${entry.key} with ${expectedMapSize(field)}`, line);
      else entries.push(entry);
    };
    source.lines.forEach((line, index) => {
      const text = line.trim();
      if (text === "" || BANNER.test(text)) return;
      if (style === "configmap") {
        // Only the `data:` block holds settings; metadata and other top-level keys are skipped.
        if (!/^\s/.test(line)) {
          inData = text === "data:";
          return;
        }
        if (!inData) return;
        const m = YAML_ENTRY.exec(line);
        if (m)
          add(
            { key: m[1] ?? "", value: m[2] !== undefined ? unquote(m[2]) : (m[3] ?? m[4] ?? "").trim() },
            index,
            line,
          );
        else rejectLine(options, locate(source, index), 'a ConfigMap entry `  key: "value"`', line);
        return;
      }
      const m = (style === "config-all" ? CONFIG_ALL : KEY_VALUE).exec(text);
      if (m) add({ key: m[1] ?? "", value: (m[2] ?? "").trim() }, index, line);
      else rejectLine(options, locate(source, index), "a configuration entry `key: value`", line);
    });
    return { style, entries };
  },
  print(dump) {
    if (dump.style === "configmap") {
      const data = dump.entries.map((e) => `  ${e.key}: ${JSON.stringify(e.value)}\n`).join("");
      return `apiVersion: v1\ndata:\n${data}kind: ConfigMap\nmetadata:\n  name: cilium-config\n  namespace: kube-system\n`;
    }
    if (dump.style === "config-all") {
      return `#### Read-only configurations ####\n${dump.entries.map((e) => `${e.key.padEnd(34)}: ${e.value}\n`).join("")}`;
    }
    // At least one space after a long key; `=` before a value the separator would swallow.
    return dump.entries
      .map((e) => `${e.key.padEnd(49)}${/^[=:]/.test(e.value) ? " = " : " "}${e.value}\n`)
      .join("");
  },
};
