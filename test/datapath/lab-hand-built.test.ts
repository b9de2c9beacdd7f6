// The lab scenarios on a DatapathState written by hand from the lab's dumps.
import { labScenarios } from "./lab-scenarios.js";
import { labState } from "./lab-state.js";

labScenarios("hand-built state", async (overrides) => labState(overrides));
