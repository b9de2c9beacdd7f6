// dpemu's Node entry (what `import ... from "dpemu"` gives under Node): the whole platform-neutral
// API of index.ts plus what reads the file system. Browser bundlers take index.ts instead, through
// the "browser" condition of package.json's exports.
export * from "./index.js";
export { loadSnapshot, type LoadOptions } from "./snapshot/load.js";
export { formatHtmlReport } from "./report/html.js";
/** The bundled examples/lab-3node snapshot's path (the CLI's default), for loadSnapshot. */
export { defaultSnapshotPath as exampleSnapshotPath } from "./cli/default-snapshot.js";
export { loadClusterInputs, type ClusterInputs } from "./cluster/load-cluster.js";
