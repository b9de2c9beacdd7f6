// Embedding dpemu in a web page: a user's page script (embed-page.ts) is bundled by esbuild for the
// browser, resolving "dpemu" and "dpemu/dpemu.wasm" through package.json's exports with the browser
// condition, then run in Debian's chromium. The page parses the lab dumps, builds a Maglev table and
// traces curl-pod's SYN to the webpod service; the answers must equal the same scenario (embed-scenario.ts) run in Node, with no console error
// and no request but the module's own URL, which the test serves from the bundler's output.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile, type OutputFile, type Plugin } from "esbuild";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labCaptureFiles } from "../helpers/fixtures.js";
import { launchChromium, watchPage } from "../helpers/chromium.js";
import { runEmbed, type EmbedInput, type EmbedResult } from "./embed-scenario.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PAGE_SCRIPT = fileURLToPath(new URL("./embed-page.ts", import.meta.url));
// Where the page believes its assets live; only the test's route answers it, nothing is fetched.
const ASSETS = "https://dpemu.invalid/assets/";
const WEBPOD_BACKENDS = ["172.20.0.66:80", "172.20.1.126:80", "172.20.2.1:80"];

interface PackageJson {
  exports: Record<string, string | Record<string, string | Record<string, string>>>;
}
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as PackageJson;

/** The file a browser bundler picks for a package subpath (condition "browser", then "default"/"import"). */
function browserTarget(subpath: string): string {
  let target = pkg.exports[subpath];
  while (typeof target === "object") target = target.browser ?? target.default ?? target.import;
  if (target === undefined) throw new Error(`package.json exports no ${subpath} for browsers`);
  return target;
}

/**
 * Resolves "dpemu" and its subpaths as a bundler would for the published package, except that the
 * compiled dist/X.js is read from its source src/X.ts (tsconfig.build.json: rootDir src, outDir dist),
 * so the test checks the code in this tree without a stale build.
 */
const packageExports: Plugin = {
  name: "dpemu-package-exports",
  setup(b) {
    b.onResolve({ filter: /^dpemu(\/.*)?$/ }, (args) => {
      const target = browserTarget(args.path === "dpemu" ? "." : `.${args.path.slice("dpemu".length)}`);
      const source = target.replace(/^\.\/dist\/(.*)\.js$/, "./src/$1.ts");
      return { path: join(ROOT, source) };
    });
  },
};

let dir: string;
let context: BrowserContext;
let bundle: { script: string; wasm: OutputFile; metafile: Metafile; warnings: string[] };
let input: EmbedInput;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dpemu-embed-"));
  const result = await build({
    entryPoints: [PAGE_SCRIPT],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    outdir: join(dir, "out"),
    write: false,
    metafile: true,
    logLevel: "silent",
    loader: { ".wasm": "file" },
    publicPath: ASSETS,
    plugins: [packageExports],
  });
  const script = result.outputFiles.find((f) => f.path.endsWith(".js"));
  const wasm = result.outputFiles.find((f) => f.path.endsWith(".wasm"));
  if (!script || !wasm) throw new Error("esbuild emitted no script or no Wasm file");
  bundle = {
    script: script.text,
    wasm,
    metafile: result.metafile,
    warnings: result.warnings.map((w) => w.text),
  };
  input = {
    files: labCaptureFiles(),
    node: "k8s-ctr",
    dumpTime: 1_700_000_000,
    from: "172.20.0.96:40000",
    to: "10.96.163.90:80",
  };
  context = await launchChromium(join(dir, "profile"));
});

afterAll(async () => {
  await context?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("dpemu embedded in a web page", () => {
  it("bundles for the browser without any Node module", () => {
    expect(bundle.warnings).toEqual([]);
    const inputs = Object.keys(bundle.metafile.inputs);
    expect(inputs).toContain("src/index.ts");
    expect(inputs).not.toContain("src/node.ts");
    const imports = Object.values(bundle.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
    expect(
      imports.filter((p) => p.startsWith("node:") || ["fs", "path", "worker_threads"].includes(p)),
    ).toEqual([]);
    // The file loader copied the packaged module as it is.
    expect(Buffer.from(bundle.wasm.contents).equals(readFileSync(join(ROOT, "build/dpemu.wasm")))).toBe(true);
  });

  it("parses the lab dumps, builds Node's Maglev table and forwards curl-pod's SYN to a webpod backend", async () => {
    const page = await context.newPage();
    const { problems, requests } = watchPage(page);
    const wasmUrl = `${ASSETS}${bundle.wasm.path.split("/").pop()}`;
    // Answer the module's URL from the bundler's output; refuse anything else (never reaches a network).
    await page.route("**/*", (route) =>
      route.request().url() === wasmUrl
        ? route.fulfill({
            status: 200,
            headers: { "content-type": "application/wasm", "access-control-allow-origin": "*" },
            body: Buffer.from(bundle.wasm.contents),
          })
        : route.abort("blockedbyclient"),
    );
    const script = bundle.script.replace(/<\/script/gi, "<\\/script");
    await page.setContent(
      `<!doctype html><html><body><script type="module">${script}</script></body></html>`,
    );
    await page.waitForFunction(() => "runEmbed" in globalThis);
    const inPage = await page.evaluate(
      (arg) => (globalThis as unknown as { runEmbed(i: EmbedInput): Promise<EmbedResult> }).runEmbed(arg),
      input,
    );

    expect(inPage.verdict).toBe("FORWARDED");
    expect(WEBPOD_BACKENDS).toContain(inPage.backend);
    const inNode = await runEmbed(input);
    expect(inPage.maglevTable).toHaveLength(inNode.maglevTable.length);
    expect(inPage.maglevTable).toEqual(inNode.maglevTable);
    // Every backend holds a share of the table, and the chosen one is the table's pick.
    expect(new Set(inPage.maglevTable).size).toBe(3);
    expect(inPage.maglevTable).toContain(inPage.backendId);
    expect(inPage).toEqual(inNode);

    expect(problems).toEqual([]);
    expect(requests).toEqual([wasmUrl]);
    await page.close();
  });
});
