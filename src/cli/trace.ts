// `dpemu trace [SNAPSHOT] --from IP[:PORT] --to IP:PORT [--proto tcp|udp|icmp] [--flags SYN]
// [--algorithm maglev|random] [--seed N] [--node NAME] [-o text|json] [--exit-status] [--lenient]`:
// one packet through the emulated node, printed Hubble-style (one line per step) or as JSON (the
// verdict and the same steps). With --exit-status a dropped packet exits 1, for scripts.
import { RESERVED_IDENTITY_NAMES } from "../model/identity.js";
import type { Command } from "commander";
import { Datapath } from "../datapath/datapath.js";
import { dropReason } from "../engine/drop-reasons.js";
import { datapathStateFromSnapshot } from "../load/from-snapshot.js";
import type { TraceStep } from "../datapath/trace.js";
import { OBSERVATION_POINT_NAMES, type DatapathVerdict } from "../engine/verdict.js";
import { parseIPv4, formatIPv4 } from "../model/ipv4.js";
import {
  EntryPoint,
  IcmpType,
  TcpFlag,
  TCP_FLAG_NAMES,
  tcpFlagNames,
  createPacketRecord,
  type PacketRecord,
} from "../model/packet.js";
import { InputError } from "../snapshot/errors.js";
import { loadCommandSnapshot } from "./snapshot-warnings.js";
import type { UnpackLimits } from "../snapshot/archive/limits.js";
import { unpackLimitsOption, snapshotReadOptions } from "./unpack-limits-option.js";
import { defaultSnapshotPath } from "./default-snapshot.js";
import { EXIT_DROPPED, cliCommand, requiredOption, withErrorHandling } from "./errors.js";
import { resolveNode } from "./node-option.js";
import { outputFormat } from "./output.js";
import { IpProto, protocolName } from "../model/protocol.js";
import {
  addClusterOptions,
  hasRouterSide,
  refuseNodeInCluster,
  type ClusterCliOptions,
} from "./cluster-options.js";
import { addMeshOptions, wantsMesh, type MeshCliOptions } from "./mesh-options.js";
import { runMeshTrace } from "./mesh-trace-run.js";
import { runClusterTrace } from "./cluster-trace-run.js";
import { hubbleStampSeconds } from "../model/hubble-stamp.js";

interface TraceCliOptions extends ClusterCliOptions, MeshCliOptions {
  readonly from: string;
  readonly to: string;
  readonly proto: string;
  readonly flags?: string;
  readonly algorithm?: string;
  readonly seed: string;
  readonly node?: string;
  readonly maxUnpacked?: Partial<UnpackLimits>;
  readonly entry?: string;
  readonly json?: boolean;
  readonly output?: string;
  readonly exitStatus?: boolean;
  readonly lenient?: boolean;
}

/** Errors about the command line itself: reported like bad input (one line, exit 2). */
const COMMAND_LINE = { file: "dpemu trace", line: 0 };

/** The client port used when --from gives none. */
export const DEFAULT_CLIENT_PORT = 40000;

const PROTOCOLS: Record<string, number> = { tcp: IpProto.TCP, udp: IpProto.UDP, icmp: IpProto.ICMP };
const ENTRIES: Record<string, EntryPoint> = {
  endpoint: EntryPoint.FromEndpoint,
  network: EntryPoint.FromNetwork,
  overlay: EntryPoint.FromOverlay,
};
function endpoint(
  option: string,
  text: string,
  portRequired: boolean,
): { address: number; port: number | undefined } {
  const m = /^([^:]+)(?::(\d+))?$/.exec(text.trim());
  const address = m ? parseIPv4(m[1]!) : undefined;
  const port = m?.[2] !== undefined ? Number(m[2]) : undefined;
  if (!m || address === undefined || (port !== undefined && port > 65535)) {
    throw new InputError(
      COMMAND_LINE,
      `${option} expects IPv4[:PORT] (e.g. 10.96.163.90:80), got ${JSON.stringify(text)}`,
    );
  }
  if (portRequired && port === undefined) {
    throw new InputError(
      COMMAND_LINE,
      `${option} needs a port for TCP and UDP (IP:PORT), got ${JSON.stringify(text)}`,
    );
  }
  return { address, port };
}

function tcpFlags(text: string | undefined): number {
  if (text === undefined) return TcpFlag.SYN;
  let flags = 0;
  for (const name of text.split(/[,|+ ]+/).filter(Boolean)) {
    const flag = TCP_FLAG_NAMES.find(([n]) => n === name.toUpperCase());
    if (!flag) {
      throw new InputError(
        COMMAND_LINE,
        `--flags: unknown TCP flag ${JSON.stringify(name)} (expected ${TCP_FLAG_NAMES.map(([n]) => n).join(", ")})`,
      );
    }
    flags |= flag[1];
  }
  return flags;
}

