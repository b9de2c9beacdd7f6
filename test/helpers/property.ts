// One place that decides how property tests draw their inputs. `npm test` runs every fast-check
// property with a fixed seed (printed once per run) so CI is reproducible; `npm run fuzz`
// (test/fuzz.ts) sets DPEMU_PROPERTY_SEED to a fresh seed and DPEMU_PROPERTY_RUNS to a run-count multiplier.

/** The seed `npm test` uses when DPEMU_PROPERTY_SEED is not set. */
export const FIXED_PROPERTY_SEED = 20261203;

function envInteger(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name}=${text}: not an integer`);
  return value;
}

/** The seed every property of this run starts from. */
export const PROPERTY_SEED: number = envInteger("DPEMU_PROPERTY_SEED") ?? FIXED_PROPERTY_SEED;

/** True when a fuzz run asked for its own seed, so tests pinned to a seed take that one too. */
export const FUZZING: boolean = envInteger("DPEMU_PROPERTY_SEED") !== undefined;

const RUNS_FACTOR = envInteger("DPEMU_PROPERTY_RUNS") ?? 1;

/** A test's run count, scaled up in fuzz runs. */
export function runs(numRuns: number): number {
  return Math.max(1, Math.round(numRuns * RUNS_FACTOR));
}

/**
 * The seed of a property pinned to one seed (its expectations were checked for it): that seed in
 * `npm test`, the fuzz run's seed otherwise.
 */
export function pinnedSeed(seed: number): number {
  return FUZZING ? PROPERTY_SEED : seed;
}
