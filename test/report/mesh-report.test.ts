// The mesh experiment's text and HTML: every scenario and step shown, input text escaped.
import { describe, expect, it } from "vitest";
import type { MeshScenarioResult } from "../../src/mesh/mesh-experiment.js";
import { formatMeshHtml, formatMeshText } from "../../src/report/mesh-report.js";

const result = (algorithm: "maglev" | "random"): MeshScenarioResult => ({
  scenario: "scale <west> to 0 and back",
  algorithm,
  connections: 200,
  baseline: { west: 100, east: 100 },
  steps: [
    {
      label: "west\u001b[31m scaled to 0",
      newConnections: { west: 0, east: 200 },
      kept: 100,
      moved: 0,
      movedCluster: 0,
      broken: 100,
      rehashed: 100,
      rehashedCluster: 100,
    },
  ],
});

describe("mesh report", () => {
  it("prints one table per scenario with each algorithm's steps, escaping what came from input", () => {
    const text = formatMeshText("200 connections", [result("maglev"), result("random")]);
    expect(text).toContain("Scenario: scale <west> to 0 and back");
    expect(text).toMatch(
      /maglev\twest\\x1b\[31m scaled to 0\twest 0%, east 100%\t50\.0%\t0\.0% \(0\.0%\)\t50\.0%/,
    );
    expect(text).toMatch(/random\tbefore\twest 50%, east 50%/);
    expect(text).not.toContain("\u001b");
  });

  it("renders the same tables as a self-contained page", () => {
    const html = formatMeshHtml("200 connections", [result("maglev")]);
    expect(html).toContain("<h2>scale &#60;west&#62; to 0 and back</h2>");
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(html).toContain("<td>west 0%, east 100%</td>");
  });
});
