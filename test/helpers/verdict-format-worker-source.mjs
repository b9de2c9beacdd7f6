// The verdict formatter thread running src/cli/verdict-format-worker.ts from its TypeScript source:
// worker threads do not inherit vitest's loader, so this registers tsx first. Tests pass its URL to
// VerdictThread.launch(); the CLI's own is the compiled dist/cli/verdict-format-worker.js.
import { register } from "tsx/esm/api";

register();
await import("../../src/cli/verdict-format-worker.ts");
