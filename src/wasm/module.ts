// Loads the dpemu WebAssembly module. This folder is the only code that touches Wasm memory (an
// eslint rule holds every other folder to it); everything it knows about layouts comes from the
// module's exported constants (layout.generated.ts, checked against each instance here).
import { instantiate, instantiateSync } from "@assemblyscript/loader";
import type { DpemuExports } from "./exports.js";
import { WASM_CONSTANTS, type WasmConstantName } from "./layout.generated.js";

/** Where the compiled module comes from: bytes, a compiled module, or a URL (browsers). */
export type WasmSource = BufferSource | WebAssembly.Module | URL | Response;

/** The ABI version this host understands; must equal the module's ABI_VERSION export. */
export const HOST_ABI_VERSION = 3;

// Resolved on first use, not at import: a bundled page may have no usable import.meta.url.
const packagedWasmUrl = (): URL => new URL("../../build/dpemu.wasm", import.meta.url);

let defaultSource: WasmSource | undefined;
let compiledDefault: Promise<WebAssembly.Module> | undefined;

/**
 * Sets the module every call without an explicit source uses (loadWasm(), buildMaglevTable,
 * Datapath.create without `wasm`, compareSelection). Node needs none: it reads the packaged
 * build/dpemu.wasm. A browser page calls this once with the URL its bundler gave `dpemu/dpemu.wasm`,
 * or with a Response or the bytes; `undefined` goes back to the packaged module.
 */
export function setDefaultWasmSource(source: WasmSource | undefined): void {
  defaultSource = source;
  compiledDefault = undefined;
}

async function compile(source: WasmSource | undefined): Promise<WebAssembly.Module> {
  if (source === undefined) {
    const pending = (compiledDefault ??= compileSource(defaultSource ?? packagedWasmUrl()));
    try {
      return await pending;
    } catch (err) {
      // Let a later call retry (e.g. after `npm run build:wasm`), unless the default changed meanwhile.
      if (compiledDefault === pending) compiledDefault = undefined;
      throw err;
    }
  }
  return compileSource(source);
}

/**
 * The compiled default module (see setDefaultWasmSource). Hand it to worker threads (it crosses by
 * postMessage/workerData) so that they share its machine code instead of each compiling and
 * optimising the module again.
 */
export function compiledDefaultModule(): Promise<WebAssembly.Module> {
  return compile(undefined);
}

async function compileSource(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof URL) return compileFromUrl(source);
  if (typeof Response !== "undefined" && source instanceof Response) {
    return WebAssembly.compile(await source.arrayBuffer());
  }
  return WebAssembly.compile(source as BufferSource);
}

/** Reads a file URL under Node, without an import a browser bundler would have to resolve. */
async function readFileUrl(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  const fs = typeof process === "undefined" ? undefined : process.getBuiltinModule?.("node:fs/promises");
  if (fs === undefined) {
    throw new Error(
      `cannot read the dpemu Wasm module at ${url.href}: file URLs are read only under Node; in a browser call setDefaultWasmSource() or loadWasm() with an http(s) URL, a Response or the bytes of dpemu/dpemu.wasm`,
    );
  }
  try {
    return new Uint8Array(await fs.readFile(url));
  } catch (err) {
    throw new Error(
      `cannot read the dpemu Wasm module at ${url.pathname} (${(err as Error).message}); run \`npm run build:wasm\``,
    );
  }
}

async function compileFromUrl(url: URL): Promise<WebAssembly.Module> {
  if (url.protocol === "file:") return WebAssembly.compile(await readFileUrl(url));
  const response = await fetch(url);
  if (!response.ok)
    throw new Error(`cannot fetch the dpemu Wasm module from ${url.href}: HTTP ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * One instance of the module: its own linear memory and maps. Instances are independent, so tests
 * and workers can create as many as they need; the compiled module is shared.
 */
export class WasmInstance {
  readonly exports: DpemuExports;
  private cachedBuffer: ArrayBuffer | undefined;
  private u8View = new Uint8Array(0);
  private dataView = new DataView(new ArrayBuffer(0));

  constructor(exports: DpemuExports) {
    this.exports = exports;
  }

  /** Reads an exported constant from the instance itself (an immutable Wasm global). */
  constant(name: WasmConstantName): number {
    const value: unknown = this.exports[name];
    if (!(value instanceof WebAssembly.Global)) throw new Error(`Wasm export ${name} is not a constant`);
    return Number(value.value);
  }

  /** Byte view of the whole linear memory; refreshed after the memory grows. */
  get memoryU8(): Uint8Array {
    this.refresh();
    return this.u8View;
  }

  /** DataView over the whole linear memory (little endian accessors); refreshed after growth. */
  get memoryDataView(): DataView {
    this.refresh();
    return this.dataView;
  }

  /** Address of a scratch area of at least `size` bytes for passing keys, values and batches. */
  scratch(size: number): number {
    return this.exports.scratch(size) >>> 0;
  }

  private refresh(): void {
    const buffer = this.exports.memory.buffer;
    if (buffer !== this.cachedBuffer) {
      this.cachedBuffer = buffer;
      this.u8View = new Uint8Array(buffer);
      this.dataView = new DataView(buffer);
    }
  }
}

/** Instantiates a fresh module instance (the compiled module is cached for the default source). */
export async function loadWasm(source?: WasmSource): Promise<WasmInstance> {
  const module = await compile(source);
  const imports = {
    env: {
      abort(messagePtr: number, filePtr: number, line: number, column: number) {
        const read = (ptr: number) => (ptr ? instance.exports.__getString(ptr) : "?");
        throw new Error(`dpemu Wasm abort: ${read(messagePtr)} at ${read(filePtr)}:${line}:${column}`);
      },
    },
  };
  // Under Node, instantiated synchronously: the loader's asynchronous path looks at the global
  // Response, which makes Node load its fetch implementation (undici, ~0.1 s of CPU) in every thread.
  // Browsers keep the asynchronous path (some refuse large synchronous instantiation).
  const { exports } =
    typeof process !== "undefined" && process.versions?.node !== undefined
      ? instantiateSync<Record<string, unknown>>(module, imports)
      : await instantiate<Record<string, unknown>>(module, imports);
  const instance = new WasmInstance(exports as unknown as DpemuExports);
  const abi = instance.constant("ABI_VERSION");
  if (abi !== HOST_ABI_VERSION) {
    throw new Error(`dpemu Wasm module has ABI ${abi}, this host expects ${HOST_ABI_VERSION}; rebuild it`);
  }
  checkConstants(instance);
  return instance;
}

/**
 * Throws unless the instance's exported constants are the ones the host was generated from: every
 * record layout the host reads is one of them, so a module built from other sources fails here
 * instead of being misread.
 */
function checkConstants(instance: WasmInstance): void {
  for (const name of Object.keys(WASM_CONSTANTS) as WasmConstantName[]) {
    const value: unknown = instance.exports[name];
    const actual = value instanceof WebAssembly.Global ? Number(value.value) : undefined;
    if (actual !== WASM_CONSTANTS[name]) {
      throw new Error(
        `dpemu Wasm module does not match this host: its ${name} is ${actual ?? "missing"}, the host was generated with ${WASM_CONSTANTS[name]} (src/wasm/layout.generated.ts); rebuild with npm run build`,
      );
    }
  }
}
