// A replay worker thread running src/replay/replay-worker.ts from its TypeScript source: worker
// threads do not inherit vitest's loader, so this registers tsx first. Tests pass its URL as
// replay()'s workerScript; the package's own default is the compiled dist/replay/replay-worker.js.
import { register } from "tsx/esm/api";

register();
await import("../../src/replay/replay-worker.ts");
