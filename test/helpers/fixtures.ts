// The real dumps under test/fixtures (a copy of the shared fixtures; see its README.md), for every test.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Absolute path of test/fixtures/, with a trailing slash. */
export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

/** A fixture's text, by its path below test/fixtures (e.g. `lab-3node/service-list.txt`). */
export function fixtureText(path: string): string {
  return readFileSync(`${FIXTURES}${path}`, "utf8");
}

/** Every fixture file, as `dir/name`. */
export function allFixtures(): string[] {
  return ["lab-3node", "misc", "public"].flatMap((dir) =>
    readdirSync(`${FIXTURES}${dir}`).map((name) => `${dir}/${name}`),
  );
}
