// Reference twin of assembly/lb/flow-hash.ts. Production hashes flows with the same TypeScript
// (maglevFlowHash), so the one definition lives in src/model/flow-hash.ts.
export { flowHashPortsWord, flowHashV4 } from "../../model/flow-hash.js";
