// `cilium-dbg service list`: tabwriter table `ID  Frontend  Service Type  Backend`, one row per
// backend (`<n> => <ip>:<port>/<PROTO> (<state>)`), ID/frontend/type empty on continuation rows.
// Releases up to 1.15 print addresses without `/PROTO`; some had no ID column.
import { BACKEND_STATES, type BackendStateName } from "../../model/backend.js";
import { parseProtocol } from "../../model/protocol.js";
import { SERVICE_TYPES, type ServiceType } from "../../model/service-flags.js";
import type { ServiceListBackend, ServiceListEntry } from "../../model/service-list-entry.js";
import type { DumpFormat } from "../dump-format.js";
import { rejectLine } from "../errors.js";
import { firstContentLines, locate, squash } from "../text/lines.js";
import { renderTable } from "../text/tabwriter.js";
import {
  ADDRESS,
  FRONTEND,
  frontendFrom,
  parseAddress,
  parsePort,
  parseUint,
  printFrontend,
} from "./lb-text.js";

export interface ServiceListDump {
  readonly idColumn: boolean;
  /** Addresses printed with `/PROTO` (1.16+). */
  readonly protocols: boolean;
  readonly services: readonly ServiceListEntry[];
}

const HEADER_WITH_ID = "ID Frontend Service Type Backend";
const HEADER_NO_ID = "Frontend Service Type Backend";
const TYPE = `(${SERVICE_TYPES.join("|")})( \\(Remote\\))?`;
const BACKEND = String.raw`(\d+) => ${ADDRESS}:(\d{1,5})(?:/([A-Za-z][A-Za-z0-9]*))? \(([a-z]+)\)( \(preferred\))?`;
const ROW_WITH_ID = new RegExp(String.raw`^(\d+)\s+${FRONTEND}\s+${TYPE}(?:\s+${BACKEND})?$`);
const ROW_NO_ID = new RegExp(String.raw`^${FRONTEND}\s+${TYPE}(?:\s+${BACKEND})?$`);
const CONTINUATION = new RegExp(String.raw`^${BACKEND}$`);

interface Row {
  readonly service?: Omit<ServiceListEntry, "backends">;
  readonly backend?: ServiceListBackend & { readonly index: number };
  readonly protocolShown: boolean;
}

function parseBackend(m: readonly (string | undefined)[], at: number): Row["backend"] | null {
  if (m[at] === undefined) return undefined;
  const index = parseUint(m[at] ?? "", 0xffff);
  const address = parseAddress(m[at + 1] ?? "");
  const port = parsePort(m[at + 2] ?? "");
  const protocol = m[at + 3] === undefined ? "ANY" : parseProtocol(m[at + 3] ?? "");
  const state = m[at + 4] as BackendStateName;
  if (
    index === undefined ||
    address === undefined ||
    port === undefined ||
    protocol === undefined ||
    !BACKEND_STATES.includes(state)
  ) {
    return null;
  }
  return { index, ...address, port, protocol, state, preferred: m[at + 5] !== undefined };
}

function parseRow(line: string, idColumn: boolean): Row | undefined {
  const text = line.trim();
  const continuation = CONTINUATION.exec(text);
  if (continuation) {
    const backend = parseBackend(continuation, 1);
    return backend ? { backend, protocolShown: continuation[4] !== undefined } : undefined;
  }
  const m = (idColumn ? ROW_WITH_ID : ROW_NO_ID).exec(text);
  if (!m) return undefined;
  const at = idColumn ? 1 : 0;
  const id = idColumn ? parseUint(m[1] ?? "", 0xffff) : undefined;
  const frontend = frontendFrom(m[at + 1] ?? "", m[at + 2] ?? "", m[at + 3], m[at + 4]);
  const backend = parseBackend(m, at + 7);
  if ((idColumn && id === undefined) || frontend === undefined || backend === null) return undefined;
  const { family, ...key } = frontend;
  const service = {
    id,
    frontend: key,
    family,
    type: m[at + 5] as ServiceType,
    remote: m[at + 6] !== undefined,
  };
  return { service, ...(backend ? { backend } : {}), protocolShown: m[at + 3] !== undefined };
}

export const serviceListFormat: DumpFormat<ServiceListDump> = {
  kind: "service-list",
  command: "cilium-dbg service list",
  matches(lines) {
    const first = firstContentLines(lines, 1)[0];
    if (first === undefined) return false;
    const header = squash(first);
    return header === HEADER_WITH_ID || header === HEADER_NO_ID;
  },
  parse(source, options) {
    let idColumn = true;
    let seen = false;
    let protocols = false;
    const services: { service: Omit<ServiceListEntry, "backends">; backends: ServiceListBackend[] }[] = [];
    source.lines.forEach((line, index) => {
      if (line.trim() === "") return;
      if (!seen) {
        seen = true;
        const header = squash(line);
        if (header === HEADER_WITH_ID || header === HEADER_NO_ID) {
          idColumn = header === HEADER_WITH_ID;
          return;
        }
      }
      const row = parseRow(line, idColumn);
      const current = services[services.length - 1];
      if (row === undefined || (row.service === undefined && current === undefined)) {
        rejectLine(
          options,
          locate(source, index),
          "a `service list` row `<id>  <frontend>  <type>  <n> => <backend> (<state>)`",
          line,
        );
        return;
      }
      protocols ||= row.protocolShown;
      const target = row.service ? { service: row.service, backends: [] } : current;
      if (row.service) services.push(target as (typeof services)[number]);
      if (row.backend && target) {
        const { index: _index, ...backend } = row.backend;
        target.backends.push(backend);
      }
    });
    return {
      idColumn,
      protocols,
      services: services.map(({ service, backends }) => ({ ...service, backends })),
    };
  },
  print(dump) {
    const header = ["Frontend", "Service Type", "Backend"];
    const rows: string[][] = [dump.idColumn ? ["ID", ...header] : header];
    // Cilium sorts by ID; the model keeps the dump's order, so printing it keeps that order.
    for (const service of dump.services) {
      const lead = [
        ...(dump.idColumn ? [String(service.id ?? 0)] : []),
        printFrontend(service.frontend, dump.protocols),
        `${service.type}${service.remote ? " (Remote)" : ""}`,
      ];
      const backends = service.backends.map((b, i) => {
        const host = b.family === 6 ? `[${b.address}]` : b.address;
        const protocol = dump.protocols ? `/${b.protocol}` : "";
        return `${i + 1} => ${host}:${b.port}${protocol} (${b.state})${b.preferred ? " (preferred)" : ""}`;
      });
      rows.push([...lead, backends[0] ?? ""]);
      for (const backend of backends.slice(1)) rows.push([...lead.map(() => ""), backend]);
    }
    return renderTable(rows, { padLastCell: true });
  },
};
