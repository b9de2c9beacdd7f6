import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

// The Wasm boundary (docs/DESIGN.md): only src/wasm/ touches the module's memory, and every record
// crossing it is read and written by src/wasm/codec.ts. Outside src/wasm/, no code may reach Wasm
// memory: the WebAssembly API, a `.memory` export, the instance's memory views, raw exports and
// scratch area are all out of bounds, so a record can only be passed along and handed to the codec.
const WASM_MEMORY_ACCESS = [
  {
    selector: "MemberExpression[object.name='WebAssembly']",
    message: "WebAssembly is src/wasm/'s business: load modules with loadWasm.",
  },
  {
    selector: "MemberExpression[property.name=/^(memory|memoryU8|memoryDataView|exports|scratch)$/]",
    message:
      "Wasm memory and raw exports are reached only in src/wasm/ (records go through src/wasm/codec.ts).",
  },
];

// Byte-level record access (DataView accessors, DataView itself): outside src/wasm/ only in code that
// reads or writes its own bytes, never Wasm memory: the reference twin's maps (their own
// ArrayBuffers, the oracle that must not share code with the module), the pcap writer and the
// cluster-seed parser, and the verdict lines' output buffers (line-bytes.ts stores text four bytes at
// a time). Typed arrays as plain storage (new Uint32Array(n)) stay allowed everywhere.
const OWN_BYTE_FORMATS = [
  "src/reference/**",
  "src/readers/pcap-writer.ts",
  "src/model/cluster-seed.ts",
  "src/replay/verdicts/line-bytes.ts",
];
const RECORD_ACCESS = [
  {
    selector: "CallExpression[callee.property.name=/^(get|set)(Uint|Int|Float|BigUint|BigInt)(8|16|32|64)$/]",
    message: "Read and write shared records with src/wasm/codec.ts, not DataView accessors.",
  },
  {
    selector: "NewExpression[callee.name='DataView']",
    message: "Views of records come from src/wasm/codec.ts (recordView, batchArea).",
  },
];

export default tseslint.config(
  {
    ignores: [
      "dist/",
      "build/",
      "assembly/",
      "bench/results/",
      "node_modules/",
      "examples/",
      "src/report/page-assets.generated.ts",
      "docs/api/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    // The report page's script runs in the browser as a classic script, with Chartist as a global.
    files: ["src/report/assets/*.js"],
    languageOptions: { sourceType: "script", globals: { document: "readonly", Chartist: "readonly" } },
  },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/wasm/**", ...OWN_BYTE_FORMATS],
    rules: { "no-restricted-syntax": ["error", ...WASM_MEMORY_ACCESS, ...RECORD_ACCESS] },
  },
  {
    files: OWN_BYTE_FORMATS,
    rules: { "no-restricted-syntax": ["error", ...WASM_MEMORY_ACCESS] },
  },
);
