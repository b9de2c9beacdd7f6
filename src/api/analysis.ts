// "dpemu/analysis": the pieces `compareSelection` is built from — the comparison runner, emulated
// service nodes, selection engines (Wasm and reference), flow generation and the statistics.
export {
  runComparison,
  type CompareInput,
  type ConntrackInput,
  type ServiceFlows,
} from "../analysis/compare.js";
export {
  ServiceNode,
  ServiceNodes,
  datapathProtocol,
  type ServiceNodeOptions,
} from "../analysis/service-node.js";
export { sampleFlows } from "../analysis/flow-sample.js";
export type { NodeSelector, SelectionEngine } from "../analysis/selection.js";
export type { SelectionEngineOptions } from "../analysis/engine-options.js";
export { WasmSelectionEngine } from "../analysis/wasm-engine.js";
export { ReferenceSelectionEngine } from "../analysis/reference-engine.js";
export { syntheticFlows, type RandomSource, type SyntheticFlowOptions } from "../analysis/flows.js";
export { maglevTableCount } from "../analysis/snapshot-services.js";
export {
  binomialBounds,
  binomialCdf,
  binomialSurvival,
  chiSquareGoodnessOfFit,
  chiSquareSurvival,
  coefficientOfVariation,
  peakToMean,
  regularizedGammaP,
  regularizedGammaQ,
  type BinomialBounds,
  type ChiSquareResult,
} from "../analysis/stats.js";
