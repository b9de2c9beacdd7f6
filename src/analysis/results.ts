// What `dpemu compare` measures, in the shape of its JSON output. The keys the issue names are
// stable API (services[].algorithms.{maglev,random}.{balance,churn,failover,selectNsPerFlow},
// maglev.buildMs, sweep[]); the others add detail.

/** Load spread over one service's backends. Load is measured against each backend's weight. */
export interface ShareSummary {
  /** Largest (share / expected share) over the mean of those ratios; 1 = perfect. */
  readonly peakToMean: number;
  /** Coefficient of variation of (share / expected share); 0 = perfect. */
  readonly cov: number;
  readonly minShare: number;
  readonly maxShare: number;
  /** Share per backend, keyed "IP:PORT". */
  readonly shares: Readonly<Record<string, number>>;
}

/** How well the flow shares fit the shares the weights ask for (Pearson's χ² test). */
export interface GoodnessOfFit {
  /** Pearson's chi-square of the flow counts against the shares the weights ask for. */
  readonly statistic: number;
  readonly degreesOfFreedom: number;
  readonly pValue: number;
}

/** Flow shares at the top level (the headline); packets and bytes alongside. */
export interface BalanceResult extends ShareSummary {
  readonly fit: GoodnessOfFit;
  readonly packets: ShareSummary;
  readonly bytes: ShareSummary;
}

/** A backend churn event: a backend removed or added, a weight change, or a rolling restart. */
export type ChurnKind = "remove" | "add" | "weight" | "rolling";

/** Flows re-routed by one churn event, next to the least possible, with and without conntrack. */
export interface ChurnResult {
  readonly event: ChurnKind;
  /** Backends removed or added; 1 for a weight change; replacement steps for a rolling restart. */
  readonly count: number;
  /** Flows without CT state that now reach a different backend (mean per step for "rolling"). */
  readonly disruptedFraction: number;
  /** The least any algorithm must move: how far the expected shares themselves shift. */
  readonly optimalFraction: number;
  /**
   * With CT state on the same node (through the emulated datapath, on the service's `ctFlows`):
   * established connections still on their backend after the change (mean per step for
   * "rolling"); null when the datapath does not load-balance the service's protocol.
   */
  readonly keptWithCtFraction: number | null;
}

/** Connections broken when a node without their conntrack entry takes over. */
export interface FailoverResult {
  /** Established connections that land on a different backend on a node without their CT entry. */
  readonly brokenFraction: number;
  /** Connections measured. */
  readonly flows: number;
  /**
   * "datapath": node A served the connections, node B (empty CT) got a mid-connection packet of
   * each, both emulated; "selection": each node's backend selection compared directly (protocols
   * the datapath does not load-balance).
   */
  readonly measuredThrough: "datapath" | "selection";
}

/** One selection algorithm's figures for one service. */
export interface AlgorithmResult {
  readonly balance: BalanceResult;
  readonly churn: readonly ChurnResult[];
  readonly failover: FailoverResult;
  /** Wasm selection time per flow, nanoseconds. */
  readonly selectNsPerFlow: number;
}

/** The size and per-backend entry counts of a service's Maglev table. */
export interface MaglevTableSummary {
  readonly size: number;
  /** Entries per backend / M, keyed "IP:PORT". */
  readonly entryShares: Readonly<Record<string, number>>;
  /** Peak-to-mean of entries against the weights. */
  readonly entryPeakToMean: number;
  readonly memoryBytes: number;
}

/** Maglev's figures for one service, with its table and build cost. */
export interface MaglevResult extends AlgorithmResult {
  /** Wasm table build time for this service at the chosen table size, milliseconds. */
  readonly buildMs: number;
  readonly table: MaglevTableSummary;
}

/** Both algorithms' figures for one service. */
export interface ServiceResult {
  readonly frontend: string;
  /** Cilium's service ID, null for a synthetic service. */
  readonly id: number | null;
  readonly backends: number;
  readonly flows: number;
  /** Flows sent through the emulated datapath (churn with CT, failover): at most ctFlowsPerService. */
  readonly ctFlows: number;
  readonly packets: number;
  readonly bytes: number;
  /** Backend "IP:PORT" → weight, in slot order. */
  readonly weights: Readonly<Record<string, number>>;
  readonly algorithms: { readonly maglev: MaglevResult; readonly random: AlgorithmResult };
}

/** One service's figures at one table size of the sweep. */
export interface SweepServicePoint {
  readonly frontend: string;
  readonly backends: number;
  readonly buildMs: number;
  readonly entryPeakToMean: number;
}

/** One table size: totals over the compared services, and each service's figure. */
export interface SweepPoint {
  readonly tableSize: number;
  /** Build time for all compared services' tables. */
  readonly buildMs: number;
  /** The worst service's entry peak-to-mean. */
  readonly entryPeakToMean: number;
  /** All compared services' tables (u32 per entry). */
  readonly memoryBytes: number;
  readonly services: readonly SweepServicePoint[];
}

/** The parameters a comparison ran with (seed, flows, table size, ...), echoed in every report. */
export interface CompareParameters {
  readonly seed: number;
  readonly tableSize: number;
  /** The cluster seed (base64) the Maglev tables and flow hash use. */
  readonly clusterSeed: string;
  /** Where flows came from: "synthetic" or the capture's path. */
  readonly flowSource: string;
  /** Synthetic flows per service and distinct clients (null for a capture). */
  readonly flowsPerService: number | null;
  readonly clients: number | null;
  /** The cap on flows per service sent through the emulated datapath. */
  readonly ctFlowsPerService: number;
}

/** Where the compared services came from. */
export interface SnapshotInfo {
  /** A path, "bundled example lab-3node" or "synthetic". */
  readonly source: string;
  readonly node: string | null;
  readonly ciliumVersion: string | null;
  /** Services the snapshot holds (before filtering to those compared). */
  readonly services: number;
}

/**
 * The result of `dpemu compare`: per-service results, the table-size sweep and the parameters; what every
 * report formatter takes.
 */
export interface CompareReport {
  readonly snapshot: SnapshotInfo;
  readonly parameters: CompareParameters;
  readonly services: readonly ServiceResult[];
  readonly sweep: readonly SweepPoint[];
  /** Maglev memory at the chosen table size for every service with a table, whole snapshot. */
  readonly maglevMemoryBytes: number;
  /** What the reader should know about the inputs (emulation limits, snapshot warnings). */
  readonly notes: readonly string[];
}
