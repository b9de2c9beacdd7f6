// The JSON keys the Hubble reader looks at, object by object, and a byte-level lookup from a key's raw
// bytes to its number so the line scanner never decodes a key to a string. Names follow
// api/v1/flow/flow.proto in protobuf-JSON encoding.
import { TCP_FLAG_NAMES } from "../model/packet.js";

/** Keys of GetFlowsResponse objects that carry something other than a flow. */
export const NON_FLOW_RESPONSES = ["node_status", "lost_events", "agent_event", "debug_event"] as const;
/** Keys only a Flow object has, to recognise the old bare-flow lines. */
export const FLOW_KEYS = [
  "IP",
  "l4",
  "verdict",
  "event_type",
  "Type",
  "trace_observation_point",
  "ethernet",
] as const;

/** Keys of a line's top object: a bare Flow, or a GetFlowsResponse (whose flow, time, node_name count). */
export const TOP_KEYS = [
  "flow",
  "time",
  "node_name",
  ...NON_FLOW_RESPONSES,
  ...FLOW_KEYS,
  "drop_reason",
  "drop_reason_desc",
  "trace_reason",
  "traffic_direction",
  "source",
  "destination",
  "interface",
  "is_reply",
  "reply",
] as const;
export const IP_KEYS = ["source", "destination", "ipVersion"] as const;
export const L4_KEYS = ["TCP", "UDP", "SCTP", "ICMPv4", "ICMPv6"] as const;
/** TCP, UDP and SCTP objects; only TCP's flags are read. */
export const PORT_KEYS = ["source_port", "destination_port", "flags"] as const;
export const TCP_FLAG_KEYS = TCP_FLAG_NAMES.map(([name]) => name);
export const ICMP_KEYS = ["type", "code"] as const;
export const EVENT_TYPE_KEYS = ["type", "sub_type"] as const;
/** flow.source and flow.destination. */
export const ENDPOINT_KEYS = ["identity", "ID"] as const;
export const INTERFACE_KEYS = ["name"] as const;

/** The number of `name` in a key list (a compile-time checked index). */
export function keyIndex<const K extends readonly string[]>(keys: K, name: K[number]): number {
  return keys.indexOf(name);
}

/** Bit mask of key numbers, for "any of these keys was seen" tests. */
export function keyMask(keys: readonly string[], names: readonly string[]): number {
  return names.reduce((mask, name) => mask | (1 << keys.indexOf(name)), 0);
}

const SLOTS = 256;

/** Maps a key's raw (unescaped ASCII) bytes to its index in a key list, or -1; at most 32 keys. */
export class KeyTable {
  private readonly slots = new Int16Array(SLOTS).fill(-1);
  private readonly names: Uint8Array[];

  constructor(keys: readonly string[]) {
    if (keys.length > 32) throw new Error("a key table holds at most 32 keys");
    const encoder = new TextEncoder();
    this.names = keys.map((key) => encoder.encode(key));
    this.names.forEach((name, index) => {
      let slot = KeyTable.hash(name, 0, name.length);
      while (this.slots[slot] !== -1) slot = (slot + 1) & (SLOTS - 1);
      this.slots[slot] = index;
    });
  }

  private static hash(bytes: Uint8Array, start: number, length: number): number {
    return (length * 13 + bytes[start]! * 5 + bytes[start + length - 1]!) & (SLOTS - 1);
  }

  /** Index of the key in bytes[start, end), or -1 when it is not one of this table's keys. */
  find(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (length === 0) return -1;
    let slot = KeyTable.hash(bytes, start, length);
    for (;;) {
      const index = this.slots[slot]!;
      if (index === -1) return -1;
      const name = this.names[index]!;
      if (name.length === length) {
        let i = 0;
        while (i < length && name[i] === bytes[start + i]) i++;
        if (i === length) return index;
      }
      slot = (slot + 1) & (SLOTS - 1);
    }
  }
}
