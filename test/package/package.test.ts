// The package as an embedder gets it: `npm pack` of the built tree, installed from the tarball into a
// fresh project (offline, from npm's cache), then used the way README.md's "Embedding" snippets say —
// taken from the README itself, so the README cannot drift: the Node snippet run as ESM, the package
// required from CommonJS, both snippets type-checked by `tsc --strict`, and the browser snippet
// bundled by esbuild and by Vite and run in headless Chromium, where it must trace curl-pod's SYN to
// webpod exactly as the Node snippet does.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build as esbuild, transform } from "esbuild";
import type { BrowserContext } from "playwright-core";
import { build as viteBuild, createLogger } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, watchPage } from "../helpers/chromium.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const ORIGIN = "https://dpemu.invalid";
const SETUP_TIMEOUT = 300_000;

/** A README code block by the comment it opens with. */
function readmeSnippet(opening: string): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].find((m) => m[1]!.startsWith(opening));
  if (!block) throw new Error(`README.md has no ts block opening with ${JSON.stringify(opening)}`);
  return block[1]!;
}

/** Runs a command in `cwd`, failing with its output. */
function run(command: string, args: string[], cwd: string): { stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: SETUP_TIMEOUT });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.status}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

const write = (path: string, text: string) => writeFileSync(path, text);

let dir: string;
let project: string;
let packed: string[];
let context: BrowserContext;
let nodeResult: string;

beforeAll(async () => {
  for (const built of ["dist/node.js", "dist/index.js", "build/dpemu.wasm"]) {
    if (!existsSync(join(ROOT, built))) throw new Error(`${built} is missing: run npm run build first`);
  }
  dir = mkdtempSync(join(tmpdir(), "dpemu-package-"));
  const pack = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", dir], ROOT).stdout) as {
    filename: string;
    files: { path: string }[];
  }[];
  packed = pack[0]!.files.map((f) => f.path);
  const tarball = join(dir, pack[0]!.filename);

  project = join(dir, "project");
  mkdirSync(project);
  write(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  const install = ["install", "--no-audit", "--no-fund", "--ignore-scripts", tarball];
  // The dependencies are in npm's cache after `npm ci`; only a cache miss goes to the registry.
  const offline = spawnSync("npm", [...install, "--offline"], { cwd: project, encoding: "utf8" });
  if (offline.status !== 0) run("npm", [...install, "--prefer-offline"], project);

  // The README's snippets, as files of the consumer project.
  const node = await transform(readmeSnippet("// Node:"), { loader: "ts", format: "esm" });
  write(join(project, "node-snippet.ts"), readmeSnippet("// Node:"));
  write(join(project, "node-snippet.mjs"), node.code);
  write(join(project, "browser-snippet.ts"), readmeSnippet("// Browser:"));
  write(
    join(project, "page-main.ts"),
    `import { traceCurlPod } from "./browser-snippet.js";\n` +
      `(globalThis as { traceCurlPod?: typeof traceCurlPod }).traceCurlPod = traceCurlPod;\n`,
  );
  nodeResult = run("node", ["node-snippet.mjs"], project).stdout.trim();
  context = await launchChromium(join(dir, "profile"));
}, SETUP_TIMEOUT);

