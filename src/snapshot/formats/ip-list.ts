// `cilium-dbg ip list` (+ `-n` numeric identities, + `-v` HOST and ENCRYPT_KEY columns): the agent's
// userspace ipcache. Go tabwriter rows `<cidr>\t<identity>\t<source>`; an identity shown by its labels
// takes one row per label, the following rows with empty CIDR and SOURCE cells.
import type { IdentityEntry } from "../../model/ip-list.js";
import { formatPrefix, type IpPrefix } from "../../model/ip-prefix.js";
import type { DumpFormat } from "../dump-format.js";
import type { DumpSource } from "../dump-source.js";
import { rejectLine, type ParseOptions } from "../errors.js";
import { parseDecimal, parseIpAddress, parsePrefix } from "./address-text.js";
import { contentLines, firstContentWords, isHeader } from "./dump-lines.js";
import { tabwrite } from "../text/tabwriter.js";

const HEADER = "IP IDENTITY SOURCE";
const VERBOSE_HEADER = "IP IDENTITY SOURCE HOST ENCRYPT_KEY";

interface Building {
  prefix: IpPrefix;
  identity: number | null;
  labels: string[];
  source: string;
  hostIp: string | null;
  encryptKey: number | null;
}

/** A numeric identity cell (`-n`, or labels the agent could not resolve). */
function numericIdentity(cell: string): number | undefined {
  return parseDecimal(cell, 0xffffffff);
}

/**
 * The cells after CIDR and identity: SOURCE, and in verbose mode HOST and ENCRYPT_KEY. Empty cells
 * vanish when whitespace is collapsed, so they are told apart by content: the key is the last cell
 * (a number), the host an IP address, the source anything else (it is never an address).
 */
function trailingCells(
  cells: readonly string[],
  verbose: boolean,
): Pick<Building, "source" | "hostIp" | "encryptKey"> | undefined {
  if (!verbose)
    return cells.length <= 1 ? { source: cells[0] ?? "", hostIp: null, encryptKey: null } : undefined;
  const encryptKey = parseDecimal(cells[cells.length - 1] ?? "", 0xff);
  if (encryptKey === undefined || cells.length > 3) return undefined;
  const [first, second] = cells.slice(0, -1);
  if (first === undefined) return { source: "", hostIp: null, encryptKey };
  const firstIp = parseIpAddress(first);
  if (second === undefined) {
    return firstIp === undefined
      ? { source: first, hostIp: null, encryptKey }
      : { source: "", hostIp: firstIp.address, encryptKey };
  }
  const host = parseIpAddress(second);
  if (firstIp !== undefined || host === undefined) return undefined;
  return { source: first, hostIp: host.address, encryptKey };
}

function parse(source: DumpSource, options: ParseOptions): IdentityEntry[] {
  const entries: Building[] = [];
  let verbose: boolean | undefined;
  for (const line of contentLines(source)) {
    if (isHeader(line.words, VERBOSE_HEADER) || isHeader(line.words, HEADER)) {
      verbose = line.words.length === 5;
      continue;
    }
    const prefix = parsePrefix(line.words[0] ?? "");
    const current = entries[entries.length - 1];
    if (prefix === undefined) {
      // A further label of the identity on the previous row.
      if (current !== undefined && line.words.length === 1 && current.identity === null) {
        current.labels.push(line.words[0] ?? "");
        continue;
      }
      rejectLine(options, line.location, "an ip list row `<cidr> <identity or label> [<source>]`", line.text);
      continue;
    }
    const cell = line.words[1];
    const rowVerbose =
      verbose ?? (line.words.length >= 3 && numericIdentity(line.words.at(-1) ?? "") !== undefined);
    const rest = cell === undefined ? undefined : trailingCells(line.words.slice(2), rowVerbose);
    if (cell === undefined || rest === undefined) {
      rejectLine(
        options,
        line.location,
        rowVerbose
          ? "an ip list -v row `<cidr> <identity> [<source>] [<host>] <encrypt key>`"
          : "an ip list row `<cidr> <identity or label> [<source>]`",
        line.text,
      );
      continue;
    }
    const identity = numericIdentity(cell);
    entries.push({
      prefix,
      identity: identity ?? null,
      labels: identity === undefined ? [cell] : [],
      ...rest,
    });
  }
  return entries;
}

function print(entries: readonly IdentityEntry[]): string {
  const verbose = entries.some((entry) => entry.encryptKey !== null);
  let text = verbose ? "IP\tIDENTITY\tSOURCE\tHOST\tENCRYPT_KEY\n" : "IP\tIDENTITY\tSOURCE\n";
  for (const entry of entries) {
    const cells =
      entry.identity !== null ? [String(entry.identity)] : entry.labels.length > 0 ? entry.labels : [""];
    cells.forEach((cell, index) => {
      if (index > 0) text += `\t${cell}\t\n`;
      else if (verbose) {
        text += `${formatPrefix(entry.prefix)}\t${cell}\t${entry.source}\t${entry.hostIp ?? ""}\t${entry.encryptKey ?? 0}\n`;
      } else text += `${formatPrefix(entry.prefix)}\t${cell}\t${entry.source}\n`;
    });
  }
  return tabwrite(text);
}

export const ipListFormat: DumpFormat<readonly IdentityEntry[]> = {
  kind: "ip-list",
  command: "cilium-dbg ip list [-n] [-v]",
  matches(lines) {
    const [first] = firstContentWords(lines, 1);
    return first !== undefined && (isHeader(first, HEADER) || isHeader(first, VERBOSE_HEADER));
  },
  parse,
  print,
};
