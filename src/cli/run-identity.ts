// `dpemu replay --shard K/N`: the identity every shard of one run shares — a digest of the emulated node's state (the snapshot's view of the chosen node, its
// CT and NAT entries placed at the input's first packet) and of the options that change verdicts.
// `dpemu summary merge` refuses shards whose identities differ.
import { createHash } from "node:crypto";
import type { DatapathState } from "../engine/state.js";

/** The options besides the state that decide a replay's verdicts. */
export interface RunOptions {
  seed: number;
  algorithm: string | null;
  engine: "wasm" | "reference";
  entry: number | null;
}

const json = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

/** Hex SHA-256 of the state and options; arrays element by element (no one giant string). */
export function runIdentity(state: DatapathState, options: RunOptions): string {
  const hash = createHash("sha256");
  hash.update(json(options));
  for (const [key, value] of Object.entries(state)) {
    hash.update(`\n${key}:`);
    if (Array.isArray(value)) for (const item of value) hash.update(`${json(item)},`);
    else hash.update(json(value));
  }
  return hash.digest("hex");
}
