import { describe, expect, it } from "vitest";
import { backendHashString, toEntries, type MaglevBackend } from "../../src/lb/backend.js";
import { InvalidInputError } from "../../src/model/errors.js";

const b = (over: Partial<MaglevBackend>): MaglevBackend => ({
  address: "10.0.0.1",
  port: 80,
  protocol: "TCP",
  id: 1,
  ...over,
});

describe("backend hash string (pkg/maglev setHashString)", () => {
  it.each<[Partial<MaglevBackend>, string]>([
    [{}, "[10.0.0.1:80/TCP,State:active]"],
    [{ protocol: "udp", port: 53 }, "[10.0.0.1:53/UDP,State:active]"],
    [{ internal: true }, "[10.0.0.1:80/TCP/i,State:active]"],
    [{ clusterId: 7 }, "[10.0.0.1@7:80/TCP,State:active]"],
    [{ address: "2001:0DB8:0:0:0:0:0:1" }, "[[2001:db8::1]:80/TCP,State:active]"],
    [{ address: "2001:db8:0:0:1:0:0:1", protocol: "SCTP" }, "[[2001:db8::1:0:0:1]:80/SCTP,State:active]"],
    [{ address: "2001:db8:0:1:1:1:1:1" }, "[[2001:db8:0:1:1:1:1:1]:80/TCP,State:active]"],
    [{ address: "::", port: 0, protocol: "any" }, "[[::]:0/ANY,State:active]"],
    [{ address: "::ffff:1.2.3.4" }, "[[::ffff:1.2.3.4]:80/TCP,State:active]"],
    [{ address: "fd00::5", clusterId: 3, internal: true }, "[[fd00::5@3]:80/TCP/i,State:active]"],
  ])("%j -> %s", (over, expected) => {
    expect(backendHashString(b(over))).toBe(expected);
  });
});

describe("backend validation", () => {
  it.each<[Partial<MaglevBackend>, RegExp]>([
    [
      { address: "10.0.0.256" },
      /backend 1 \(10\.0\.0\.256\): address "10\.0\.0\.256" is not an IPv4 or IPv6 address/,
    ],
    [{ port: 65536 }, /port must be an integer 0\.\.65535, got 65536/],
    [{ protocol: "ICMP" }, /protocol must be one of TCP, UDP, SCTP, ANY, got ICMP/],
    [{ weight: 70000 }, /weight must be an integer 0\.\.65535, got 70000/],
    [{ weight: 1.5 }, /weight must be an integer/],
    [{ id: 0xffffffff }, /id must be an integer 0\.\.4294967294/],
    [{ id: -1 }, /id must be an integer/],
  ])("%j is rejected", (over, message) => {
    expect(() => toEntries([b(over)])).toThrow(InvalidInputError);
    expect(() => toEntries([b(over)])).toThrow(message);
  });

  it("defaults the weight to 1", () => {
    expect(toEntries([b({})])[0]!.weight).toBe(1);
  });

  it("rejects an empty list, duplicate IDs and duplicate backends", () => {
    expect(() => toEntries([])).toThrow(/at least one backend/);
    expect(() => toEntries([b({ id: 1 }), b({ address: "10.0.0.2", id: 1 })])).toThrow(
      /backend 2 \(10\.0\.0\.2\): id 1 is already used by backend 1/,
    );
    expect(() => toEntries([b({ id: 1 }), b({ id: 2 })])).toThrow(
      /backend 2 \(10\.0\.0\.1\): duplicates backend 1/,
    );
  });
});
