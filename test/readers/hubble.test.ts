// The Hubble JSON reader on real `hubble observe` / exporter output (test/fixtures/public) and on the
// line shapes Hubble also prints (node status, lost events, L7, socket-LB events, IPv6, ICMP).
import { describe, expect, it } from "vitest";
import { formatIPv4 } from "../../src/model/ipv4.js";
import {
  EntryPoint,
  ReplyState,
  TcpFlag,
  copyPacketRecord,
  type PacketRecord,
} from "../../src/model/packet.js";
import { chunkBytes } from "../../src/readers/byte-source.js";
import { CaptureFormatError } from "../../src/readers/capture-error.js";
import { readHubble, type HubbleReaderOptions } from "../../src/readers/hubble-reader.js";
import type { ReadSummary } from "../../src/readers/read-summary.js";
import { fixtureText } from "../helpers/fixtures.js";
import { IpProto } from "../../src/model/protocol.js";

const encoder = new TextEncoder();

/** A fixture without its first line, which names the source (see test/fixtures/README.md). */
function fixtureLines(name: string): string[] {
  const text = fixtureText(`public/${name}`);
  return text
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "");
}

async function read(
  text: string,
  options: HubbleReaderOptions = {},
  chunkSize = 4096,
): Promise<{ records: PacketRecord[]; summary: ReadSummary }> {
  const records: PacketRecord[] = [];
  const summary = await readHubble(
    chunkBytes(encoder.encode(text), chunkSize),
    (p) => records.push(copyPacketRecord(p)),
    options,
  );
  return { records, summary };
}

async function readError(text: string): Promise<CaptureFormatError> {
  const error = await read(text).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(CaptureFormatError);
  return error as CaptureFormatError;
}

/** Seconds and nanoseconds of an RFC 3339 "...Z" time with nine fraction digits, via Date for the seconds. */
function timeOf(rfc3339: string): { seconds: number; nanoseconds: number } {
  const [whole, fraction] = rfc3339.replace("Z", "").split(".");
  return { seconds: Date.parse(`${whole}Z`) / 1000, nanoseconds: Number(fraction) };
}

/** The parts of a fixture flow the test reads. */
interface FixtureFlow {
  time: string;
  verdict: string;
  IP: { source: string; destination: string };
  l4: { TCP: { source_port: number; destination_port: number; flags: Record<string, boolean> } };
  trace_observation_point: string;
  trace_reason: string;
  traffic_direction: string;
  is_reply: boolean;
}

