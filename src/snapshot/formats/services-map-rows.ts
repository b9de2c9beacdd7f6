// Rows of the services map: `<frontend> (<slot>)  <id> <count>[<qcount>] (<revnat>) [0x<flags> 0x<flags2>]`.
import type { ServiceMapEntry } from "../../model/service-map-entry.js";
import { FRONTEND, frontendFrom, parseUint, printFrontend } from "./lb-text.js";
import { STATE_SUFFIX, type RowShape } from "./map-table.js";

const ROW = new RegExp(
  String.raw`^${FRONTEND} \((\d+)\)\s+(\d+) (\d+)(?:\[(\d+)\])? \((\d+)\) \[0x([0-9a-fA-F]{1,2}) 0x([0-9a-fA-F]{1,2})\]${STATE_SUFFIX}$`,
);

export const servicesMapRow: RowShape<ServiceMapEntry> = {
  expected:
    "a services-map row `<ip>:<port>/<PROTO> (<slot>)  <id> <count>[<qcount>] (<revnat>) [0x<flags> 0x<flags2>]`",
  parseRow(row) {
    const m = ROW.exec(row);
    if (!m) return undefined;
    const frontend = frontendFrom(m[1] ?? "", m[2] ?? "", m[3], m[4]);
    const slot = parseUint(m[5] ?? "", 0xffff);
    const value = parseUint(m[6] ?? "", 0xffffffff);
    const count = parseUint(m[7] ?? "", 0xffff);
    const qcount = m[8] === undefined ? undefined : parseUint(m[8], 0xffff);
    const revNatId = parseUint(m[9] ?? "", 0xffff);
    if (
      frontend === undefined ||
      slot === undefined ||
      value === undefined ||
      count === undefined ||
      (m[8] !== undefined && qcount === undefined) ||
      revNatId === undefined
    ) {
      return undefined;
    }
    const { family, ...key } = frontend;
    return {
      frontend: key,
      family,
      slot,
      value,
      count,
      qcount,
      revNatId,
      flags: parseInt(m[10] ?? "0", 16),
      flags2: parseInt(m[11] ?? "0", 16),
    };
  },
};

/** True when a row's key has no `/PROTO` (releases up to 1.15 left out ANY). */
export function keyWithoutProtocol(row: string): boolean {
  return /^\S+:\d+(\/i)? \(/.test(row.trim());
}

export function servicesMapKey(entry: ServiceMapEntry, omitAny: boolean): string {
  const withProtocol = !(omitAny && entry.frontend.protocol === "ANY");
  return `${printFrontend(entry.frontend, withProtocol)} (${entry.slot})`;
}

export function servicesMapValue(entry: ServiceMapEntry): string {
  const qcount = entry.qcount === undefined ? "" : `[${entry.qcount}]`;
  return `${entry.value} ${entry.count}${qcount} (${entry.revNatId}) [0x${entry.flags.toString(16)} 0x${entry.flags2.toString(16)}]`;
}
