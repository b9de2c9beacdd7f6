import fc from "fast-check";
import { Validator } from "ip-num";
import { describe, expect, it } from "vitest";
import { splitHostPort } from "../../src/model/ip.js";
import { parseAddressPort, parseIpAddress } from "../../src/snapshot/formats/address-text.js";
import { bpfCtListFormat } from "../../src/snapshot/formats/bpf-ct-list.js";
import { tabwrite } from "../../src/snapshot/text/tabwriter.js";
import { fixtureText } from "../helpers/fixtures.js";
import { lenient, textSource } from "./helpers.js";
import { runs } from "../helpers/property.js";

describe("address parsing", () => {
  it("accepts exactly the dotted quads ip-num accepts", () => {
    const octet = fc.oneof(
      fc.integer({ min: 0, max: 300 }).map(String),
      fc.constantFrom("00", "01", "007", "", "-1"),
    );
    const quad = fc.array(octet, { minLength: 3, maxLength: 5 }).map((octets) => octets.join("."));
    fc.assert(
      fc.property(quad, (text) => {
        expect(parseIpAddress(text)?.family === "ipv4").toBe(Validator.isValidIPv4String(text)[0]);
      }),
      { numRuns: runs(2000) },
    );
  });

  it("takes an embedded IPv4 tail only at the end of an IPv6 address, and no zones", () => {
    expect(parseIpAddress("::ffff:10.0.0.1")?.family).toBe("ipv6");
    expect(parseIpAddress("1:2:3:4:5:6:10.0.0.1")?.family).toBe("ipv6");
    for (const bad of ["1.2.3.4::ffff", "1.2.3.4:1::", "fe80::1%eth0", "1::2::3", "::ffff:1.2.3"]) {
      expect(parseIpAddress(bad)).toBeUndefined();
      expect(splitHostPort(`[${bad}]:80`)).toBeUndefined();
    }
  });

  it("splits bare IPv6 endpoints at the last colon and checks the port range", () => {
    expect(parseAddressPort("fd85:ee78:d8a6:8607::1:fe5:8000")).toMatchObject({
      address: "fd85:ee78:d8a6:8607::1:fe5",
      port: 8000,
    });
    expect(parseAddressPort("[fd00::1]:80")).toMatchObject({ address: "fd00::1", port: 80, bracketed: true });
    expect(parseAddressPort("[10.0.0.1]:80")).toBeUndefined();
    expect(parseAddressPort("10.0.0.1:65536")).toBeUndefined();
    expect(parseAddressPort("10.0.0.1:-17663", [-0x8000, 0x7fff])?.port).toBe(-17663);
  });
});

describe("Go tabwriter twin", () => {
  it("pads tab-terminated cells to the widest cell + 3 and restarts alignment after a line without tabs", () => {
    const out = tabwrite("a\tb\nlonger-key\tc\nno tabs\nx\ty\n");
    // Column width: "longer-key" (10) + padding 3 = 13; the block after "no tabs" starts over at minwidth 5.
    expect(out.split("\n")).toEqual([`a${" ".repeat(12)}b`, "longer-key   c", "no tabs", "x    y", ""]);
  });
});

describe("lenient parsing", () => {
  it("skips an unreadable line with a warning naming file and line, keeps the rest", () => {
    const lines = fixtureText("public/ct-list-global.v1.12-nodeport.txt").split("\n");
    lines[2] = lines[2]!.replace("RevNAT=27", "RevNAT=banana");
    const { options, warnings } = lenient();
    const model = bpfCtListFormat.parse(textSource(lines.join("\n"), "ct.txt"), options);
    expect(model.map((entry) => entry.direction)).toEqual(["IN", "OUT"]);
    expect(warnings).toEqual([
      { file: "ct.txt", line: 3, message: expect.stringMatching(/^skipped line: expected RevNAT=<u16>/) },
    ]);
  });
});