describe("Hubble flows from real output", () => {
  it("reads the v1.19.1 exporter lines ({flow:...} wrapper) with Hubble's verdict alongside", async () => {
    const lines = fixtureLines("hubble-flows.v1.19.1-export.jsonl");
    const { records, summary } = await read(lines.join("\n") + "\n");
    expect(summary.packets).toBe(lines.length);
    expect(summary.seen).toBe(lines.length);
    for (const [i, line] of lines.entries()) {
      const { flow } = JSON.parse(line) as { flow: FixtureFlow };
      const p = records[i]!;
      const ip = flow.IP;
      const tcp = flow.l4.TCP;
      expect(formatIPv4(p.saddr)).toBe(ip.source);
      expect(formatIPv4(p.daddr)).toBe(ip.destination);
      expect([p.sport, p.dport, p.proto]).toEqual([tcp.source_port, tcp.destination_port, IpProto.TCP]);
      const flagBits = Object.keys(tcp.flags).reduce(
        (m, name) => m | TcpFlag[name as keyof typeof TcpFlag],
        0,
      );
      expect(p.tcpFlags).toBe(flagBits);
      expect({ seconds: p.seconds, nanoseconds: p.nanoseconds }).toEqual(timeOf(flow.time));
      expect(p.observed?.verdict).toBe(flow.verdict);
      expect(p.observed?.observationPoint).toBe(flow.trace_observation_point);
      expect(p.observed?.traceReason).toBe(flow.trace_reason);
      expect(p.observed?.trafficDirection).toBe(flow.traffic_direction);
      expect(p.reply).toBe(flow.is_reply ? ReplyState.Reply : ReplyState.Original);
      expect(p.packetNumber).toBe(i + 1);
    }
    // First line: a reply delivered to local endpoint 3106 from the kube-apiserver.
    const first = records[0]!;
    expect(first.tcpFlags).toBe(TcpFlag.PSH | TcpFlag.ACK);
    expect(first.observed).toMatchObject({
      sourceIdentity: 16777217,
      destinationIdentity: 20252,
      destinationEndpointId: 3106,
      sourceEndpointId: 0,
      nodeName: "10.10.21.166",
      interfaceName: "eni07eaad73233",
      eventType: 4,
    });
    // Seen at TO_ENDPOINT from a non-local source: where it entered is for the replayer to decide.
    expect(first.entry).toBe(EntryPoint.Unknown);
    // Second line: a SYN leaving through eth0 (trace sub-type 11 = to-network).
    expect(records[1]!.observed).toMatchObject({
      eventSubType: 11,
      observationPoint: "TO_NETWORK",
      sourceIdentity: 1,
    });
    expect(records[1]!.reply).toBe(ReplyState.Original);
  });

  it("reads the 2021 bare-flow line of `hubble observe -o json`", async () => {
    const [line] = fixtureLines("hubble-observe-json.2021.jsonl");
    const { records } = await read(line!);
    expect(records).toHaveLength(1);
    const p = records[0]!;
    expect([formatIPv4(p.saddr), p.sport, formatIPv4(p.daddr), p.dport]).toEqual([
      "22.26.54.134",
      443,
      "10.0.0.171",
      36836,
    ]);
    expect(p.tcpFlags).toBe(TcpFlag.SYN | TcpFlag.ACK);
    expect(p.reply).toBe(ReplyState.Reply);
    expect(p.observed).toMatchObject({
      verdict: "FORWARDED",
      destinationEndpointId: 1308,
      nodeName: "dev-controlplain1",
    });
    expect({ seconds: p.seconds, nanoseconds: p.nanoseconds }).toEqual(
      timeOf("2021-10-18T10:33:29.416912427Z"),
    );
  });

  it("gives the same records whatever the chunk size", async () => {
    const text = [
      ...fixtureLines("hubble-flows.v1.19.1-export.jsonl"),
      ...fixtureLines("hubble-observe-json.2021.jsonl"),
    ].join("\r\n");
    const whole = await read(text, {}, 1 << 20);
    for (const size of [1, 7, 4096]) expect(await read(text, {}, size)).toEqual(whole);
  });
});

const flow = (fields: Record<string, unknown>): string =>
  JSON.stringify({
    flow: { time: "2024-05-01T12:00:00.000000001Z", verdict: "FORWARDED", Type: "L3_L4", ...fields },
  });
const ipv4 = { IP: { source: "10.0.1.5", destination: "10.96.0.10", ipVersion: "IPv4" } };

