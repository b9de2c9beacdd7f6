// Reference twin of assembly/lb/select.ts. Production picks backends with the same TypeScript
// (pickBackend), so the one definition lives in src/model/lb-select.ts.
export { maglevLookup, randomSlot } from "../../model/lb-select.js";
