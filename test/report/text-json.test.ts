// The terminal table and the JSON output, on a real comparison (TS reference engine, small sizes).
import { beforeAll, describe, expect, it } from "vitest";
import { ReferenceSelectionEngine } from "../../src/analysis/reference-engine.js";
import type { CompareReport } from "../../src/analysis/results.js";
import { compareSelection } from "../../src/analysis/run-compare.js";
import { syntheticService } from "../../src/analysis/synthetic-service.js";
import { formatJsonReport } from "../../src/report/json.js";
import { formatTable, formatTextReport } from "../../src/report/text.js";

let report: CompareReport;

beforeAll(async () => {
  const options = { tableSize: 251, seed: 5, portPacking: "service-port-high" as const };
  report = await compareSelection({
    snapshot: { source: "synthetic", node: null, ciliumVersion: null, services: 2 },
    services: [
      syntheticService(3),
      { ...syntheticService(4), frontend: "192.0.2.2:443/TCP", address: "192.0.2.2", port: 443 },
    ],
    flowSource: { kind: "synthetic", flows: 2000, clients: 50 },
    tableSizes: [251, 509],
    ctFlows: 300,
    engine: new ReferenceSelectionEngine(options),
    ...options,
  });
});

describe("text report", () => {
  it("aligns columns under group headers", () => {
    const table = formatTable(
      [
        { group: "", label: "name", align: "left" },
        { group: "a long group label", label: "x", align: "right" },
        { group: "a long group label", label: "y", align: "right" },
      ],
      [
        ["first", "1", "22"],
        ["second-row", "333", "4"],
      ],
    ).split("\n");
    expect(table[0]).toBe("            a long group label");
    // The group label is wider than x and y together, so the last column under it grows.
    expect(table[1]).toBe(`name${" ".repeat(10)}x${" ".repeat(14)}y`);
    expect(table[2]).toBe(`${"-".repeat(10)}  ---  ${"-".repeat(13)}`);
    expect(table[3]).toBe(`first${" ".repeat(9)}1${" ".repeat(13)}22`);
    expect(table[4]).toBe(`second-row  333${" ".repeat(14)}4`);
  });

  it("has one row per service, the sweep and six verdicts", () => {
    const lines = formatTextReport(report).split("\n");
    expect(lines.filter((l) => /^192\.0\.2\.[12]:/.test(l))).toHaveLength(2);
    expect(lines.filter((l) => /^\s+(251|509)\s/.test(l))).toHaveLength(2);
    expect(
      lines.filter((l) =>
        /^(Node failover|Balance|Backend churn \(no CT\)|Backend churn \(with CT\)|Table size|Cost): /.test(
          l,
        ),
      ),
    ).toHaveLength(6);
    expect(lines).toContain(
      "Failover and churn with CT: up to 300 flows per service (CT flows) through emulated Cilium nodes",
    );
  });
});

describe("JSON report", () => {
  it("keeps the keys in a fixed order and writes non-finite numbers as null", () => {
    const doc = JSON.parse(formatJsonReport(report)) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual([
      "snapshot",
      "parameters",
      "services",
      "sweep",
      "maglevMemoryBytes",
      "notes",
    ]);
    const service = (doc.services as Record<string, unknown>[])[0]!;
    expect(Object.keys(service)).toEqual([
      "frontend",
      "id",
      "backends",
      "flows",
      "ctFlows",
      "packets",
      "bytes",
      "weights",
      "algorithms",
    ]);
    const algorithms = service.algorithms as Record<string, Record<string, unknown>>;
    expect(Object.keys(algorithms)).toEqual(["maglev", "random"]);
    expect(Object.keys(algorithms.maglev!)).toEqual([
      "balance",
      "churn",
      "failover",
      "selectNsPerFlow",
      "buildMs",
      "table",
    ]);
    expect(Object.keys(algorithms.random!)).toEqual(["balance", "churn", "failover", "selectNsPerFlow"]);
    for (const alg of ["maglev", "random"]) {
      const churn = algorithms[alg]!.churn as Record<string, unknown>[];
      for (const c of churn) {
        expect(Object.keys(c)).toEqual([
          "event",
          "count",
          "disruptedFraction",
          "optimalFraction",
          "keptWithCtFraction",
        ]);
        expect(typeof c.keptWithCtFraction).toBe("number");
      }
      expect(algorithms[alg]!.failover).toEqual({
        brokenFraction: expect.any(Number),
        flows: 300,
        measuredThrough: "datapath",
      });
    }
    expect(service.ctFlows).toBe(300);
    expect((doc.parameters as Record<string, unknown>).ctFlowsPerService).toBe(300);

    const impossible: CompareReport = {
      ...report,
      services: [
        {
          ...report.services[0]!,
          algorithms: {
            ...report.services[0]!.algorithms,
            random: {
              ...report.services[0]!.algorithms.random,
              balance: {
                ...report.services[0]!.algorithms.random.balance,
                fit: { statistic: Infinity, degreesOfFreedom: 2, pValue: 0 },
              },
            },
          },
        },
      ],
    };
    const text = formatJsonReport(impossible);
    expect(text).toContain('"statistic": null');
    expect(text).not.toContain("Infinity");
  });
});
