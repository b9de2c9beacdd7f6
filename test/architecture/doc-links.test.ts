// The docs point at things that exist: every relative link in README.md and docs/*.md names a file
// or folder in the tree (a `#fragment` is not checked; web links are left alone).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PAGES = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/** The relative link targets of a Markdown text: `[text](target)` with no scheme, fragment dropped. */
function relativeLinks(markdown: string): string[] {
  const targets = [...markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1] ?? "");
  return targets
    .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith("#"))
    .map((t) => decodeURIComponent(t.split("#")[0] ?? ""));
}

describe("links in the docs", () => {
  it.each(PAGES)("%s: every relative link resolves", (page) => {
    const missing = relativeLinks(readFileSync(join(ROOT, page), "utf8")).filter(
      (target) => !existsSync(join(ROOT, dirname(page), target)),
    );
    expect(missing, relative(ROOT, join(ROOT, page))).toEqual([]);
  });

  it("finds relative links and leaves web links and fragments alone (the check can fail)", () => {
    expect(
      relativeLinks('[a](datapath.md#ct) [b](https://cilium.io) [c](#here) [d](../src/x.ts "t")'),
    ).toEqual(["datapath.md", "../src/x.ts"]);
  });
});
