// escapeForTerminal: what a terminal would act on becomes visible text, everything else stays as is.
import { describe, expect, it } from "vitest";
import { escapeForTerminal } from "../../src/model/escape.js";

// eslint-disable-next-line no-control-regex
const ACTED_ON = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("escapeForTerminal", () => {
  it("shows controls, DEL, C1, bidi and line separators as escapes", () => {
    expect(escapeForTerminal("a\nb\r\tc")).toBe("a\\nb\\r\\tc");
    expect(escapeForTerminal("\x1b[31mred\x1b[0m")).toBe("\\x1b[31mred\\x1b[0m");
    expect(escapeForTerminal("\x00\x7f\x9b")).toBe("\\x00\\x7f\\x9b");
    expect(escapeForTerminal("abc\u202eexe.txt")).toBe("abc\\u202eexe.txt");
    expect(escapeForTerminal("x\u2028y\u2066")).toBe("x\\u2028y\\u2066");
  });

  it("escapes once: a message escaped where it was made passes a second pass unchanged", () => {
    for (const text of ["a\nb", "\x1b[2J", "C:\\dir\\file", "x\u202ey", "\u0085"]) {
      const once = escapeForTerminal(text);
      expect(escapeForTerminal(once)).toBe(once);
    }
    expect(escapeForTerminal("C:\\dir")).toBe("C:\\dir");
  });

  it("leaves printable text, Unicode letters and emoji unchanged", () => {
    const text = "k8s-ctr 10.96.0.10:53/UDP — Zürich 東京 🚀 ~!@#$%^&*()";
    expect(escapeForTerminal(text)).toBe(text);
  });

  it("leaves no character a terminal acts on, whatever the input", () => {
    let all = "";
    for (let c = 0; c < 0x3000; c++) all += String.fromCharCode(c);
    expect(escapeForTerminal(all)).not.toMatch(ACTED_ON);
  });
});
