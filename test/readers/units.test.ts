// Building blocks of the readers: format detection, pcapng tick conversion (against exact BigInt
// arithmetic), RFC 3339 and IPv4 text, and frame-decoder cases the tool-written captures do not reach.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatIPv4, parseIPv4 } from "../../src/model/ipv4.js";
import { createPacketRecord } from "../../src/model/packet.js";
import { detectCaptureFormat } from "../../src/readers/detect-format.js";
import { decodeFrame } from "../../src/readers/frame-decoder.js";
import { LinkType } from "../../src/readers/link-type.js";
import { formatRfc3339, parseRfc3339 } from "../../src/readers/rfc3339.js";
import { createSkipCounts } from "../../src/readers/skip-counts.js";
import { TickClock } from "../../src/readers/tick-clock.js";
import { fixtureText } from "../helpers/fixtures.js";
import { captureFiles, readCaptureBytes } from "../helpers/tshark-expectations.js";
import { runs } from "../helpers/property.js";

const encoder = new TextEncoder();

describe("detectCaptureFormat", () => {
  it("recognises every committed capture by its magic number, whatever its file name says", () => {
    for (const name of [...captureFiles().complete, ...captureFiles().cut]) {
      const bytes = readCaptureBytes(name);
      if (bytes.length < 4) continue;
      const { format } = detectCaptureFormat(bytes.subarray(0, 64));
      // editcap can write pcapng under a .pcap name; the magic decides.
      const magic = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
      expect(format, name).toBe(magic === 0x0a0d0d0a ? "pcapng" : "pcap");
    }
    expect(detectCaptureFormat(readCaptureBytes("ethernet-nsec-be.pcap")).description).toBe(
      "pcap (nanosecond timestamps, big-endian)",
    );
  });

  it("recognises Hubble JSON in both forms, a synthetic spec, and explains Hubble text output", () => {
    const fixture = (path: string): Uint8Array => {
      const text = fixtureText(path);
      return encoder.encode(path.endsWith(".jsonl") ? text.slice(text.indexOf("\n") + 1) : text);
    };
    expect(detectCaptureFormat(fixture("public/hubble-flows.v1.19.1-export.jsonl")).format).toBe("hubble");
    expect(detectCaptureFormat(fixture("public/hubble-observe-json.2021.jsonl")).format).toBe("hubble");
    expect(detectCaptureFormat(encoder.encode('\uFEFF{"node_status":{}}\n')).format).toBe("hubble");
    const spec = JSON.stringify(
      { seed: 1, clients: { count: 1, cidr: "10.0.0.0/8" }, services: [] },
      null,
      2,
    );
    expect(detectCaptureFormat(encoder.encode(spec)).format).toBe("synthetic");
    for (const text of ["misc/hubble-observe.xlate.txt", "lab-3node/hubble-observe.overlay.txt"]) {
      const detected = detectCaptureFormat(fixture(text));
      expect(detected.format).toBe("unknown");
      expect(detected.description).toMatch(/hubble observe -o json/);
    }
  });

  it("says what an unknown input is", () => {
    expect(detectCaptureFormat(new Uint8Array([0x1f, 0x8b, 8, 0])).description).toMatch(/gzip/);
    expect(detectCaptureFormat(new Uint8Array(0)).description).toBe("empty input");
    expect(detectCaptureFormat(encoder.encode("PK\u0003\u0004zip")).description).toMatch(
      /first bytes: 50 4b 03 04/,
    );
    expect(detectCaptureFormat(encoder.encode('{"foo": 1}')).format).toBe("unknown");
  });
});

describe("TickClock (pcapng if_tsresol / if_tsoffset)", () => {
  const exact = (ticks: bigint, tsresol: number, offset: number): [number, number] => {
    const perSecond = (tsresol & 0x80) !== 0 ? 2n ** BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol & 0x7f);
    const seconds = ticks / perSecond;
    const remainder = ticks % perSecond;
    // Nanoseconds rounded down, as tshark shows them.
    return [Number(seconds) + offset, Number((remainder * 1_000_000_000n) / perSecond)];
  };

  it("converts any 64-bit tick count exactly, for decimal and binary resolutions", () => {
    const resolutions = [0, 1, 3, 6, 9, 12, 15, 0x80, 0x8a, 0x94, 0x9e, 0xa0, 0xa8, 0xbf];
    fc.assert(
      fc.property(
        fc.constantFrom(...resolutions),
        fc.oneof(
          fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
          fc.bigInt({ min: 0n, max: 2n ** 52n - 1n }),
          // Just below a whole second: the edge case of the one-division path.
          fc.bigInt({ min: 1n, max: 2n ** 32n }).map((q) => q * 1_000_000n - 1n),
        ),
        fc.integer({ min: -1e9, max: 1e9 }),
        (tsresol, ticks, offset) => {
          const clock = new TickClock(tsresol, offset);
          const packet = createPacketRecord();
          clock.toTime(Number(ticks >> 32n), Number(ticks & 0xffffffffn), packet);
          const [seconds, nanoseconds] = exact(ticks, tsresol, offset);
          // Seconds beyond 2^53 cannot be exact in a double; real captures are nowhere near.
          if (Math.abs(seconds) < 2 ** 53) expect(packet.seconds).toBe(seconds);
          expect(packet.nanoseconds).toBe(nanoseconds);
        },
      ),
      { numRuns: runs(3000) },
    );
  });

  it("converts picosecond ticks beyond where tshark 4.0's conversion overflows", () => {
    const packet = createPacketRecord();
    // 0.987654321987 s in picoseconds: tshark 4.0 multiplies the remainder by 1e9 in 64 bits and wraps.
    const ticks = 987_654_321_987n;
    new TickClock(12, 1714564800).toTime(Number(ticks >> 32n), Number(ticks & 0xffffffffn), packet);
    expect([packet.seconds, packet.nanoseconds]).toEqual([1714564800, 987654321]);
  });
});

