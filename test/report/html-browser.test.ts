// The HTML report in a real browser: Debian's chromium, headless, through playwright-core. The page
// must render every chart from a file URL with no network request and no console error, and show a
// hostile service name as text.
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompareService } from "../../src/analysis/model.js";
import type { CompareReport } from "../../src/analysis/results.js";
import { compareSelection } from "../../src/analysis/run-compare.js";
import { syntheticService } from "../../src/analysis/synthetic-service.js";
import { formatHtmlReport } from "../../src/report/html.js";
import { launchChromium, watchPage } from "../helpers/chromium.js";

const HOSTILE =
  `<img src="http://198.51.100.7/x.png" onerror="window.__pwned=1;console.error('pwned')">` +
  `</script><script>window.__pwned=2</script>&amp;"'`;

let dir: string;
let context: BrowserContext;
let report: CompareReport;
let htmlPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dpemu-html-"));
  const hostile: CompareService = { ...syntheticService(3), frontend: HOSTILE, id: 7 };
  const weighted: CompareService = { ...syntheticService(6, [100, 100, 200, 200, 300, 300]), id: 8 };
  report = await compareSelection({
    snapshot: { source: `snapshot ${HOSTILE}`, node: HOSTILE, ciliumVersion: "1.18.0", services: 5 },
    services: [hostile, weighted],
    flowSource: { kind: "synthetic", flows: 5000, clients: 100 },
    seed: 3,
    tableSize: 16381,
    portPacking: "service-port-high",
  });
  htmlPath = join(dir, "report.html");
  writeFileSync(htmlPath, formatHtmlReport(report));
  context = await launchChromium(join(dir, "profile"));
});

afterAll(async () => {
  await context?.close();
  if (dir && !process.env.DPEMU_KEEP_SCREENSHOT) rmSync(dir, { recursive: true, force: true });
});

describe("HTML report", () => {
  it("escapes every input string in the markup", () => {
    const html = formatHtmlReport(report);
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain("<img");
    expect(html).not.toContain("window.__pwned=2</script>");
    expect(html).toContain("&#60;img src=&#34;http://198.51.100.7/x.png&#34;");
  });

  it("renders every chart offline, without errors, and shows the hostile name as text", async () => {
    const page = await context.newPage();
    const { problems, requests } = watchPage(page);
    const url = pathToFileURL(htmlPath).href;
    await page.goto(url);
    await page.waitForSelector("body[data-charts-ready=true]", { timeout: 15_000 });

    const charts = await page.$$eval("[data-chart]", (elements) =>
      elements.map((el) => {
        const svg = el.querySelector("svg");
        const box = svg?.getBoundingClientRect();
        return {
          id: el.getAttribute("data-chart"),
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks: el.querySelectorAll(".ct-bar, .ct-line, .ct-point").length,
          labels: el.querySelectorAll(".ct-label").length,
        };
      }),
    );
    // Failover, one balance chart per service, two table-size charts, one churn chart per service.
    expect(charts.map((c) => c.id).sort()).toEqual(
      [
        "failover",
        "balance-0",
        "balance-1",
        "table-size-imbalance",
        "table-size-build",
        "churn-0",
        "churn-1",
      ].sort(),
    );
    for (const chart of charts) {
      expect(chart.width, chart.id ?? "").toBeGreaterThan(100);
      expect(chart.height, chart.id ?? "").toBeGreaterThan(100);
      expect(chart.marks, chart.id ?? "").toBeGreaterThan(0);
      expect(chart.labels, chart.id ?? "").toBeGreaterThan(0);
    }

    const text = await page.innerText("body");
    expect(text).toContain(HOSTILE);
    expect(await page.$$("img")).toHaveLength(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // The failover chart's x labels are the frontends, set as text by Chartist.
    const labels = await page.$$eval('[data-chart="failover"] .ct-label.ct-horizontal', (els) =>
      els.map((e) => e.textContent),
    );
    expect(labels).toContain(HOSTILE);

    const screenshot = join(dir, "report.png");
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(existsSync(screenshot)).toBe(true);
    if (process.env.DPEMU_KEEP_SCREENSHOT) console.log(`screenshot: ${screenshot}`);

    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });
});
