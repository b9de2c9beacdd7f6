// Input text quoted into errors and warnings is escaped: nothing from a dump or an archive member
// name can move the cursor, recolour the terminal or split a one-line error.
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { escapeForTerminal } from "../../src/model/escape.js";
import { InputError } from "../../src/snapshot/errors.js";
import { serviceListJsonFormat } from "../../src/snapshot/formats/service-list-json.js";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import { FORMATS } from "../../src/snapshot/registry.js";
import { splitDumps } from "../../src/snapshot/split.js";

/** Control characters, DEL, C1 controls, line separators and bidi overrides. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function errorOf(run: () => unknown): InputError | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
}

describe("escapeForTerminal", () => {
  it("writes controls as escapes and keeps printable text, non-ASCII letters included", () => {
    expect(escapeForTerminal("a\nb\tc\r\u001b[2J\u0000\u007f\u009b\u202eé—ü")).toBe(
      "a\\nb\\tc\\r\\x1b[2J\\x00\\x7f\\x9b\\u202eé—ü",
    );
    expect(escapeForTerminal(escapeForTerminal("x\u001by"))).toBe("x\\x1by");
  });
});

describe("errors quoting input", () => {
  it('regression: `["apiVersion: v1\\nd", false]` (V8 quotes the newline in its JSON.parse message)', () => {
    const text = "apiVersion: v1\nd";
    for (const segment of splitDumps("m.txt", text)) {
      for (const { format } of FORMATS) {
        const error = errorOf(() => format.print(format.parse(segment, { lenient: false, warn: () => {} })));
        if (error !== undefined) expect(error.message.split("\n"), format.kind).toHaveLength(1);
      }
    }
    const error = errorOf(() =>
      serviceListJsonFormat.parse(
        { file: "m.txt", firstLine: 1, lines: ["[", "{\u001b[31m", "]"] },
        {
          lenient: false,
          warn: () => {},
        },
      ),
    );
    expect(error?.message).toMatch(
      /^m\.txt:\d+: expected the JSON of `service list -o json`, found invalid JSON/,
    );
    expect(error?.message).not.toMatch(UNSAFE);
  });

  it("archive member names and dump lines with control characters are escaped in errors and warnings", () => {
    const evil = "cmd/\u001b]0;pwned\u0007\u202e.md";
    const bad = parseSnapshotFiles(
      [
        {
          name: "s.zip",
          bytes: zipSync({
            [evil]: new TextEncoder().encode("hello\n"),
            "cmd/service-list.md": new TextEncoder().encode(
              "ID   Frontend   Service Type   Backend\n1   10.0.0.1:80/TCP   ClusterIP   1 => 10.1.1.1:80/TCP (active)\n",
            ),
          }),
        },
      ],
      {},
    );
    expect(bad.warnings.length).toBeGreaterThan(0);
    for (const w of bad.warnings) {
      expect(w.file).not.toMatch(UNSAFE);
      expect(w.message).not.toMatch(UNSAFE);
    }
    const row =
      "ID   Frontend   Service Type   Backend\n1   10.0.0.1:80/TCP   ClusterIP   1 => 10.1.1.1:80/TCP (\u001b[2Jactive)\n";
    const error = errorOf(() => parseSnapshotFiles([{ name: "d/\u001b[1mx.txt", text: row }]));
    expect(error?.message).toMatch(/^d\/\\x1b\[1mx\.txt:2: expected a `service list` row/);
    expect(error?.message).not.toMatch(UNSAFE);
    expect(error?.file).toBe("d/\\x1b[1mx.txt");
  });
});
