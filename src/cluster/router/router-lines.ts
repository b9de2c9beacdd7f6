// Line handling shared by the router-side parsers (`ip route`, vtysh, kubectl, cilium-dbg bgp): the
// content lines of a file with their numbers, and the CIDR grammar they all use.
import type { DumpSource } from "../../snapshot/dump-source.js";
import { contentLines, isNoiseLine, type ContentLine } from "../../snapshot/formats/dump-lines.js";
import { parseIPv4 } from "../../model/ipv4.js";
import { prefixMask } from "../../engine/engine.js";

/** An IPv4 prefix as host-order address and length. */
export interface RouterPrefix {
  readonly address: number;
  readonly length: number;
}

// `ip -c` colours its output; a pasted coloured route is the same route.
// eslint-disable-next-line no-control-regex -- the escape byte is what a colour code starts with
const ANSI = /\x1b\[[0-9;]*m/g;

/** A blog's `...` elision or an ellipsis: the output was cut there, nothing to read. */
function isElision(text: string): boolean {
  return /^\s*(\.\.\.|…)\s*$/.test(text);
}

/** The content lines of a router-side output: no blanks, `# source:` notes, elisions or colours. */
export function routerLines(source: DumpSource): ContentLine[] {
  const clean: DumpSource = {
    ...source,
    lines: source.lines.map((l) => (isElision(l) ? "" : l.replace(ANSI, ""))),
  };
  return contentLines(clean);
}

/** The first `count` content lines of a `matches()` input, colours and elisions removed. */
export function firstRouterLines(lines: readonly string[], count: number): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (out.length >= count) break;
    const text = line.replace(ANSI, "");
    if (!isNoiseLine(text) && !isElision(text)) out.push(text.trim());
  }
  return out;
}

/** `a.b.c.d/n` or a bare address (a /32); `default` is 0.0.0.0/0. Undefined when malformed. */
export function parseRouterPrefix(text: string): RouterPrefix | undefined {
  if (text === "default") return { address: 0, length: 0 };
  const [addr, len, extra] = text.split("/");
  if (extra !== undefined) return undefined;
  const address = parseIPv4(addr ?? "");
  const length = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : -1;
  if (address === undefined || length < 0 || length > 32) return undefined;
  return { address: (address & prefixMask(length)) >>> 0, length };
}

/** Whether `address` lies in `prefix`. */
export function prefixContains(prefix: RouterPrefix, address: number): boolean {
  return (address & prefixMask(prefix.length)) >>> 0 === prefix.address;
}