afterAll(async () => {
  await context?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
};

/** Opens `outDir`'s index.html at ORIGIN/<name>/ and runs the README's browser trace on the lab dumps. */
async function traceInPage(name: string, outDir: string): Promise<{ result: string; problems: string[] }> {
  const page = await context.newPage();
  const { problems, requests } = watchPage(page);
  const base = `${ORIGIN}/${name}/`;
  await page.route("**/*", (route) => {
    const url = route.request().url();
    const file = url.startsWith(base) ? join(outDir, url.slice(base.length).split("?")[0]!) : "";
    if (!file.startsWith(outDir) || !existsSync(file)) return route.abort("blockedbyclient");
    return route.fulfill({
      status: 200,
      headers: { "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream" },
      body: readFileSync(file),
    });
  });
  await page.goto(`${base}index.html`);
  await page.waitForFunction(() => "traceCurlPod" in globalThis);
  const lab = join(project, "node_modules/dpemu/examples/lab-3node");
  const files = readdirSync(lab)
    .sort()
    .map((file) => ({ name: file, text: readFileSync(join(lab, file), "utf8") }));
  const result = await page.evaluate(
    (arg) => (globalThis as unknown as { traceCurlPod(f: typeof arg): Promise<string> }).traceCurlPod(arg),
    files,
  );
  await page.close();
  expect(
    requests.every((r) => r.startsWith(base)),
    requests.join("\n"),
  ).toBe(true);
  expect(requests.some((r) => r.endsWith(".wasm"))).toBe(true);
  return { result, problems };
}

describe("the packed dpemu package in a fresh project", () => {
  it("ships the build, its types, LICENSE, docs and the example, and no source maps", () => {
    for (const file of [
      "LICENSE",
      "README.md",
      "package.json",
      "build/dpemu.wasm",
      "dist/node.js",
      "dist/node.d.ts",
      "dist/index.d.ts",
      "dist/replay/replay-worker.js",
      "dist/cli/verdict-format-worker.js",
      "types/dpemu-wasm.d.ts",
      "examples/lab-3node/service-list.txt",
      "docs/DESIGN.md",
    ]) {
      expect(packed, file).toContain(file);
    }
    expect(packed.filter((f) => f.endsWith(".map") || /^(src|test|assembly|bench)\//.test(f))).toEqual([]);
    expect(readFileSync(join(project, "node_modules/dpemu/LICENSE"), "utf8")).toMatch(
      /Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/,
    );
    // Nothing shipped points at a test-only path (the worker used to fall back to a tsx bootstrap).
    const worker = readFileSync(join(project, "node_modules/dpemu/dist/replay/worker-stage.js"), "utf8");
    expect(worker).not.toMatch(/tsx|replay-worker\.ts/);
    const formatter = readFileSync(
      join(project, "node_modules/dpemu/dist/cli/replay-verdict-thread.js"),
      "utf8",
    );
    expect(formatter).not.toMatch(/tsx|verdict-format-worker\.ts/);
  });

  it("installs the `dpemu` command: the bundled CLI and its worker threads give the golden verdicts", () => {
    const bin = join(project, "node_modules/.bin/dpemu");
    const golden = (name: string) => join(ROOT, "test/cli/golden", name);
    // Two replay workers and the formatter thread: each is a bundle of its own in dist/bin/.
    const args = ["replay", "--input", golden("lab.pcap"), "--workers", "2", "--verdict-thread", "on"];
    const json = spawnSync(bin, [...args, "--verdicts", "-", "-o", "json"], { encoding: "utf8" });
    expect(json.status, json.stderr).toBe(0);
    expect(json.stdout).toBe(readFileSync(golden("lab.verdicts.jsonl"), "utf8"));
    expect(packed).toContain("dist/bin/dpemu.js");
  });

  it("replays with worker threads from the library, on the bundled worker script by default", () => {
    write(
      join(project, "replay-workers.mjs"),
      `import { createReadStream } from "node:fs";\n` +
        `import { datapathStateFromSnapshot, exampleSnapshotPath, loadSnapshot, replay } from "dpemu";\n` +
        `const snapshot = await loadSnapshot(exampleSnapshotPath());\n` +
        `const { state } = datapathStateFromSnapshot(snapshot, { node: "k8s-ctr", dumpTime: 1704067200 });\n` +
        `const run = (workers) => replay({ state, source: createReadStream(process.argv[2]), workers });\n` +
        `const [one, two] = [await run(1), await run(2)];\n` +
        `console.log(JSON.stringify([one.summary.workers, two.summary.workers]));\n` +
        `console.log(JSON.stringify([one.summary.verdicts, two.summary.verdicts]));\n`,
    );
    const out = run("node", ["replay-workers.mjs", join(ROOT, "test/cli/golden/lab.pcap")], project);
    const [workers, verdicts] = out.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as unknown[]);
    expect(workers).toEqual([1, 2]);
    expect(verdicts![1]).toEqual(verdicts![0]);
    expect((verdicts![0] as { forwarded: number }).forwarded).toBeGreaterThan(0);
    expect(packed).toContain("dist/bin/replay-worker.js");
  });

  it("runs the README's Node snippet as ESM on the bundled example", () => {
    expect(nodeResult).toMatch(/^FORWARDED pre-xlate-fwd → /);
  });

  it("can be required from CommonJS (Node ≥ 20.19), with the Node-only functions", () => {
    write(
      join(project, "require.cjs"),
      `const dpemu = require("dpemu");\n` +
        `const names = ["Datapath", "parseSnapshotFiles", "loadSnapshot", "exampleSnapshotPath"];\n` +
        `console.log(names.map((n) => n + ":" + typeof dpemu[n]).join(" "));\n` +
        `dpemu.loadSnapshot(dpemu.exampleSnapshotPath()).then((s) => console.log(s.selected.name));\n`,
    );
    const { stdout } = run("node", ["require.cjs"], project);
    expect(stdout.trim().split("\n")).toEqual([
      "Datapath:function parseSnapshotFiles:function loadSnapshot:function exampleSnapshotPath:function",
      "k8s-ctr",
    ]);
  });

  it("type-checks both README snippets with tsc --strict; the browser entry declares no file readers", () => {
    const common = { strict: true, target: "ES2022", lib: ["ES2022", "DOM"], types: [], noEmit: true };
    write(
      join(project, "tsconfig.node.json"),
      JSON.stringify({
        compilerOptions: { ...common, module: "nodenext", moduleResolution: "nodenext" },
        files: ["node-snippet.ts"],
      }),
    );
    write(
      join(project, "not-in-browser.ts"),
      `import { loadSnapshot } from "dpemu/browser";\nexport const load = loadSnapshot;\n`,
    );
    write(
      join(project, "tsconfig.browser.json"),
      JSON.stringify({
        compilerOptions: { ...common, module: "esnext", moduleResolution: "bundler" },
        files: ["browser-snippet.ts", "page-main.ts", "not-in-browser.ts"],
      }),
    );
    run("node", [TSC, "-p", "tsconfig.node.json"], project);
    const browser = spawnSync("node", [TSC, "-p", "tsconfig.browser.json"], {
      cwd: project,
      encoding: "utf8",
    });
    const errors = browser.stdout.split("\n").filter((line) => /error TS\d+/.test(line));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^not-in-browser\.ts\(1,10\): error TS(2305|2724): .*'loadSnapshot'/);
  });

  it("bundles the browser snippet with esbuild, with no Node module, and traces as Node does", async () => {
    const out = join(project, "esbuild-out");
    const result = await esbuild({
      absWorkingDir: project,
      entryPoints: ["page-main.ts"],
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      outdir: out,
      metafile: true,
      logLevel: "silent",
      loader: { ".wasm": "file" },
    });
    expect(result.warnings.map((w) => w.text)).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.startsWith("node:") || i.includes("dist/node.js"))).toBe(false);
    write(join(out, "index.html"), `<!doctype html><script type="module" src="./page-main.js"></script>`);
    const { result: inPage, problems } = await traceInPage("esbuild", out);
    expect(problems).toEqual([]);
    expect(inPage).toBe(nodeResult);
  });

  it("bundles the browser snippet with Vite, without a warning, and traces as Node does", async () => {
    const warnings: string[] = [];
    const logger = createLogger("warn");
    logger.warn = (message) => void warnings.push(message);
    logger.warnOnce = (message) => void warnings.push(message);
    write(join(project, "index.html"), `<!doctype html><script type="module" src="./page-main.ts"></script>`);
    const out = join(project, "vite-out");
    await viteBuild({
      root: project,
      base: "./",
      configFile: false,
      logLevel: "warn",
      customLogger: logger,
      build: { outDir: out, emptyOutDir: true, target: "es2022" },
    });
    expect(warnings).toEqual([]);
    const { result: inPage, problems } = await traceInPage("vite", out);
    expect(problems).toEqual([]);
    expect(inPage).toBe(nodeResult);
  });
});
