// Headless Chromium through playwright-core: the one way the browser tests open a page.
// The browser is the one @sparticuz/chromium ships inside its npm package (unpacked once per machine),
// so `npm ci && npm test` needs no system install; DPEMU_CHROMIUM may name another binary instead.
// Offline by construction (no QUIC, no background or component traffic), and every page is watched
// for console errors and warnings, uncaught exceptions and the requests it makes.
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import Chromium from "@sparticuz/chromium";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/** Environment variable naming a Chromium binary to use instead of the packaged one. */
export const CHROMIUM_ENV = "DPEMU_CHROMIUM";

// Flags of the packaged build that loosen what a page may do: the tests check the report's CSP and
// that it loads nothing, so they run with the web's ordinary rules.
const LOOSENING = new Set([
  "--disable-web-security",
  "--allow-running-insecure-content",
  "--disable-site-isolation-trials",
]);

const OFFLINE = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// The package's exports map hides its package.json: find it above the resolved entry.
function packagedVersion(): string {
  const entry = createRequire(import.meta.url).resolve("@sparticuz/chromium");
  const root = entry.slice(0, entry.lastIndexOf("@sparticuz/chromium") + "@sparticuz/chromium".length);
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * The Chromium binary the tests run: $DPEMU_CHROMIUM if set, else the packaged build, unpacked
 * into a per-version folder of the temp dir. The unpack goes to a private folder renamed into
 * place, so concurrent test processes never run a half-written binary.
 */
export async function chromiumExecutable(): Promise<string> {
  const given = process.env[CHROMIUM_ENV];
  if (given !== undefined && given !== "") {
    if (!existsSync(given)) throw new Error(`${CHROMIUM_ENV}=${given}: no such file`);
    return given;
  }
  const home = join(tmpdir(), `dpemu-chromium-${packagedVersion()}`);
  const binary = join(home, "chromium");
  if (existsSync(binary)) return binary;
  const staging = mkdtempSync(join(tmpdir(), "dpemu-chromium-unpack-"));
  const saved = process.env.TMPDIR;
  // @sparticuz/chromium unpacks into os.tmpdir(), which follows TMPDIR at call time.
  process.env.TMPDIR = staging;
  try {
    await Chromium.executablePath();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  try {
    renameSync(staging, home);
  } catch {
    // Another process put its copy in place first: use that one.
    rmSync(staging, { recursive: true, force: true });
  }
  if (!existsSync(binary)) throw new Error(`unpacking @sparticuz/chromium left no ${binary}`);
  return binary;
}

/** The launch flags: offline, unsandboxed (tests run as root), the packaged build's own minus loosening ones. */
export function chromiumArgs(): string[] {
  const packaged = Chromium.args.filter((a) => !LOOSENING.has(a) && !a.startsWith("--headless"));
  return [...new Set([...OFFLINE, ...packaged])];
}

/** A persistent headless context with its profile in `profileDir`. */
export async function launchChromium(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: await chromiumExecutable(),
    headless: true,
    args: chromiumArgs(),
    viewport: { width: 1200, height: 900 },
  });
}

/** What a page did that a test may forbid. */
export interface PageWatch {
  /** Console errors and warnings, uncaught page errors: one line each. */
  readonly problems: string[];
  /** Every URL the page requested, in order. */
  readonly requests: string[];
}

/** Starts recording a page's problems and requests (call before it loads anything). */
export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { problems: [], requests: [] };
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning")
      watch.problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => watch.problems.push(`page error: ${err.message}`));
  page.on("request", (req) => watch.requests.push(req.url()));
  return watch;
}
