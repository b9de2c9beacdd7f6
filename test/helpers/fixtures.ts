// The real dumps the tests read, by fixture name (`dir/file`; see test/fixtures/README.md). Most are
// files of test/fixtures; the lab-3node capture has one copy, in examples/ (the CLI's bundled
// snapshot), and tests read it from there under its fixture names.
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of test/fixtures/, with a trailing slash. */
export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

/** Absolute path of examples/, with a trailing slash. */
export const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));

/** The router-lab outputs that examples/lab-3node-lb bundles as they are. */
const ROUTER_LAB_IN_EXAMPLES = [
  "bgp-route-policies.txt",
  "kubectl-get-lease.txt",
  "router-ip-route.ecmp.txt",
  "router-vtysh-show-ip-bgp-lbip.txt",
  "service-list.lb-ip.txt",
];

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
  ["misc/status-verbose.kpr-dsr-maglev.txt", "lab-3node-lb/status-verbose.kpr-dsr-maglev.txt"],
  // The router side of the LoadBalancer lab, bundled as the cluster example.
  ...ROUTER_LAB_IN_EXAMPLES.map((name) => [`router-lab/${name}`, `lab-3node-lb/${name}`] as const),
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
  const examples = [...IN_EXAMPLES.keys()].filter((name) => !name.startsWith("router-lab/"));
  return [...examples, ...here].sort();
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

/**
 * A snapshot directory holding the lab-3node capture (the files of labCaptureNames), in the temp
 * folder under a name derived from its content: made by the first test process that asks, shared
 * by the rest and by later runs (vitest ends its workers without an exit event to clean up on).
 */
export function labSnapshotDir(): string {
  const files = labCaptureFiles();
  const digest = createHash("sha256").update(JSON.stringify(files)).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), `dpemu-lab-3node-${digest}`);
  if (existsSync(dir)) return dir;
  // Written aside and renamed into place, so no process ever sees a half-written folder.
  const draft = mkdtempSync(`${dir}-draft-`);
  for (const { name, text } of files) writeFileSync(join(draft, name), text);
  try {
    renameSync(draft, dir);
  } catch {
    rmSync(draft, { recursive: true, force: true }); // another process made it first
  }
  return dir;
}
