// `cilium-dbg service list -o json`: the REST model list (swagger Service), 2-space indented,
// zero fields omitted. `status.realized` is what the datapath has, so it is what the model keeps.
import { BACKEND_STATES, type BackendStateName } from "../../model/backend.js";
import { ipFamily } from "../../model/ip.js";
import { parseProtocol, type L4Protocol } from "../../model/protocol.js";
import { SERVICE_TYPES, type ServiceType } from "../../model/service-flags.js";
import type { ServiceListBackend, ServiceListEntry } from "../../model/service-list-entry.js";
import type { DumpFormat } from "../dump-format.js";
import { InputError, rejectLine } from "../errors.js";
import { firstContentLines, locate } from "../text/lines.js";

export interface ServiceListJsonDump {
  readonly services: readonly ServiceListEntry[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads one service object; returns what was expected when a field is malformed. */
function readService(value: Json): ServiceListEntry | string {
  if (!isObject(value)) return "a service object";
  const body = isObject(value.status) && isObject(value.status.realized) ? value.status.realized : value.spec;
  if (!isObject(body)) return "a service with `spec` or `status.realized`";
  const fe = body["frontend-address"];
  if (!isObject(fe) || typeof fe.ip !== "string") return "`frontend-address.ip`";
  const feFamily = ipFamily(fe.ip);
  const feProtocol = readProtocol(fe.protocol);
  const fePort = fe.port ?? 0;
  if (feFamily === undefined || feProtocol === undefined || !isPort(fePort))
    return "a frontend `{ip, port, protocol}`";
  const flags = isObject(body.flags) ? body.flags : {};
  const type = flags.type ?? "ClusterIP";
  if (typeof type !== "string" || !(SERVICE_TYPES as readonly string[]).includes(type))
    return "`flags.type` naming a service type";
  const id = body.id;
  if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id > 0xffff) return "a numeric `id`";
  const backends: ServiceListBackend[] = [];
  const list = body["backend-addresses"] ?? [];
  if (!Array.isArray(list)) return "`backend-addresses` as a list";
  for (const be of list) {
    const backend = readBackend(be);
    if (typeof backend === "string") return backend;
    backends.push(backend);
  }
  return {
    id,
    frontend: {
      address: fe.ip,
      port: fePort,
      protocol: feProtocol,
      scope: fe.scope === "internal" ? "internal" : "external",
    },
    family: feFamily,
    type: type as ServiceType,
    remote: typeof flags.cluster === "string" && flags.cluster !== "",
    backends,
    ...(typeof flags.name === "string" ? { name: flags.name } : {}),
    ...(typeof flags.namespace === "string" ? { namespace: flags.namespace } : {}),
    ...(flags.extTrafficPolicy === "Local" || flags.extTrafficPolicy === "Cluster"
      ? { extTrafficPolicy: flags.extTrafficPolicy }
      : {}),
    ...(flags.intTrafficPolicy === "Local" || flags.intTrafficPolicy === "Cluster"
      ? { intTrafficPolicy: flags.intTrafficPolicy }
      : {}),
  };
}

function isPort(value: Json): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 65535;
}

function readProtocol(value: Json | undefined): L4Protocol | undefined {
  if (value === undefined || value === "" || value === "NONE") return "ANY";
  return typeof value === "string" ? parseProtocol(value) : undefined;
}

function readBackend(be: Json): ServiceListBackend | string {
  if (!isObject(be) || typeof be.ip !== "string") return "a backend `{ip, port, protocol, state}`";
  const family = ipFamily(be.ip);
  const protocol = readProtocol(be.protocol);
  const port = be.port ?? 0;
  const state = be.state ?? "active";
  if (family === undefined || protocol === undefined || !isPort(port))
    return "a backend `{ip, port, protocol}`";
  if (typeof state !== "string" || !(BACKEND_STATES as readonly string[]).includes(state))
    return "a backend state";
  if (
    be.weight !== undefined &&
    (typeof be.weight !== "number" || !Number.isInteger(be.weight) || be.weight < 0)
  )
    return "a numeric backend weight";
  return {
    address: be.ip,
    family,
    port,
    protocol,
    state: state as BackendStateName,
    preferred: be.preferred === true,
    ...(typeof be.weight === "number" ? { weight: be.weight } : {}),
    ...(typeof be.nodeName === "string" ? { nodeName: be.nodeName } : {}),
    ...(typeof be.zone === "string" ? { zone: be.zone } : {}),
  };
}

