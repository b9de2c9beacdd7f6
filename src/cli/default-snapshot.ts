// The bundled example snapshot the CLI uses when given none (shipped in the package's examples/).
import { fileURLToPath } from "node:url";

/** examples/lab-3node, resolved from this module (src/cli or dist/cli alike). */
export function defaultSnapshotPath(): string {
  return fileURLToPath(new URL("../../examples/lab-3node", import.meta.url));
}
