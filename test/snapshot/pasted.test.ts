// The pasted-session corpus (test/fixtures/pasted, see its README): every block reads the same with
// and without its prompt, its command line and its annotations, even with the command lines deleted
// so the outputs run into each other; multi-dump files lose no dump; annotations are reported once
// per dump. Also: the four annotated formats of the issue behave alike, and splitting is linear.
import { describe, expect, it } from "vitest";
import { toLines } from "../../src/snapshot/dump-source.js";
import type { SnapshotWarning } from "../../src/snapshot/errors.js";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import { readSegment } from "../../src/snapshot/read-segment.js";
import { splitDumps } from "../../src/snapshot/split.js";
import { fixtureText } from "../helpers/fixtures.js";

interface Expected {
  readonly kind: string;
  readonly sameAs?: string;
  readonly annotated?: number;
}

const MANIFEST = JSON.parse(fixtureText("pasted/manifest.json")) as Record<string, readonly Expected[]>;

/** The corpus's command lines, by the prompts its files use (test data knowledge, not the splitter's). */
const PROMPT = /^(?:\(⎈\|[^)]*\) )?(?:root@[\w.-]+:[^#]*#\s?|\$ |# (?=cilium)|❯ )/;
const ANNOTATION = /\s+#.*$/;

function modelJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
}

interface Read {
  readonly dumps: { kind: string; model: string }[];
  readonly unrecognised: number;
  readonly warnings: SnapshotWarning[];
}

/** The dumps of a text as the loader reads them (strict: an unreadable line throws). */
function read(name: string, text: string): Read {
  const warnings: SnapshotWarning[] = [];
  const options = { lenient: false, warn: (w: SnapshotWarning) => warnings.push(w) };
  const dumps: Read["dumps"] = [];
  let unrecognised = 0;
  for (const segment of splitDumps(name, text)) {
    const r = readSegment(segment, options);
    for (const d of r.dumps) dumps.push({ kind: d.registered.format.kind, model: modelJson(d.model) });
    unrecognised += r.unrecognised.length;
  }
  return { dumps, unrecognised, warnings };
}

const mapLines = (text: string, f: (line: string) => string | undefined): string =>
  toLines(text)
    .flatMap((line) => {
      const out = f(line);
      return out === undefined ? [] : [out];
    })
    .join("\n");

const isCommand = (line: string) => PROMPT.test(line) && line.trim() !== "```";

/** The variants of a pasted file that must read exactly alike. */
function variants(text: string): Record<string, string> {
  return {
    "without prompts": mapLines(text, (l) => (isCommand(l) ? l.replace(PROMPT, "") : l)),
    "command lines blanked": mapLines(text, (l) => (isCommand(l) ? "" : l)),
    "command lines deleted (outputs back to back)": mapLines(text, (l) => (isCommand(l) ? undefined : l)),
    "without annotations": mapLines(text, (l) =>
      isCommand(l) || l.trimStart().startsWith("#") ? l : l.replace(ANNOTATION, ""),
    ),
  };
}

describe("the pasted-session corpus", () => {
  for (const [file, expected] of Object.entries(MANIFEST)) {
    const text = fixtureText(`pasted/${file}`);
    const asPasted = read(file, text);

    it(`${file}: ${expected.length} dumps, none lost, each read like its fixture`, () => {
      expect(asPasted.unrecognised).toBe(0);
      expect(asPasted.dumps.map((d) => d.kind)).toEqual(expected.map((e) => e.kind));
      expected.forEach((e, i) => {
        if (e.sameAs === undefined) return;
        const alone = read(e.sameAs, fixtureText(e.sameAs));
        expect(alone.dumps).toHaveLength(1);
        expect(asPasted.dumps[i]?.model, `${file} dump ${i + 1} vs ${e.sameAs}`).toBe(alone.dumps[0]?.model);
      });
    });

    it(`${file}: one warning per annotated dump, naming the count and the first annotation`, () => {
      const annotated = expected.filter((e) => (e.annotated ?? 0) > 0);
      expect(asPasted.warnings).toHaveLength(annotated.length);
      asPasted.warnings.forEach((w, i) => {
        const lineText = toLines(text)[w.line - 1] ?? "";
        expect(w.message).toMatch(new RegExp(`^${annotated[i]?.annotated} trailing "#" annotation`));
        expect(w.message).toContain(JSON.stringify(lineText.slice(lineText.search(ANNOTATION)).trim()));
      });
    });

    for (const [variant, changed] of Object.entries(variants(text))) {
      it(`${file} ${variant}: the same dumps and models`, () => {
        const again = read(file, changed);
        expect(again.unrecognised).toBe(0);
        expect(again.dumps).toEqual(asPasted.dumps);
      });
    }
  }

  it("the corpus really has prompts, aliases, annotations and back-to-back dumps to test", () => {
    const all = Object.keys(MANIFEST).map((f) => fixtureText(`pasted/${f}`));
    const lines = all.flatMap((t) => toLines(t));
    expect(lines.filter(isCommand).length).toBeGreaterThanOrEqual(20);
    expect(lines.some((l) => l.startsWith("(⎈|HomeLab:N/A) root@k8s-ctr:~# kubectl exec"))).toBe(true);
    expect(lines.some((l) => / (kwest|keast) exec /.test(l))).toBe(true);
    expect(lines.some((l) => / c0 /.test(l))).toBe(true);
    expect(lines.filter((l) => !isCommand(l) && ANNOTATION.test(l) && !l.startsWith("#")).length).toBe(5);
  });
});

describe("status --verbose followed directly by another dump", () => {
  it("keeps the dumps after it (status-verbose.txt + service-list.txt concatenated)", () => {
    const text = `${fixtureText("misc/status-verbose.kpr-snat-random.txt")}${fixtureText("lab-3node/service-list.txt")}`;
    const s = parseSnapshotFiles([{ name: "both.txt", text }]);
    const alone = parseSnapshotFiles([
      { name: "service-list.txt", text: fixtureText("lab-3node/service-list.txt") },
    ]);
    expect(s.selected.services.length).toBeGreaterThan(0);
    expect(s.selected.services).toEqual(alone.selected.services);
    expect(s.selected.config.kprMode).toBe("SNAT");
    expect(s.warnings).toEqual([]);
  });
});

describe("trailing annotations, in the four formats of the issue", () => {
  const annotate = (text: string, prefix: string, note: string) =>
    toLines(text)
      .map((l) => (l.startsWith(prefix) ? `${l} ${note}` : l))
      .join("\n");
  const cases: [string, string, string][] = [
    ["service list", fixtureText("lab-3node/service-list.txt"), "5    10.96.0.10:53/TCP"],
    [
      "map get cilium_lb4_services_v2",
      fixtureText("lab-3node/map-get-cilium_lb4_services_v2.txt"),
      "10.96.60.80:3000/TCP (0)",
    ],
    ["bpf ipcache list", fixtureText("lab-3node/bpf-ipcache-list.k8s-ctr.txt"), "172.20.0.66/32"],
    [
      "map get cilium_ipcache_v2",
      fixtureText("pasted/annotated.txt")
        .split("\n")
        .slice(48, 71)
        .join("\n")
        .replace(/\s+#.*$/gm, ""),
      "172.20.0.66/32",
    ],
  ];
  for (const [command, clean, prefix] of cases) {
    for (const lenient of [false, true]) {
      it(`${command}${lenient ? " --lenient" : ""}: stripped with one warning, the model unchanged`, () => {
        expect(toLines(clean).some((l) => l.startsWith(prefix))).toBe(true);
        const noted = annotate(clean, prefix, "#서비스 타입 LoadBalancer 추가됨");
        const want = parseSnapshotFiles([{ name: "clean.txt", text: clean }], { lenient });
        const got = parseSnapshotFiles([{ name: "noted.txt", text: noted }], { lenient });
        expect(got.selected.services).toEqual(want.selected.services);
        expect(got.selected.ipcache).toEqual(want.selected.ipcache);
        const notes = got.warnings.filter((w) => /annotation/.test(w.message));
        expect(notes).toHaveLength(1);
        expect(notes[0]?.message).toContain("#서비스 타입 LoadBalancer 추가됨");
        expect(got.warnings.length - notes.length).toBe(want.warnings.length);
      });
    }
  }
});
