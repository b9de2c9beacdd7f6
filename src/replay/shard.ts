// A replay split across processes or machines (`dpemu replay --shard K/N`): shard K of N replays the
// packets whose flow hashes to K by the rule that shards flows across worker threads (shard-router.ts:
// the flow's client address through murmur3's fmix32, modulo N; both directions of a connection
// share it). Every shard reads the whole input, so what the reader counts is the same in each, and
// the summaries of all N merge into the summary of one run (summary-merge.ts).
import { InvalidInputError } from "../model/errors.js";

/** Most shards a run splits into: a sanity bound (the hash is 32 bits). */
export const MAX_SHARDS = 65536;

/** Which shard a replay is: `index` of `count` (0 ≤ index < count). */
export interface ShardSpec {
  index: number;
  count: number;
  /**
   * What all shards of one run share, chosen by the caller (the CLI: a digest of the emulated
   * node's state and the replay options); merging refuses shards whose `run` differs.
   */
  run?: string;
}

/** The `shard` section of a shard's summary: what merging checks and needs. */
export interface ShardSummary {
  index: number;
  count: number;
  /** The caller's run identity ("" when none was given). */
  run: string;
  /** Packets read from the input, in every shard alike (this shard's and the others'). */
  packetsRead: number;
  /** Of those, packets whose flows belong to other shards (not replayed here). */
  otherShards: number;
}

/** Raised for a shard the replay cannot be (index out of range, count 0). */
export class ShardSpecError extends InvalidInputError {
  constructor(message: string) {
    super(message);
    this.name = "ShardSpecError";
  }
}

/** Throws ShardSpecError unless 0 ≤ index < count ≤ MAX_SHARDS, both integers. */
export function checkShard(shard: ShardSpec): void {
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS)
    throw new ShardSpecError(`shard count must be an integer from 1 to ${MAX_SHARDS}, got ${count}`);
  if (!Number.isInteger(index) || index < 0 || index >= count)
    throw new ShardSpecError(`shard index must be an integer from 0 to ${count - 1}, got ${index}`);
}

/** Parses "K/N" (as `--shard` takes it); throws ShardSpecError naming what is wrong. */
export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(text);
  if (!m)
    throw new ShardSpecError(`shard must be K/N (shard K of N, 0 ≤ K < N), got ${JSON.stringify(text)}`);
  const shard = { index: Number(m[1]), count: Number(m[2]) };
  checkShard(shard);
  return shard;
}
