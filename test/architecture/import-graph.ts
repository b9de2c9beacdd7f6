// The import graph of src/, read with the TypeScript compiler's own import scanner: which folder
// imports which, with one example file pair per edge so a failure says where to look.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** One folder -> folder dependency and the first import that makes it. */
export interface FolderEdge {
  from: string;
  to: string;
  example: string;
}

function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts")) found.push(path);
  }
  return found;
}

/** The folder of a file under `root`: its first path segment, "." for files at the top. */
export function folderOf(root: string, file: string): string {
  const parts = relative(root, file).split("/");
  return parts.length > 1 ? parts[0]! : ".";
}

/** Every relative import of every .ts file under `root`, as [importer, imported] absolute paths. */
export function importPairs(root: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const file of sourceFiles(root)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith(".")) continue;
      pairs.push([file, resolve(dirname(file), fileName.replace(/\.js$/, ".ts"))]);
    }
  }
  return pairs;
}

/** The folder graph of `root` (edges between different folders only). */
export function folderEdges(root: string): FolderEdge[] {
  const edges = new Map<string, FolderEdge>();
  for (const [file, target] of importPairs(root)) {
    const from = folderOf(root, file);
    const to = folderOf(root, target);
    if (from === to || edges.has(`${from} ${to}`)) continue;
    edges.set(`${from} ${to}`, { from, to, example: `${relative(root, file)} -> ${relative(root, target)}` });
  }
  return [...edges.values()];
}

/** Strongly connected components with more than one member (Tarjan): each one is a cycle. */
export function cycles(nodes: readonly string[], edges: readonly { from: string; to: string }[]): string[][] {
  const next = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const e of edges) next.get(e.from)?.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return found;
}
