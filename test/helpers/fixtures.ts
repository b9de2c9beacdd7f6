// The real dumps the tests read, by fixture name (`dir/file`; see test/fixtures/README.md). Most are
// files of test/fixtures; the lab-3node capture has one copy, in examples/ (the CLI's bundled
// snapshot), and tests read it from there under its fixture names.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of test/fixtures/, with a trailing slash. */
export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

/** Absolute path of examples/, with a trailing slash. */
export const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));

/**
 * Fixtures whose one copy is a file of examples/, by fixture name: the lab-3node capture (its dumps
 * in examples/lab-3node, its `hubble observe` text beside that folder) and the misc/ `status
 * --verbose` that the bundled snapshot borrows as its status-verbose.txt.
 */
const IN_EXAMPLES: ReadonlyMap<string, string> = new Map([
  ...readdirSync(`${EXAMPLES}lab-3node`)
    .filter((name) => name !== "status-verbose.txt")
    .map((name) => [`lab-3node/${name}`, `lab-3node/${name}`] as const),
  ["lab-3node/hubble-observe.overlay.txt", "hubble-observe.overlay.txt"],
  ["misc/status-verbose.kpr-snat-random.txt", "lab-3node/status-verbose.txt"],
]);

/** A fixture's absolute path, by its name (e.g. `lab-3node/service-list.txt`). */
export function fixturePath(name: string): string {
  const example = IN_EXAMPLES.get(name);
  return example === undefined ? `${FIXTURES}${name}` : `${EXAMPLES}${example}`;
}

/** A fixture's text, by its name (e.g. `lab-3node/service-list.txt`). */
export function fixtureText(name: string): string {
  return readFileSync(fixturePath(name), "utf8");
}

/** Every fixture of lab-3node/, misc/ and public/, by name, sorted. */
export function allFixtures(): string[] {
  const here = ["misc", "public"].flatMap((dir) =>
    readdirSync(`${FIXTURES}${dir}`).map((name) => `${dir}/${name}`),
  );
  return [...IN_EXAMPLES.keys(), ...here].sort();
}

/**
 * The file names of the lab-3node capture, sorted: the dumps of examples/lab-3node without the
 * borrowed status-verbose.txt, plus hubble-observe.overlay.txt (a file no dump reader claims).
 */
export function labCaptureNames(): string[] {
  return allFixtures()
    .filter((fixture) => fixture.startsWith("lab-3node/"))
    .map((fixture) => fixture.slice("lab-3node/".length));
}

/** The lab-3node capture as named files (see labCaptureNames), for loaders that take file contents. */
export function labCaptureFiles(): { name: string; text: string }[] {
  return labCaptureNames().map((name) => ({ name, text: fixtureText(`lab-3node/${name}`) }));
}

let labDir: string | undefined;

/**
 * A snapshot directory holding the lab-3node capture (the files of labCaptureFiles), made once per
 * test process in the temp folder and removed when the process exits.
 */
export function labSnapshotDir(): string {
  if (labDir !== undefined) return labDir;
  const dir = mkdtempSync(join(tmpdir(), "dpemu-lab-3node-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  for (const name of labCaptureNames()) copyFileSync(fixturePath(`lab-3node/${name}`), join(dir, name));
  labDir = dir;
  return dir;
}
