// Which verdicts `dpemu replay --verdicts` writes, with `hubble observe`'s filter flags: several
// values of one flag match any of them, different flags must all match. Addresses and ports are the
// packet's as it entered the node (what the input shows); `--service` and `--drop-reason` are the
// emulated verdict's. Filters choose lines of the stream only: the summary counts every packet.
import type { Datapath } from "../datapath/datapath.js";
import { knownDropReasons } from "../engine/drop-reasons.js";
import { parseIPv4 } from "../model/ipv4.js";
import type { ReplayedPacket } from "../replay/replayed-packet.js";
import { InputError } from "../snapshot/errors.js";
import { commandLine } from "./errors.js";

/** The filter flags as commander collects them (each repeatable). */
export interface VerdictFilterOptions {
  readonly verdict?: string[];
  readonly fromIp?: string[];
  readonly toIp?: string[];
  readonly ip?: string[];
  readonly protocol?: string[];
  readonly port?: string[];
  readonly fromPort?: string[];
  readonly toPort?: string[];
  readonly dropReason?: string[];
  readonly service?: string[];
}

export type VerdictFilter = (replayed: ReplayedPacket, directory: Datapath) => boolean;

/** Appends a repeatable option's value (commander's option argument parser). */
export const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];

const COMMAND_LINE = commandLine("replay");
const PROTOCOLS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, sctp: 132 };

function fail(message: string): never {
  throw new InputError(COMMAND_LINE, message);
}

/** `values`, each also split at commas (hubble accepts both `--port 80 --port 443` and `80,443`). */
const values = (list: string[] | undefined): string[] =>
  (list ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");

/** An IPv4 address or CIDR as [network, mask]. */
function prefix(option: string, text: string): [number, number] {
  const [address = "", bits] = text.split("/");
  const ip = parseIPv4(address);
  const length = bits === undefined ? 32 : Number(bits);
  if (ip === undefined || !/^\d{1,2}$/.test(bits ?? "32") || length > 32) {
    fail(`${option} expects an IPv4 address or CIDR (e.g. 10.0.0.0/8), got ${JSON.stringify(text)}`);
  }
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  return [(ip & mask) >>> 0, mask];
}

function port(option: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535)
    fail(`${option} expects a port 0..65535, got ${JSON.stringify(text)}`);
  return n;
}

const inPrefixes = (address: number, prefixes: [number, number][]): boolean =>
  prefixes.some(([network, mask]) => (address & mask) >>> 0 === network);

/** "IP:PORT[/PROTO]" service frontend or a rev-NAT ID. */
function serviceMatcher(text: string): (frontend: string | undefined, revNatId: number) => boolean {
  if (/^\d+$/.test(text)) return (_f, id) => id === Number(text);
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)(?:\/(\w+))?$/.exec(text);
  if (!m || parseIPv4(m[1]!) === undefined) {
    fail(`--service expects a frontend IP:PORT[/PROTO] or a rev-NAT ID, got ${JSON.stringify(text)}`);
  }
  const head = `${m[1]}:${m[2]}/`;
  const proto = m[3]?.toUpperCase();
  return (frontend) =>
    frontend !== undefined && frontend.startsWith(head) && (proto === undefined || frontend === head + proto);
}

/** The filter the options describe, or null when none is given. */
export function verdictFilter(options: VerdictFilterOptions): VerdictFilter | null {
  const tests: VerdictFilter[] = [];

  const verdicts = values(options.verdict).map((v) => v.toUpperCase());
  for (const v of verdicts) {
    if (v !== "FORWARDED" && v !== "DROPPED")
      fail(`--verdict must be FORWARDED or DROPPED, got ${JSON.stringify(v)}`);
  }
  if (verdicts.length > 0) tests.push(({ verdict }) => verdicts.includes(verdict.verdict));

  const from = values(options.fromIp).map((t) => prefix("--from-ip", t));
  if (from.length > 0) tests.push(({ packet }) => inPrefixes(packet.saddr, from));
  const to = values(options.toIp).map((t) => prefix("--to-ip", t));
  if (to.length > 0) tests.push(({ packet }) => inPrefixes(packet.daddr, to));
  const either = values(options.ip).map((t) => prefix("--ip", t));
  if (either.length > 0) {
    tests.push(({ packet }) => inPrefixes(packet.saddr, either) || inPrefixes(packet.daddr, either));
  }

  const protocols = values(options.protocol).map((t) => {
    const p = PROTOCOLS[t.toLowerCase()] ?? (/^\d+$/.test(t) && Number(t) < 256 ? Number(t) : undefined);
    if (p === undefined)
      fail(`--protocol expects tcp, udp, icmp, sctp or a number, got ${JSON.stringify(t)}`);
    return p;
  });
  if (protocols.length > 0) tests.push(({ packet }) => protocols.includes(packet.proto));

  const ports = values(options.port).map((t) => port("--port", t));
  if (ports.length > 0)
    tests.push(({ packet }) => ports.includes(packet.sport) || ports.includes(packet.dport));
  const fromPorts = values(options.fromPort).map((t) => port("--from-port", t));
  if (fromPorts.length > 0) tests.push(({ packet }) => fromPorts.includes(packet.sport));
  const toPorts = values(options.toPort).map((t) => port("--to-port", t));
  if (toPorts.length > 0) tests.push(({ packet }) => toPorts.includes(packet.dport));

  const known = new Map(knownDropReasons().map((r) => [r.hubble, r.code]));
  const reasons = values(options.dropReason).map((t) => {
    const code = /^\d+$/.test(t) ? Number(t) : known.get(t.toUpperCase());
    if (code === undefined) {
      fail(
        `--drop-reason expects a Hubble drop reason name (e.g. POLICY_DENIED) or code, got ${JSON.stringify(t)}`,
      );
    }
    return code;
  });
  if (reasons.length > 0) {
    tests.push(({ verdict }) => verdict.verdict === "DROPPED" && reasons.includes(verdict.dropReason));
  }

  const services = values(options.service).map(serviceMatcher);
  if (services.length > 0) {
    tests.push(({ verdict }, directory) => {
      if (verdict.revNatId === 0) return false;
      const frontend = directory.frontendOf(verdict.revNatId);
      return services.some((match) => match(frontend, verdict.revNatId));
    });
  }

  if (tests.length === 0) return null;
  return (replayed, directory) => tests.every((test) => test(replayed, directory));
}
