// TS twin of assembly/datapath/flow-seed.ts: the per-packet PRNG seed of the "random per flow"
// option (the node seed absorbed with the packet's addresses, ports, protocol and whole seconds).
import type { PacketRecord } from "../../model/packet.js";

function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const absorb = (h: number, v: number): number => fmix32(((h ^ v) + 0x9e3779b9) >>> 0);

/** The per-packet seed (see the Wasm twin). */
export function flowSeed(seed: number, p: PacketRecord): number {
  const ports = (((p.sport & 0xffff) << 16) | (p.dport & 0xffff)) >>> 0;
  let h = absorb(seed >>> 0, p.saddr >>> 0);
  h = absorb(h, p.daddr >>> 0);
  h = absorb(h, ports);
  h = absorb(h, p.proto & 0xff);
  return absorb(h, p.seconds >>> 0);
}