/** The packet the command line describes. */
export function tracePacket(options: TraceCliOptions, nowSeconds: number): PacketRecord {
  const proto = PROTOCOLS[options.proto.toLowerCase()];
  if (proto === undefined) {
    throw new InputError(
      COMMAND_LINE,
      `--proto must be tcp, udp or icmp, got ${JSON.stringify(options.proto)}`,
    );
  }
  const icmp = proto === IpProto.ICMP;
  const from = endpoint("--from", options.from, false);
  const to = endpoint("--to", options.to, !icmp);
  if (icmp && options.flags !== undefined) throw new InputError(COMMAND_LINE, "--flags applies to TCP only");
  const entry = options.entry === undefined ? EntryPoint.Unknown : ENTRIES[options.entry.toLowerCase()];
  if (entry === undefined) {
    throw new InputError(
      COMMAND_LINE,
      `--entry must be endpoint, network or overlay, got ${JSON.stringify(options.entry)}`,
    );
  }
  const id = from.port ?? DEFAULT_CLIENT_PORT;
  return {
    ...createPacketRecord(),
    seconds: nowSeconds,
    saddr: from.address,
    daddr: to.address,
    // An ICMP echo request: its identifier stands in for the source port.
    sport: icmp ? id : (from.port ?? DEFAULT_CLIENT_PORT),
    dport: icmp ? 0 : to.port!,
    proto,
    tcpFlags: proto === IpProto.TCP ? tcpFlags(options.flags) : 0,
    icmpType: icmp ? IcmpType.ECHO : 0,
    ipLength: 60,
    entry,
  };
}

/** A step of the path as `trace -o json` writes it: what the text output's two lines per step say. */
export function traceStepJson(s: TraceStep): Record<string, unknown> {
  const end = (e: TraceStep["src"]) => ({ address: e.address, port: e.port, identity: e.identity });
  return { point: s.point, verdict: s.verdict, src: end(s.src), dst: end(s.dst), note: s.note };
}

/** The documented `-o json` document (without `steps`: the replay's verdict lines share it). */
export function traceJson(dp: Datapath, packet: PacketRecord, v: DatapathVerdict): Record<string, unknown> {
  const backend = v.backendId !== 0 ? dp.backend(v.backendId) : undefined;
  const frontend = v.revNatId !== 0 ? dp.frontendOf(v.revNatId) : undefined;
  const reason = v.verdict === "DROPPED" ? dropReason(v.dropReason) : null;
  return {
    verdict: v.verdict,
    dropReason: reason ? { code: reason.code, name: reason.hubble } : null,
    observationPoint: OBSERVATION_POINT_NAMES[v.observationPoint] ?? String(v.observationPoint),
    ctState: v.ctState,
    service: frontend !== undefined ? { revNatId: v.revNatId, frontend } : null,
    backend: backend
      ? {
          id: backend.id,
          address: `${formatIPv4(backend.address)}:${backend.port === 0 ? packet.dport : backend.port}/${protocolName(backend.proto) ?? backend.proto}`,
        }
      : null,
    translated: { saddr: formatIPv4(v.saddr), sport: v.sport, daddr: formatIPv4(v.daddr), dport: v.dport },
    srcIdentity: v.srcIdentity,
    dstIdentity: v.dstIdentity,
    tunnelEndpoint: v.tunnelEndpoint !== 0 ? formatIPv4(v.tunnelEndpoint) : null,
  };
}

function side(e: TraceStep["src"]): string {
  const who = RESERVED_IDENTITY_NAMES[e.identity] ?? `ID:${e.identity}`;
  return `${e.address}${e.port !== null ? `:${e.port}` : ""} (${who})`;
}

function protoText(packet: PacketRecord): string {
  if (packet.proto === IpProto.TCP) {
    const names = tcpFlagNames(packet.tcpFlags);
    return `TCP Flags: ${names.join(", ") || "none"}`;
  }
  if (packet.proto === IpProto.ICMP) return "ICMPv4 EchoRequest";
  return protocolName(packet.proto) ?? `proto ${packet.proto}`;
}

/** Hubble-style lines, one per step, each followed by what the step did. */
export function traceText(packet: PacketRecord, steps: readonly TraceStep[]): string {
  const time = `${hubbleStampSeconds(packet.seconds)}.000`;
  const lines: string[] = [];
  for (const s of steps) {
    const arrow = s.point.includes("xlate") ? "<>" : "->";
    const what =
      s.verdict === "DROPPED"
        ? `${s.note.replace(/ \(.*$/, "")} DROPPED (${protoText(packet)})`
        : s.verdict === "FORWARDED"
          ? `${s.point} FORWARDED (${protoText(packet)})`
          : `${s.point} ${s.verdict} (${protocolName(packet.proto) ?? packet.proto})`;
    lines.push(`${time}: ${side(s.src)} ${arrow} ${side(s.dst)} ${what}`);
    lines.push(`    ${s.note}`);
  }
  return `${lines.join("\n")}\n`;
}

