// The page script of the browser embedding test, written as a user of the package would: imports
// from "dpemu" and the module's URL from "dpemu/dpemu.wasm" (a bundler's file loader turns it into
// a URL). embed.test.ts bundles it for the browser and calls window.runEmbed with the dump texts.
import { setDefaultWasmSource } from "dpemu";
import wasmUrl from "dpemu/dpemu.wasm";
import { runEmbed, type EmbedInput, type EmbedResult } from "./embed-scenario.js";

/** Every dpemu call of the scenario that needs the Wasm module compiles it once from here. */
async function runEmbedInPage(input: EmbedInput): Promise<EmbedResult> {
  setDefaultWasmSource(new URL(wasmUrl, document.baseURI));
  return runEmbed(input);
}

(globalThis as { runEmbed?: typeof runEmbedInPage }).runEmbed = runEmbedInPage;