/** The service back as the REST model prints it (keys in alphabetical order, zero values omitted). */
function toJson(service: ServiceListEntry): JsonObject {
  const flags: JsonObject = {};
  if (service.remote) flags.cluster = "remote";
  if (service.extTrafficPolicy) flags.extTrafficPolicy = service.extTrafficPolicy;
  if (service.intTrafficPolicy) flags.intTrafficPolicy = service.intTrafficPolicy;
  if (service.name !== undefined) flags.name = service.name;
  if (service.namespace !== undefined) flags.namespace = service.namespace;
  if (service.extTrafficPolicy) flags.trafficPolicy = service.extTrafficPolicy;
  flags.type = service.type;
  const body: JsonObject = {
    "backend-addresses": service.backends.map((b) => ({
      ip: b.address,
      ...(b.nodeName !== undefined ? { nodeName: b.nodeName } : {}),
      port: b.port,
      ...(b.preferred ? { preferred: true } : {}),
      protocol: b.protocol,
      state: b.state,
      ...(b.weight !== undefined ? { weight: b.weight } : {}),
      ...(b.zone !== undefined ? { zone: b.zone } : {}),
    })),
    flags,
    "frontend-address": {
      ip: service.frontend.address,
      port: service.frontend.port,
      protocol: service.frontend.protocol,
      scope: service.frontend.scope,
    },
    id: service.id ?? 0,
  };
  return { spec: body, status: { realized: body } };
}

export const serviceListJsonFormat: DumpFormat<ServiceListJsonDump> = {
  kind: "service-list-json",
  command: "cilium-dbg service list -o json",
  mayHoldHash: true,
  matches(lines) {
    const content = firstContentLines(lines, 6).map((l) => l.trim());
    if (!content[0]?.startsWith("[")) return false;
    return content.some((l) => /"(spec|frontend-address|backend-addresses)"\s*:/.test(l));
  },
  parse(source, options) {
    const start = source.lines.findIndex((l) => l.trim() !== "");
    let data: Json;
    try {
      data = JSON.parse(source.lines.join("\n")) as Json;
    } catch (error) {
      const position = /position (\d+)/.exec(String(error))?.[1];
      const index =
        position === undefined
          ? start
          : source.lines.join("\n").slice(0, Number(position)).split("\n").length - 1;
      throw new InputError(
        locate(source, Math.max(index, 0)),
        `expected the JSON of \`service list -o json\`, found invalid JSON (${(error as Error).message})`,
      );
    }
    if (!Array.isArray(data)) {
      throw new InputError(
        locate(source, Math.max(start, 0)),
        "expected a JSON list of services, found another JSON value",
      );
    }
    // Each element begins on a line of its own (`  {`); errors point there.
    const elementLines = source.lines.flatMap((l, i) => (/^\s{0,2}\{/.test(l) ? [i] : []));
    const services: ServiceListEntry[] = [];
    data.forEach((value, n) => {
      const service = readService(value);
      if (typeof service !== "string") {
        services.push(service);
        return;
      }
      const at = elementLines[n] ?? start;
      rejectLine(
        options,
        locate(source, Math.max(at, 0)),
        `${service} in service #${n + 1}`,
        source.lines[at] ?? "",
      );
    });
    return { services };
  },
  print: (dump) => `${JSON.stringify(dump.services.map(toJson), null, 2)}\n`,
};