export function traceCommand(): Command {
  const command = cliCommand("trace")
    .description("send one packet through the emulated node and show its path, Hubble-style")
    .argument(
      "[snapshot]",
      "dump directory, dump file, sysdump .zip or bugtool .tar.gz (default: bundled lab-3node)",
    );
  requiredOption(
    command,
    "--from <ip[:port]>",
    `source address (and port, default ${DEFAULT_CLIENT_PORT}; the ICMP echo id)`,
  );
  requiredOption(command, "--to <ip:port>", "destination address and port");
  return addMeshOptions(addClusterOptions(command))
    .option("--proto <proto>", "tcp, udp or icmp", "tcp")
    .option("--flags <flags>", "TCP flags, comma-separated (default SYN)")
    .option("--algorithm <algorithm>", "force backend selection: maglev or random")
    .option("--seed <n>", "PRNG seed for random selection and SNAT ports", "1")
    .option("--node <name>", "the node whose view the datapath takes (agent pod or Kubernetes node name)")
    .addOption(unpackLimitsOption())
    .option(
      "--entry <point>",
      "where the packet enters: endpoint, network or overlay (default: from its source)",
    )
    .option("-o, --output <format>", "text (Hubble-style steps, default) or json (verdict and steps)")
    .option("--json", "same as -o json")
    .option("--exit-status", `exit ${EXIT_DROPPED} when the packet is dropped (0 when forwarded)`)
    .option("--lenient", "skip unparseable snapshot lines with a warning instead of failing")
    .action(withErrorHandling("trace", runTrace));
}

/** The packet and how to run and show it, from the command line; a bad value is an InputError. */
function traceRequest(options: TraceCliOptions, now: number) {
  const format =
    options.output !== undefined
      ? outputFormat("trace", "--output", options.output, ["text", "json"])
      : options.json
        ? "json"
        : "text";
  const packet = tracePacket(options, now);
  const seed = Number(options.seed);
  if (!/^\d+$/.test(options.seed) || !Number.isSafeInteger(seed) || seed > 0xffffffff) {
    throw new InputError(
      COMMAND_LINE,
      `--seed must be an integer 0..4294967295, got ${JSON.stringify(options.seed)}`,
    );
  }
  const algorithm = options.algorithm?.toLowerCase();
  if (algorithm !== undefined && algorithm !== "maglev" && algorithm !== "random") {
    throw new InputError(
      COMMAND_LINE,
      `--algorithm must be maglev or random, got ${JSON.stringify(options.algorithm)}`,
    );
  }
  return { format, packet, seed, algorithm: algorithm as "maglev" | "random" | undefined };
}

/** `dpemu trace`: loads the snapshot, sends the packet through an emulated node, prints its steps. */
async function runTrace(snapshotPath: string | undefined, options: TraceCliOptions): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const { format, packet, seed, algorithm } = traceRequest(options, now);
  if (wantsMesh(options)) {
    refuseNodeInCluster("trace", options.node, "a mesh trace enters where --from's pod lives");
    const run = { seed, format, now, ...(algorithm ? { algorithm } : {}) };
    const forwarded = await runMeshTrace(packet, options, run);
    if (options.exitStatus && !forwarded) process.exitCode = EXIT_DROPPED;
    return;
  }
  const path = snapshotPath ?? defaultSnapshotPath();
  const cluster =
    options.cluster === true ||
    options.nodes !== undefined ||
    (options.node === undefined && options.entry === undefined && (await hasRouterSide(path)));
  if (cluster) {
    refuseNodeInCluster("trace", options.node, "to enter at a node, use --ingress node:NAME");
    const forwarded = await runClusterTrace(path, packet, options, {
      seed,
      format,
      now,
      ...(algorithm ? { algorithm } : {}),
    });
    if (options.exitStatus && !forwarded) process.exitCode = EXIT_DROPPED;
    return;
  }
  const snapshot = await loadCommandSnapshot(path, {
    ...snapshotReadOptions(options),
  });
  const node = options.node !== undefined ? resolveNode("trace", snapshot, options.node) : undefined;
  const { state, notes } = datapathStateFromSnapshot(snapshot, {
    ...(node !== undefined ? { node } : {}),
    dumpTime: now,
  });
  // Modes the datapath does not emulate change results: say so (on stderr, JSON stays clean).
  for (const note of notes.filter((n) => n.includes("not emulated")))
    process.stderr.write(`dpemu: ${note}\n`);
  const dp = await Datapath.create(state, { seed, ...(algorithm ? { algorithm } : {}) });
  let dropped: boolean;
  try {
    const { verdict, steps } = dp.trace(packet);
    dropped = verdict.verdict === "DROPPED";
    process.stdout.write(
      format === "json"
        ? `${JSON.stringify({ ...traceJson(dp, packet, verdict), steps: steps.map(traceStepJson) })}\n`
        : traceText(packet, steps),
    );
  } finally {
    dp.dispose();
  }
  if (options.exitStatus && dropped) process.exitCode = EXIT_DROPPED;
}
