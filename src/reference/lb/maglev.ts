// Reference twin of assembly/lb/maglev.ts. Production builds tables with the same TypeScript
// (buildMaglevTableSync), so the one definition lives in src/model/maglev-build.ts.
export { maglevBuild, maglevTableSizeSupported, offsetAndSkip } from "../../model/maglev-build.js";