describe("text forms", () => {
  it("IPv4 dotted quads round-trip and reject what is not one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (a) => {
        expect(parseIPv4(formatIPv4(a))).toBe(a);
      }),
    );
    for (const bad of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.1.1.1",
      "1.2.3.-4",
      "01.2.3.4",
      "1..2.3",
      "a.b.c.d",
      " 1.2.3.4",
    ]) {
      expect(parseIPv4(bad), bad).toBeUndefined();
    }
  });

  it("RFC 3339 with nanoseconds round-trips", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4102444800 }),
        fc.integer({ min: 0, max: 999_999_999 }),
        (seconds, ns) => {
          const out = { seconds: -1, nanoseconds: -1 };
          expect(parseRfc3339(formatRfc3339(seconds, ns), out)).toBe(true);
          expect(out).toEqual({ seconds, nanoseconds: ns });
        },
      ),
    );
    const out = { seconds: 0, nanoseconds: 0 };
    expect(parseRfc3339("2021-10-18T10:33:29.4169124271234Z", out)).toBe(true);
    expect(out.nanoseconds).toBe(416912427);
    for (const bad of ["2021-10-18", "2021-13-01T00:00:00Z", "2021-10-18T10:33:29", "2021-10-18T25:00:00Z"]) {
      expect(parseRfc3339(bad, out), bad).toBe(false);
    }
  });
});

describe("frame decoder edge cases", () => {
  const decode = (bytes: number[], linkType: number, wireLength = bytes.length) => {
    const skipped = createSkipCounts();
    const packet = createPacketRecord();
    const ok = decodeFrame(new Uint8Array(bytes), 0, bytes.length, wireLength, linkType, packet, skipped);
    const kinds = Object.entries(skipped)
      .filter(([, n]) => n > 0)
      .map(([k]) => k);
    return { ok, packet, kinds };
  };
  const macs = new Array<number>(12).fill(0x02);
  const ipTcp = [
    0x45,
    0,
    0,
    40,
    0,
    0,
    0,
    0,
    64,
    6,
    0,
    0,
    10,
    0,
    0,
    1,
    10,
    0,
    0,
    2,
    0x04,
    0xd2,
    0,
    80,
    ...new Array<number>(16).fill(0),
  ];

  it("counts frames cut inside the link-layer header or a VLAN tag as truncated-l2", () => {
    expect(decode(macs.slice(0, 10), LinkType.ETHERNET).kinds).toEqual(["truncated-l2"]);
    expect(decode([...macs, 0x81, 0x00, 0, 5], LinkType.ETHERNET).kinds).toEqual(["truncated-l2"]);
    expect(decode(new Array<number>(15).fill(0), LinkType.LINUX_SLL).kinds).toEqual(["truncated-l2"]);
    expect(decode(new Array<number>(19).fill(0), LinkType.LINUX_SLL2).kinds).toEqual(["truncated-l2"]);
  });

  it("decodes through any depth of stacked VLAN tags", () => {
    const tags = [0x88, 0xa8, 0, 1, 0x81, 0x00, 0, 2, 0x81, 0x00, 0, 3, 0x08, 0x00];
    const { ok, packet } = decode([...macs, ...tags, ...ipTcp], LinkType.ETHERNET);
    expect(ok).toBe(true);
    expect([formatIPv4(packet.saddr), packet.sport, packet.dport]).toEqual(["10.0.0.1", 1234, 80]);
  });

  it("counts an IP packet too short for its own L4 header as malformed, not truncated", () => {
    const short = [...ipTcp.slice(0, 20), ...ipTcp.slice(20, 30)];
    short[3] = 30;
    expect(decode(short, LinkType.IPV4).kinds).toEqual(["malformed-ip"]);
    // The same bytes cut by the capture (the header says 40 bytes) are truncated.
    const cut = ipTcp.slice(0, 30);
    expect(decode(cut, LinkType.IPV4, 40).kinds).toEqual(["truncated-l4"]);
  });

  it("skips raw IPv6 and unknown link types by kind", () => {
    expect(decode([0x60, 0, 0, 0], LinkType.IPV6).kinds).toEqual(["ipv6"]);
    expect(decode([0x50, 0, 0, 0], LinkType.RAW).kinds).toEqual(["malformed-ip"]);
    expect(decode(ipTcp, 147).kinds).toEqual(["unsupported-link-type"]);
  });
});
