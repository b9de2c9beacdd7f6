// Debian's chromium, headless, through playwright-core: the one way the browser tests open a page.
// Offline by construction (no QUIC, no background or component traffic), and every page is watched
// for console errors and warnings, uncaught exceptions and the requests it makes.
import { existsSync } from "node:fs";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** A persistent headless context with its profile in `profileDir`; fails clearly without chromium. */
export async function launchChromium(profileDir: string): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does`,
    );
  }
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
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
