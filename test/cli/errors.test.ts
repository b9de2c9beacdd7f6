// One failure contract for every subcommand: bad input is one stderr line and exit 2, internal
// errors exit 1 (the built dist/, which `npm test` builds first, as a user runs it).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { describeFailure } from "../../src/cli/errors.js";
import { InvalidInputError } from "../../src/model/errors.js";
import { InputError } from "../../src/snapshot/errors.js";

const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));

describe("describeFailure", () => {
  it("reports a file error at its file and line, exit 2", () => {
    expect(describeFailure(new InputError({ file: "a.txt", line: 3 }, "expected a row"), "inspect")).toEqual({
      message: "a.txt:3: expected a row",
      exitCode: 2,
    });
  });

  it("reports a bad option value under the command's name, exit 2", () => {
    expect(describeFailure(new InvalidInputError("--seed: not base64"), "maps dump")).toEqual({
      message: "dpemu maps dump: --seed: not base64",
      exitCode: 2,
    });
  });

  it("reports anything else as an internal error on one line, exit 1", () => {
    expect(describeFailure(new TypeError("x is\n  undefined"), "compare")).toEqual({
      message: "dpemu: internal error: x is undefined",
      exitCode: 1,
    });
  });
});

describe("commander's usage errors", () => {
  it.each([["inspect", "--frob"], ["maps", "dump"], ["maglev", "--frob"], ["compare", "--frob"], ["nosuch"]])(
    "`dpemu %s` is bad input: one stderr line, exit 2",
    (...args) => {
      const run = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8" });
      expect(run.status).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(
        /^error: (unknown option|missing required argument|required option|unknown command)/,
      );
    },
  );
});
