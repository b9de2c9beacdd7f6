// vitest setupFiles: every fast-check property in this worker starts from the run's seed; fuzz runs
// also scale the default run count of properties that set none.
import fc from "fast-check";
import { PROPERTY_SEED, runs } from "./property.js";

fc.configureGlobal({ seed: PROPERTY_SEED, numRuns: runs(100) });
