import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // "dpemu" is the package's (browser-safe) source entry and "dpemu/<name>" its subpath entries
  // (src/api/<name>.ts), as tsconfig's paths say: test code written like user code
  // (test/browser/embed-scenario.ts, test/api/) then runs the current source in Node too.
  resolve: {
    alias: [
      { find: /^dpemu$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
      {
        find: /^dpemu\/(analysis|engine|maps|readers|reference|snapshot|wasm)$/,
        replacement: fileURLToPath(new URL("./src/api/$1.ts", import.meta.url)),
      },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    setupFiles: ["test/helpers/property-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
