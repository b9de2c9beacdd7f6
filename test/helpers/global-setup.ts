// vitest globalSetup: runs once per `vitest run`, before the test workers start.
import { chromiumExecutable } from "./chromium.js";
import { FUZZING, PROPERTY_SEED } from "./property.js";

/** Prints the property-test seed and unpacks the packaged Chromium once (not once per browser test file). */
export default async function setup(): Promise<void> {
  const how = FUZZING ? "from DPEMU_PROPERTY_SEED" : "fixed; npm run fuzz draws fresh ones";
  console.log(`property tests: fast-check seed ${PROPERTY_SEED} (${how})`);
  await chromiumExecutable();
}
