// "dpemu/reference": the plain-TypeScript twins of the Wasm engine, the oracle of the differential
// tests and the baseline of every speed figure.
export { ReferenceDatapathEngine } from "../reference/datapath/engine.js";