describe("Hubble line shapes", () => {
  it("counts non-flow responses, IPv6, L7, socket-LB and IP-less flows as skipped, by kind", async () => {
    const text = [
      JSON.stringify({
        node_status: { state_change: "NODE_CONNECTED", node_names: ["k8s-w1"] },
        time: "2024-05-01T12:00:00Z",
      }),
      JSON.stringify({ lost_events: { source: "HUBBLE_RING_BUFFER", num_events_lost: 12 } }),
      flow({
        IP: { source: "fd00::1", destination: "fd00::2", ipVersion: "IPv6" },
        l4: { TCP: { source_port: 1, destination_port: 2 } },
      }),
      flow({ ...ipv4, Type: "L7", l4: { UDP: { source_port: 53000, destination_port: 53 } } }),
      flow({ ...ipv4, Type: "SOCK", l4: { TCP: { source_port: 1, destination_port: 80 } } }),
      flow({ ethernet: { source: "aa:bb:cc:dd:ee:ff", destination: "ff:ff:ff:ff:ff:ff" } }),
      flow({ ...ipv4 }),
      flow({ ...ipv4, l4: { IGMP: { type: 17 } } }),
      flow({ ...ipv4, l4: { UDP: { source_port: 53000, destination_port: 53 } } }),
      "",
    ].join("\n");
    const { records, summary } = await read(text);
    expect(records).toHaveLength(1);
    expect(records[0]!.packetNumber).toBe(9);
    expect(summary.seen).toBe(9);
    expect(summary.skipped).toMatchObject({
      "hubble-non-flow": 2,
      ipv6: 1,
      "hubble-l7": 1,
      "hubble-sock": 1,
      "hubble-no-ip": 1,
      "hubble-no-l4": 1,
      "other-ip-protocol": 1,
    });
  });

  it("maps ICMP, UDP and SCTP flows, observation points to entry points, and the deprecated reply flag", async () => {
    const text = [
      flow({ ...ipv4, l4: { ICMPv4: { type: 8 } }, trace_observation_point: "FROM_ENDPOINT" }),
      flow({
        ...ipv4,
        l4: { UDP: { source_port: 53000, destination_port: 53 } },
        trace_observation_point: "FROM_NETWORK",
        reply: true,
      }),
      flow({
        ...ipv4,
        l4: { SCTP: { source_port: 5000, destination_port: 38412 } },
        trace_observation_point: "FROM_OVERLAY",
      }),
      flow({
        ...ipv4,
        l4: { TCP: { source_port: 1, destination_port: 80 } },
        source: { ID: 42 },
        trace_observation_point: "TO_STACK",
      }),
    ].join("\n");
    const { records } = await read(text);
    expect(records.map((p) => [p.proto, p.sport, p.dport, p.icmpType, p.entry, p.reply])).toEqual([
      [IpProto.ICMP, 0, 0, 8, EntryPoint.FromEndpoint, ReplyState.Unknown],
      [IpProto.UDP, 53000, 53, 0, EntryPoint.FromNetwork, ReplyState.Reply],
      [IpProto.SCTP, 5000, 38412, 0, EntryPoint.FromOverlay, ReplyState.Unknown],
      // Sent by local endpoint 42, observed on its way to the stack.
      [IpProto.TCP, 1, 80, 0, EntryPoint.FromEndpoint, ReplyState.Unknown],
    ]);
  });

  it("takes the response time when the flow has none, and honours time-zone offsets", async () => {
    const text = [
      JSON.stringify({
        flow: { ...ipv4, l4: { UDP: { source_port: 1, destination_port: 2 } } },
        time: "2024-05-01T12:00:00.5Z",
      }),
      flow({
        ...ipv4,
        time: "2024-05-01T14:00:00.25+02:00",
        l4: { UDP: { source_port: 1, destination_port: 2 } },
      }),
    ].join("\n");
    const { records } = await read(text);
    const noon = Date.UTC(2024, 4, 1, 12) / 1000;
    expect(records.map((p) => [p.seconds, p.nanoseconds])).toEqual([
      [noon, 500_000_000],
      [noon, 250_000_000],
    ]);
  });

  it("stops at invalid JSON with the line number and byte offset, keeping what was read", async () => {
    const good = flow({ ...ipv4, l4: { UDP: { source_port: 1, destination_port: 2 } } });
    const error = await readError(`${good}\n\n${good}\n{"flow": {"time": \n${good}\n`);
    expect(error.line).toBe(4);
    expect(error.byteOffset).toBe(2 * good.length + 3);
    expect(error.packetNumber).toBe(3);
    expect(error.summary?.packets).toBe(2);
    expect(error.message).toMatch(/^hubble: line 4 \(byte offset \d+\): not valid JSON/);
  });

  it("skips invalid JSON lines when asked, counting them", async () => {
    const good = flow({ ...ipv4, l4: { UDP: { source_port: 1, destination_port: 2 } } });
    const skippedLines: Array<[number, number]> = [];
    const { records, summary } = await read(`# a comment\n${good}\nnot json\n`, {
      onMalformedLine: "skip",
      onSkippedLine: (line, offset) => skippedLines.push([line, offset]),
    });
    expect(records).toHaveLength(1);
    expect(summary.skipped["hubble-malformed"]).toBe(2);
    expect(skippedLines).toEqual([
      [1, 0],
      [3, "# a comment\n".length + good.length + 1],
    ]);
  });

  it("reports flows with fields of the wrong type or impossible values by line", async () => {
    const cases: Array<[string, RegExp]> = [
      [flow({ IP: { source: 10, destination: "10.0.0.1" }, l4: {} }), /flow\.IP\.source is not a string/],
      [flow({ IP: { source: "10.0.0.300", destination: "10.0.0.1" }, l4: {} }), /no valid IPv4/],
      [
        flow({ ...ipv4, l4: { TCP: { source_port: 70000, destination_port: 1 } } }),
        /source_port is not an integer in 0\.\.65535/,
      ],
      [flow({ ...ipv4, time: "yesterday", l4: { UDP: {} } }), /flow\.time is not RFC 3339/],
    ];
    for (const [line, pattern] of cases) {
      const error = await readError(`${flow({ ...ipv4, l4: { UDP: {} } })}\n${line}\n`);
      expect(error.line).toBe(2);
      expect(error.packetNumber).toBe(2);
      expect(error.problem).toMatch(pattern);
    }
  });
});
