// The packet and verdict record layouts are defined once, in assembly/datapath/records.ts: the host
// knows every one of them, and the fields must fit their records without overlapping.
import { describe, expect, it } from "vitest";
import { RECORD_LAYOUT } from "../../src/wasm/codec.js";
import { loadWasm } from "../../src/wasm/module.js";

const FIELD_SIZES: Record<string, number> = {
  PACKET_SECONDS: 4,
  PACKET_NANOSECONDS: 4,
  PACKET_SADDR: 4,
  PACKET_DADDR: 4,
  PACKET_SPORT: 2,
  PACKET_DPORT: 2,
  PACKET_PROTO: 1,
  PACKET_TCP_FLAGS: 1,
  PACKET_ENTRY: 1,
  PACKET_ICMP_TYPE: 1,
  PACKET_ICMP_CODE: 1,
  PACKET_LENGTH: 4,
  PACKET_DSR_PORT: 2,
  PACKET_DSR_ADDR: 4,
  VERDICT_VERDICT: 1,
  VERDICT_DROP_REASON: 1,
  VERDICT_OBS_POINT: 1,
  VERDICT_CT_STATE: 1,
  VERDICT_FLAGS: 2,
  VERDICT_REV_NAT_ID: 2,
  VERDICT_BACKEND_ID: 4,
  VERDICT_SADDR: 4,
  VERDICT_DADDR: 4,
  VERDICT_SPORT: 2,
  VERDICT_DPORT: 2,
  VERDICT_SRC_IDENTITY: 4,
  VERDICT_DST_IDENTITY: 4,
  VERDICT_TUNNEL_ENDPOINT: 4,
  VERDICT_SERVICE_CT_STATE: 1,
  VERDICT_DST_ENDPOINT: 4,
  VERDICT_ENCAP: 1,
  VERDICT_ENCAP_DSR: 1,
  VERDICT_ENCAP_OVERHEAD: 2,
  VERDICT_DSR_PORT: 2,
  VERDICT_DSR_ADDR: 4,
  VERDICT_OUTER_SADDR: 4,
  VERDICT_OUTER_DADDR: 4,
};

describe("datapath record layouts", () => {
  it("are all read by the host", async () => {
    const wasm = await loadWasm();
    const exported = Object.keys(wasm.exports).filter(
      (name) =>
        /^(PACKET|VERDICT|ENTRY|OBS|CT|SERVICE_CT|VFLAG|DROP|DP)_/.test(name) &&
        wasm.exports[name as keyof typeof wasm.exports] instanceof WebAssembly.Global,
    );
    expect(exported.length).toBeGreaterThan(0);
    for (const name of exported) expect(RECORD_LAYOUT).toHaveProperty(name);
  });

  it.each(["PACKET", "VERDICT"])("place every %s field inside the record, without overlaps", async (kind) => {
    const layout: Record<string, number> = RECORD_LAYOUT;
    const size = layout[`${kind}_RECORD_SIZE`]!;
    const used = new Uint8Array(size);
    const fields = Object.keys(FIELD_SIZES).filter((f) => f.startsWith(`${kind}_`));
    // VERDICT_FORWARDED / VERDICT_DROPPED are values of the verdict field, not fields.
    const values = new Set([`${kind}_RECORD_SIZE`, "VERDICT_FORWARDED", "VERDICT_DROPPED"]);
    const declared = Object.keys(layout).filter((f) => f.startsWith(`${kind}_`) && !values.has(f));
    expect(fields.sort()).toEqual(declared.sort());
    for (const field of fields) {
      const at = layout[field]!;
      const width = FIELD_SIZES[field]!;
      expect(at % width, `${field} is aligned`).toBe(0);
      expect(at + width, `${field} fits`).toBeLessThanOrEqual(size);
      for (let i = at; i < at + width; i++) {
        expect(used[i], `${field} overlaps another field`).toBe(0);
        used[i] = 1;
      }
    }
  });
});
