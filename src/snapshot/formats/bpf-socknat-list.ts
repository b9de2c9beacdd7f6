// `cilium-dbg bpf socknat list`: TablePrinter("Socket Cookie", "Backend -> Frontend") over the socket-LB
// reverse-NAT maps, rows `<cookie>  <backend>:<port> -> <frontend>:<port> (revnat=<id>)` (IPv6 in
// brackets). The Go structs hold the ports as int16 and the rev-NAT index as uint16 in network byte
// order and print them without conversion, so on little-endian hosts port 443 (bytes 01 bb) shows as
// -17663 and rev-NAT 19 (bytes 00 13) as 4864. The model keeps decoded host-order values.
import type { SocknatEntry } from "../../model/socknat.js";
import type { DumpFormat } from "../dump-format.js";
import type { DumpSource } from "../dump-source.js";
import { rejectLine, type ParseOptions } from "../errors.js";
import { formatAddressPort, parseAddressPort, parseDecimal, parseU64 } from "./address-text.js";
import { contentLines, firstContentWords, isHeader } from "./dump-lines.js";
import { withU64Json } from "../../model/u64-json.js";
import { tabwrite } from "../text/tabwriter.js";

const HEADER = "Socket Cookie Backend -> Frontend";

const swap16 = (value: number): number => ((value & 0xff) << 8) | ((value >> 8) & 0xff);

/** Host-order port from the printed signed 16-bit raw value (-17663 -> 443). */
export function decodeSocknatPort(printed: number): number {
  return swap16(printed & 0xffff);
}

/** The printed signed 16-bit raw value of a host-order port (443 -> -17663). */
export function encodeSocknatPort(port: number): number {
  const raw = swap16(port);
  return raw >= 0x8000 ? raw - 0x10000 : raw;
}

/** Host-order rev-NAT ID from the printed unsigned raw value (4864 -> 19); the swap is its own inverse. */
export function decodeSocknatRevNat(printed: number): number {
  return swap16(printed);
}

export const encodeSocknatRevNat = decodeSocknatRevNat;

const SIGNED_16: readonly [number, number] = [-0x8000, 0x7fff];
const ROW_EXPECTED = "a socknat row `<cookie> <addr>:<port> -> <addr>:<port> (revnat=<n>)`";

/** The `<backend> -> <frontend> (revnat=<n>)` part of a row, or undefined. */
function parseTranslation(words: readonly string[]): Omit<SocknatEntry, "cookie"> | undefined {
  if (words.length !== 4 || words[1] !== "->") return undefined;
  const backend = parseAddressPort(words[0] ?? "", SIGNED_16);
  const frontend = parseAddressPort(words[2] ?? "", SIGNED_16);
  const revnat = /^\(revnat=(\d+)\)$/.exec(words[3] ?? "");
  const printedRevNat = revnat === null ? undefined : parseDecimal(revnat[1] ?? "", 0xffff);
  if (backend === undefined || frontend === undefined || printedRevNat === undefined) return undefined;
  // IPv4 rows are never bracketed, IPv6 rows always are.
  if (backend.family !== frontend.family || backend.bracketed !== (backend.family === "ipv6"))
    return undefined;
  if (frontend.bracketed !== backend.bracketed) return undefined;
  return {
    family: backend.family,
    backend: { address: backend.address, port: decodeSocknatPort(backend.port) },
    frontend: { address: frontend.address, port: decodeSocknatPort(frontend.port) },
    revNatId: decodeSocknatRevNat(printedRevNat),
  };
}

function parse(source: DumpSource, options: ParseOptions): SocknatEntry[] {
  const entries: SocknatEntry[] = [];
  for (const line of contentLines(source)) {
    if (isHeader(line.words, HEADER)) continue;
    const cookie = parseU64(line.words[0] ?? "");
    // Further entries of the same cookie are printed with an empty cookie cell (its indentation may
    // be lost in a paste; a row starting with an address can only be such a row).
    const continuation = cookie === undefined ? entries[entries.length - 1]?.cookie : undefined;
    const translation = parseTranslation(cookie === undefined ? line.words : line.words.slice(1));
    const rowCookie = cookie ?? continuation;
    if (rowCookie === undefined || translation === undefined) {
      rejectLine(options, line.location, ROW_EXPECTED, line.text);
      continue;
    }
    entries.push(withU64Json({ cookie: rowCookie, ...translation }));
  }
  return entries;
}

function print(entries: readonly SocknatEntry[]): string {
  let text = "Socket Cookie\tBackend -> Frontend\t\n";
  let previous: bigint | undefined;
  for (const entry of entries) {
    const backend = formatAddressPort(
      { address: entry.backend.address, port: encodeSocknatPort(entry.backend.port) },
      entry.family,
      true,
    );
    const frontend = formatAddressPort(
      { address: entry.frontend.address, port: encodeSocknatPort(entry.frontend.port) },
      entry.family,
      true,
    );
    const cookie = entry.cookie === previous ? "" : String(entry.cookie);
    text += `${cookie}\t${backend} -> ${frontend} (revnat=${encodeSocknatRevNat(entry.revNatId)})\t\n`;
    previous = entry.cookie;
  }
  return tabwrite(text);
}

export const bpfSocknatListFormat: DumpFormat<readonly SocknatEntry[]> = {
  kind: "bpf-socknat-list",
  command: "cilium-dbg bpf socknat list",
  matches(lines) {
    const [first] = firstContentWords(lines, 1);
    if (first === undefined) return false;
    return (
      isHeader(first, HEADER) ||
      (parseU64(first[0] ?? "") !== undefined && parseTranslation(first.slice(1)) !== undefined)
    );
  },
  parse,
  print,
};
