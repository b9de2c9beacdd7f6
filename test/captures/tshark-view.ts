// Reduces `tshark -T json -x --no-duplicate-keys` output (stdin) to one JSON line per frame with the
// fields the reader tests compare: frame number, epoch time, lengths, interface, protocol stack, and for
// the outermost IPv4 header and the L4 headers tshark found, their values and byte offsets (from the
// layers' `_raw` [hex, offset, length, ...] arrays). It only renames and selects; it decides nothing.
//   tshark -r F -T json -x --no-duplicate-keys | npx tsx test/captures/tshark-view.ts > F.tshark.jsonl
import { readFileSync } from "node:fs";

type Layer = Record<string, unknown>;
type Raw = [string, number, number, number, number];

interface Frame {
  _source: { layers: Record<string, unknown> };
}

function first<T>(value: T | T[] | undefined): T | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function field(layer: Layer | undefined, name: string): string | undefined {
  if (!layer) return undefined;
  const value = first(layer[name] as string | string[] | undefined);
  return typeof value === "string" ? value : undefined;
}

function num(layer: Layer | undefined, name: string): number | undefined {
  const text = field(layer, name);
  if (text === undefined) return undefined;
  return text.startsWith("0x") ? parseInt(text, 16) : Number(text);
}

/** Every instance of a protocol layer with its raw position, in frame order. */
function layers(
  all: Record<string, unknown>,
  name: string,
): Array<{ layer: Layer; offset: number; length: number }> {
  const values = all[name];
  const raws = all[`${name}_raw`];
  if (values === undefined || raws === undefined) return [];
  const valueList = (Array.isArray(values) ? values : [values]) as Layer[];
  // One instance: raw is [hex, offset, ...]; several: an array of those.
  const rawList = (Array.isArray((raws as unknown[])[0]) ? raws : [raws]) as Raw[];
  return valueList.map((layer, i) => ({ layer, offset: rawList[i]![1], length: rawList[i]![2] }));
}

const input = readFileSync(0, "utf8");
// tshark prints nothing at all when it stops before the first frame.
const frames = (input.trim() === "" ? [] : JSON.parse(input)) as Frame[];
const lines: string[] = [];
for (const { _source } of frames) {
  const all = _source.layers;
  const frame = all.frame as Layer;
  const view: Record<string, unknown> = {
    frame: num(frame, "frame.number"),
    time: field(frame, "frame.time_epoch"),
    len: num(frame, "frame.len"),
    caplen: num(frame, "frame.cap_len"),
    // null for records that belong to no interface (pcapng custom blocks).
    iface: num(frame, "frame.interface_id") ?? null,
    protocols: field(frame, "frame.protocols"),
  };
  const ip = layers(all, "ip")[0];
  if (ip) {
    view.ip = {
      src: field(ip.layer, "ip.src"),
      dst: field(ip.layer, "ip.dst"),
      len: num(ip.layer, "ip.len"),
      hdrLen: num(ip.layer, "ip.hdr_len"),
      proto: num(ip.layer, "ip.proto"),
      fragOffset: num(ip.layer, "ip.frag_offset"),
      offset: ip.offset,
      captured: ip.length,
    };
  }
  for (const [name, fields] of [
    ["tcp", { sport: "tcp.srcport", dport: "tcp.dstport", flags: "tcp.flags" }],
    ["udp", { sport: "udp.srcport", dport: "udp.dstport" }],
    ["sctp", { sport: "sctp.srcport", dport: "sctp.dstport" }],
    ["icmp", { type: "icmp.type", code: "icmp.code", ident: "icmp.ident" }],
  ] as const) {
    const found = layers(all, name).map(({ layer, offset, length }) => {
      const out: Record<string, unknown> = { offset, captured: length };
      for (const [key, tsharkName] of Object.entries(fields)) out[key] = num(layer, tsharkName);
      return out;
    });
    if (found.length > 0) view[name] = found;
  }
  lines.push(JSON.stringify(view));
}
process.stdout.write(lines.map((line) => `${line}\n`).join(""));
