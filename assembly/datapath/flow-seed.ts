// "Random per flow": an option of the datapath that re-seeds the PRNG before every packet from the
// node's seed and the packet itself (addresses, ports, protocol, whole seconds). Random backend
// selection and SNAT port choice then depend only on the packet, not on how many packets the node
// processed before it, so a replay sharded over several nodes (workers) draws the same numbers as
// one node. Off by default: Cilium's prandom is a sequential per-CPU stream. The TS twin is
// src/reference/datapath/flow-seed.ts.
import { prngSeed } from "../lb/select";
import {
  PACKET_DADDR,
  PACKET_DPORT,
  PACKET_PROTO,
  PACKET_SADDR,
  PACKET_SECONDS,
  PACKET_SPORT,
} from "./records";

function fmix32(x: u32): u32 {
  x ^= x >> 16;
  x *= 0x85ebca6b;
  x ^= x >> 13;
  x *= 0xc2b2ae35;
  return x ^ (x >> 16);
}

function absorb(h: u32, v: u32): u32 {
  return fmix32((h ^ v) + 0x9e3779b9);
}

/** The per-packet seed: the node seed absorbed with the packet's tuple and whole seconds. */
export function flowSeed(seed: u32, saddr: u32, daddr: u32, ports: u32, proto: u32, seconds: u32): u32 {
  let h = absorb(seed, saddr);
  h = absorb(h, daddr);
  h = absorb(h, ports);
  h = absorb(h, proto);
  return absorb(h, seconds);
}

/** Seeds `prng` for the packet record at `pkt`. */
export function seedForPacket(prng: usize, seed: u32, pkt: usize): void {
  const ports = ((<u32>load<u16>(pkt, PACKET_SPORT)) << 16) | (<u32>load<u16>(pkt, PACKET_DPORT));
  prngSeed(
    prng,
    flowSeed(
      seed,
      load<u32>(pkt, PACKET_SADDR),
      load<u32>(pkt, PACKET_DADDR),
      ports,
      <u32>load<u8>(pkt, PACKET_PROTO),
      load<u32>(pkt, PACKET_SECONDS),
    ),
  );
}
