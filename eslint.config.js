import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

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
);
