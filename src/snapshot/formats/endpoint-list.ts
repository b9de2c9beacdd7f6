// `cilium-dbg endpoint list`: Go tabwriter table with a two-line header
//   ENDPOINT  POLICY (ingress)  POLICY (egress)  IDENTITY  LABELS (source:key[=value])  IPv6  IPv4  STATUS
//             ENFORCEMENT       ENFORCEMENT
// and one row per endpoint, its further labels on rows of their own with every other cell empty.
// Cells may contain blanks (`Disabled (Audit)`, `<no label id>`, `no labels`, `No address`), so rows
// are read word by word with those phrases recognised, which also works on collapsed whitespace.
import type { EndpointEntry, PolicyEnforcement } from "../../model/endpoint.js";
import type { DumpFormat } from "../dump-format.js";
import type { DumpSource } from "../dump-source.js";
import { rejectLine, type ParseOptions } from "../errors.js";
import { parseDecimal, parseIpAddress } from "./address-text.js";
import { contentLines, firstContentWords, isHeader } from "./dump-lines.js";
import { tabwrite } from "../text/tabwriter.js";

const HEADER =
  "ENDPOINT POLICY (ingress) POLICY (egress) IDENTITY LABELS (source:key[=value]) IPv6 IPv4 STATUS";
const HEADER_2 = "ENFORCEMENT ENFORCEMENT";
const ROW_EXPECTED =
  "an endpoint row `<id> <Enabled|Disabled|Disabled (Audit)|Unknown> <...egress> <identity> <label> [<IPv6>] [<IPv4>] <status>` or a further label";

/** Reads a policy cell at `words[i]`; returns it and the index after it. */
function readPolicy(words: readonly string[], i: number): [PolicyEnforcement, number] | undefined {
  const word = words[i];
  if (word === "Disabled" && words[i + 1] === "(Audit)") return ["Disabled (Audit)", i + 2];
  if (word === "Enabled" || word === "Disabled" || word === "Unknown") return [word, i + 1];
  return undefined;
}

type Addresses = Pick<EndpointEntry, "addressing" | "ipv4" | "ipv6">;

/** The IPv6 and IPv4 cells (either may be empty, and then vanishes when whitespace is collapsed). */
function readAddresses(words: readonly string[]): Addresses | undefined {
  const text = words.join(" ");
  if (text === "No address No address") return { addressing: "none", ipv4: null, ipv6: null };
  if (text === "Unknown Unknown") return { addressing: "unknown", ipv4: null, ipv6: null };
  let ipv4: string | null = null;
  let ipv6: string | null = null;
  for (const word of words) {
    const address = parseIpAddress(word);
    if (address === undefined) return undefined;
    // The IPv6 cell comes first.
    if (address.family === "ipv6" && ipv6 === null && ipv4 === null) ipv6 = address.address;
    else if (address.family === "ipv4" && ipv4 === null) ipv4 = address.address;
    else return undefined;
  }
  return { addressing: "assigned", ipv4, ipv6 };
}

/** A first row of an endpoint; undefined when the words are not one. */
export function parseEndpointRow(words: readonly string[]): EndpointEntry | undefined {
  const id = parseDecimal(words[0] ?? "", 0xffff);
  const ingress = readPolicy(words, 1);
  const egress = ingress && readPolicy(words, ingress[1]);
  if (id === undefined || ingress === undefined || egress === undefined) return undefined;
  let i = egress[1];
  let identity: number | null;
  if (words[i] === "<no" && words[i + 1] === "label" && words[i + 2] === "id>") {
    identity = null;
    i += 3;
  } else {
    const parsed = parseDecimal(words[i] ?? "", 0xffffffff);
    if (parsed === undefined) return undefined;
    identity = parsed;
    i += 1;
  }
  let labels: string[];
  if (words[i] === "no" && words[i + 1] === "labels") {
    labels = [];
    i += 2;
  } else {
    if (words[i] === undefined) return undefined;
    labels = [words[i] ?? ""];
    i += 1;
  }
  const status = words[words.length - 1];
  const addresses = readAddresses(words.slice(i, -1));
  if (status === undefined || i >= words.length || addresses === undefined) return undefined;
  return { id, policyIngress: ingress[0], policyEgress: egress[0], identity, labels, ...addresses, status };
}

function parse(source: DumpSource, options: ParseOptions): EndpointEntry[] {
  const entries: EndpointEntry[] = [];
  for (const line of contentLines(source)) {
    if (isHeader(line.words, HEADER) || isHeader(line.words, HEADER_2)) continue;
    const entry = parseEndpointRow(line.words);
    if (entry !== undefined) {
      entries.push(entry);
      continue;
    }
    const current = entries[entries.length - 1];
    // A further label: a single word, under an endpoint that printed labels (not `no labels`).
    if (current !== undefined && line.words.length === 1 && current.labels.length > 0) {
      entries[entries.length - 1] = { ...current, labels: [...current.labels, line.words[0] ?? ""] };
      continue;
    }
    rejectLine(options, line.location, ROW_EXPECTED, line.text);
  }
  return entries;
}

function addressCells(entry: EndpointEntry): [string, string] {
  if (entry.addressing === "none") return ["No address", "No address"];
  if (entry.addressing === "unknown") return ["Unknown", "Unknown"];
  return [entry.ipv6 ?? "", entry.ipv4 ?? ""];
}

function print(entries: readonly EndpointEntry[]): string {
  let text =
    "ENDPOINT\tPOLICY (ingress)\tPOLICY (egress)\tIDENTITY\tLABELS (source:key[=value])\tIPv6\tIPv4\tSTATUS\t\n" +
    "\tENFORCEMENT\tENFORCEMENT\t\t\t\t\t\n";
  for (const entry of entries) {
    const [ipv6, ipv4] = addressCells(entry);
    const identity = entry.identity === null ? "<no label id>" : String(entry.identity);
    const labels = entry.labels.length === 0 ? ["no labels"] : entry.labels;
    labels.forEach((label, index) => {
      text +=
        index === 0
          ? `${entry.id}\t${entry.policyIngress}\t${entry.policyEgress}\t${identity}\t${label}\t${ipv6}\t${ipv4}\t${entry.status}\t\n`
          : `\t\t\t\t${label}\t\t\t\t\n`;
    });
  }
  return tabwrite(text);
}

export const endpointListFormat: DumpFormat<readonly EndpointEntry[]> = {
  kind: "endpoint-list",
  command: "cilium-dbg endpoint list",
  matches(lines) {
    const [first] = firstContentWords(lines, 1);
    // `--no-headers` output starts directly with a row.
    return first !== undefined && (isHeader(first, HEADER) || parseEndpointRow(first) !== undefined);
  },
  parse,
  print,
};
