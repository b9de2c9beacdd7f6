// One copy of each real dump: a file of test/fixtures byte-identical to one of examples/ (the bundled
// snapshot) is a second copy that can drift; tests read such a fixture from examples/ by its name
// (test/helpers/fixtures.ts).
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Every file below `dir`, by its path relative to `base`, with the SHA-256 of its bytes. */
function hashes(dir: string, base: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const digest = createHash("sha256").update(readFileSync(path)).digest("hex");
    out.set(relative(base, path).split("\\").join("/"), digest);
  }
  return out;
}

/** Each file below `fixtures` byte-identical to a file below `examples`, as `fixture = example`. */
function copies(fixtures: string, examples: string, base: string): string[] {
  const byDigest = new Map<string, string>();
  for (const [path, digest] of hashes(examples, base)) byDigest.set(digest, path);
  return [...hashes(fixtures, base)]
    .filter(([, digest]) => byDigest.has(digest))
    .map(([path, digest]) => `${path} = ${byDigest.get(digest)}`)
    .sort();
}

describe("fixture copies", () => {
  it("holds no file in test/fixtures that is byte-identical to a file in examples/", () => {
    expect(copies(join(ROOT, "test/fixtures"), join(ROOT, "examples"), ROOT)).toEqual([]);
  });

  it("names a copy, wherever it sits in either tree (the check can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "dpemu-copies-"));
    try {
      mkdirSync(join(dir, "fixtures/lab"), { recursive: true });
      mkdirSync(join(dir, "examples/snapshot"), { recursive: true });
      writeFileSync(join(dir, "fixtures/lab/service-list.txt"), "ID   Frontend\n");
      writeFileSync(join(dir, "fixtures/other.txt"), "ID   Frontend \n");
      writeFileSync(join(dir, "examples/snapshot/services.txt"), "ID   Frontend\n");
      expect(copies(join(dir, "fixtures"), join(dir, "examples"), dir)).toEqual([
        "fixtures/lab/service-list.txt = examples/snapshot/services.txt",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
