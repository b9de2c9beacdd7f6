// The HTML report without a browser: every input string escaped, a Content Security Policy that
// forbids every network fetch, and no reference to anything outside the file. (The browser test
// renders the same page and watches its requests.)
import { describe, expect, it } from "vitest";
import type { CompareService } from "../../src/analysis/model.js";
import { compareSelection } from "../../src/analysis/run-compare.js";
import { syntheticService } from "../../src/analysis/synthetic-service.js";
import { formatHtmlReport } from "../../src/report/html.js";

const HOSTILE =
  `<img src="http://198.51.100.7/x.png" onerror="alert(1)">` +
  `</script><script src="https://198.51.100.7/x.js"></script>&amp;"'\u2028\x1b[2J`;

async function hostileReport(): Promise<string> {
  const hostile: CompareService = { ...syntheticService(3), frontend: HOSTILE, id: 7 };
  const report = await compareSelection({
    snapshot: { source: `snapshot ${HOSTILE}`, node: HOSTILE, ciliumVersion: HOSTILE, services: 1 },
    services: [hostile],
    flowSource: { kind: "synthetic", flows: 2000, clients: 50 },
    seed: 3,
    tableSize: 251,
    portPacking: "service-port-high",
    notes: [`note ${HOSTILE}`],
  });
  return formatHtmlReport(report);
}

describe("HTML report safety", () => {
  it("escapes hostile names, sets a no-network CSP and references nothing outside the file", async () => {
    const html = await hostileReport();
    expect(html).not.toContain("<img");
    expect(html).not.toContain('198.51.100.7/x.js"></script>');
    expect(html.includes("&#60;img src=&#34;http://198.51.100.7/x.png&#34;")).toBe(true);
    // The name reached the page, as text, in the title, headings and notes.
    expect(html.split("&#60;img src=").length - 1).toBeGreaterThanOrEqual(3);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    expect(csp?.split("; ")).toEqual([
      "default-src 'none'",
      "script-src 'unsafe-inline'",
      "style-src 'unsafe-inline'",
      "img-src data:",
    ]);
    // Nothing the browser would fetch: no tag with a src or href attribute, no CSS import, no url()
    // but a data: one (the inlined scripts' and styles' own text is looked at only for the last two).
    const markup = html.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/g, "");
    expect(/<[a-z][^>]*\s(?:src|href)\s*=/i.test(markup)).toBe(false);
    expect(/@import/i.test(html)).toBe(false);
    const urls = [...html.matchAll(/url\(\s*['"]?([^'")\s]*)/gi)].map((m) => m[1]);
    expect(urls.filter((u) => !/^(?:data:|#|$)/.test(u ?? ""))).toEqual([]);
  });
});
