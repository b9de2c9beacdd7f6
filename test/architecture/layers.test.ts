// The shape of src/: dependencies point one way, in the order data flows (model -> engine ->
// {wasm, reference} -> control -> datapath -> ...), so a folder never needs a folder downstream
// of it. A cycle between folders fails here with the imports that make it.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cycles, folderEdges, folderOf } from "./import-graph.js";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));

describe("src/ import graph", () => {
  const edges = folderEdges(SRC);
  const folders = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();

  it("has no import cycle between folders", () => {
    const found = cycles(folders, edges).map((members) => {
      const inside = edges.filter((e) => members.includes(e.from) && members.includes(e.to));
      return `${members.join(" <-> ")}: ${inside.map((e) => e.example).join("; ")}`;
    });
    expect(found).toEqual([]);
  });

  it("keeps the engine contract and the model free of every engine, facade and front end", () => {
    const downstream = [
      "wasm",
      "reference",
      "control",
      "datapath",
      "load",
      "readback",
      "replay",
      "analysis",
      "report",
      "cli",
    ];
    const leaks = edges.filter((e) => ["model", "engine"].includes(e.from) && downstream.includes(e.to));
    expect(leaks.map((e) => e.example)).toEqual([]);
  });

  it("keeps the control plane between the engines and the datapath facade", () => {
    // It writes maps through the engine contract only, whichever engine the facade chose, and
    // nothing downstream of the facade; among the engines' siblings only the facade imports it.
    const engineOrDownstream = ["wasm", "reference", "datapath", "load", "readback", "snapshot", "replay"];
    const leaks = edges.filter(
      (e) => e.from === "control" && [...engineOrDownstream, "analysis", "report", "cli"].includes(e.to),
    );
    expect(leaks.map((e) => e.example)).toEqual([]);
    const engines = edges.filter((e) => ["wasm", "reference", "lb"].includes(e.from) && e.to === "control");
    expect(engines.map((e) => e.example)).toEqual([]);
    expect(edges.some((e) => e.from === "datapath" && e.to === "control")).toBe(true);
  });

  it("keeps the mesh downstream of the cluster: no layer below the front ends imports it", () => {
    const upstream = [
      "model",
      "engine",
      "wasm",
      "reference",
      "control",
      "datapath",
      "load",
      "snapshot",
      "cluster",
    ];
    const leaks = edges.filter((e) => e.to === "mesh" && upstream.includes(e.from));
    expect(leaks.map((e) => e.example)).toEqual([]);
    expect(edges.some((e) => e.from === "mesh" && e.to === "cluster")).toBe(true);
  });

  it("finds a cycle when there is one (the check can fail)", () => {
    expect(
      cycles(
        ["a", "b", "c"],
        [
          { from: "a", to: "b" },
          { from: "b", to: "c" },
          { from: "c", to: "a" },
        ],
      ),
    ).toEqual([["a", "b", "c"]]);
    expect(cycles(["a", "b"], [{ from: "a", to: "b" }])).toEqual([]);
    expect(folderOf("/r", "/r/x/y.ts")).toBe("x");
  });
});
