// `cilium-dbg bpf lb maglev list` and `maglev get <id>` (same table): header `SVC ID  LOOKUP TABLE`,
// rows `[<revnat>]/v4  [<id> <id> ...]` (releases up to 1.11: key `<revnat>`).
import type { MaglevTable } from "../../model/maglev-table.js";
import type { DumpFormat } from "../dump-format.js";
import { rejectLine } from "../errors.js";
import { firstContentLines, locate, squash } from "../text/lines.js";
import { renderTable } from "../text/tabwriter.js";
import { parseUint } from "./lb-text.js";

export interface MaglevListDump {
  readonly header: boolean;
  readonly tables: readonly MaglevTable[];
}

const HEADER = "SVC ID LOOKUP TABLE";
const ROW = /^(?:\[(\d+)\]\/(v4|v6)|(\d+))\s+\[([\d ]*)\]$/;

function parseRow(text: string): MaglevTable | undefined {
  const m = ROW.exec(text.trim());
  if (!m) return undefined;
  const revNatId = parseUint(m[1] ?? m[3] ?? "", 0xffff);
  if (revNatId === undefined) return undefined;
  const ids = (m[4] ?? "").split(" ").filter((t) => t !== "");
  const backendIds = ids.map((t) => parseUint(t, 0xffffffff));
  if (backendIds.some((id) => id === undefined)) return undefined;
  const family = m[2] === undefined ? undefined : m[2] === "v4" ? 4 : 6;
  return { revNatId, family, backendIds: backendIds as number[] };
}

export const bpfLbMaglevListFormat: DumpFormat<MaglevListDump> = {
  kind: "bpf-lb-maglev-list",
  command: "cilium-dbg bpf lb maglev list",
  matches(lines) {
    const content = firstContentLines(lines, 3);
    const first = content[0];
    if (first === undefined) return false;
    if (squash(first) === HEADER) return true;
    // Headerless: only the new key form is distinctive enough.
    return /^\s*\[\d+\]\/v[46]\s+\[/.test(first) && content.every((l) => parseRow(l) !== undefined);
  },
  parse(source, options) {
    let header = false;
    let seen = false;
    const tables: MaglevTable[] = [];
    source.lines.forEach((line, index) => {
      if (line.trim() === "") return;
      if (!seen) {
        seen = true;
        if (squash(line) === HEADER) {
          header = true;
          return;
        }
      }
      const table = parseRow(line);
      if (table) tables.push(table);
      else
        rejectLine(options, locate(source, index), "a Maglev row `[<revnat>]/v4  [<backend id> ...]`", line);
    });
    return { header, tables };
  },
  print(dump) {
    const rows = dump.tables.map((t) => {
      const key = t.family === undefined ? String(t.revNatId) : `[${t.revNatId}]/v${t.family}`;
      return [key, `[${t.backendIds.join(" ")}]`];
    });
    return renderTable(dump.header ? [["SVC ID", "LOOKUP TABLE"], ...rows] : rows, { padLastCell: true });
  },
};
