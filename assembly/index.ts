// The dpemu Wasm module: every export the host may call. One line per area; the areas live in
// their own folders (see DESIGN.md) and export their functions and record layouts from there.
export * from "./abi";
export * from "./lb/lb-api";
export * from "./maps/exports";
export * from "./datapath/records";
export * from "./datapath/layout";
export * from "./datapath/api";
export * from "./datapath/dump";
