// Tests are findable: test/ mirrors src/ (and assembly/), so the tests of src/<area>/ are in
// test/<area>/. The few folders that test the project as a whole, not one area, are listed below
// with the reason; a test file anywhere else (test/ itself included) fails here.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TEST = join(ROOT, "test");

/** Test folders that mirror no source folder, and why. */
const CROSS_CUTTING: Record<string, string> = {
  architecture: "checks over the whole tree: import graph, function length, this layout",
  browser: "the package embedded in a page, run in Chromium",
  package: "the packed npm package as a user installs it",
};

/** Whether `folder` (relative to test/) is one of src/ or assembly/. */
function mirrorsSource(folder: string): boolean {
  return ["src", "assembly"].some((top) => {
    const path = join(ROOT, top, folder);
    return folder !== "" && existsSync(path) && statSync(path).isDirectory();
  });
}

describe("test layout", () => {
  const tests = readdirSync(TEST, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => f.split("\\").join("/"));

  it("puts every test file in a folder that mirrors src/ or assembly/, or a listed cross-cutting one", () => {
    const misplaced = tests.filter((f) => {
      const folder = dirname(f) === "." ? "" : dirname(f);
      return !mirrorsSource(folder) && CROSS_CUTTING[folder] === undefined;
    });
    expect(misplaced).toEqual([]);
  });

  it("lists only cross-cutting folders that hold tests, each with a reason", () => {
    for (const [folder, reason] of Object.entries(CROSS_CUTTING)) {
      expect(mirrorsSource(folder), folder).toBe(false);
      expect(reason.trim(), folder).not.toBe("");
      expect(
        tests.some((f) => dirname(f) === folder),
        `${relative(ROOT, join(TEST, folder))} holds no test`,
      ).toBe(true);
    }
  });

  it("tells a mirrored folder from a stray one (the check can fail)", () => {
    expect(mirrorsSource("snapshot")).toBe(true);
    expect(mirrorsSource("reference/lb")).toBe(true);
    expect(mirrorsSource("")).toBe(false);
    expect(mirrorsSource("fixtures")).toBe(false);
  });
});
