// Hostile archives: bombs, lying central directories, bad CRCs, deep nesting and huge entry counts
// end in a clear InputError or a reported skip, within the unpack limits. Every archive is built
// here (nothing hostile is stored in the repository).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/snapshot/errors.js";
import { loadSnapshot } from "../../src/snapshot/load.js";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import { buildZip, crc32, tarGzOfRepeats, tarHeader } from "../helpers/archives.js";
import { fixtureText } from "../helpers/fixtures.js";

const enc = new TextEncoder();
const SERVICE_LIST = enc.encode(fixtureText("lab-3node/service-list.txt"));
const MiB = 1024 * 1024;
const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));

function load(name: string, bytes: Uint8Array, limits = {}) {
  return parseSnapshotFiles([{ name, bytes }], { limits });
}

function failure(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError");
}

describe("zip members are checked against their central directory entry", () => {
  it("a member that inflates past its declared size stops there: a lying directory", () => {
    const data = new Uint8Array(4 * MiB).fill(0x61);
    const zip = buildZip([{ name: "cmd/service-list.md", data, declaredSize: 1000 }]);
    const error = failure(() => load("lie.zip", zip));
    expect(error.message).toMatch(
      /^lie\.zip!\/cmd\/service-list\.md: expected 1000 bytes as the zip's central directory declares, found more/,
    );
  });

  it("a member shorter than declared is a truncated member, not a silently short dump", () => {
    const zip = buildZip([
      { name: "service-list.md", data: SERVICE_LIST, declaredSize: SERVICE_LIST.length + 10 },
    ]);
    expect(failure(() => load("short.zip", zip)).message).toBe(
      `short.zip!/service-list.md: expected ${SERVICE_LIST.length + 10} bytes as the zip's central directory declares, found ${SERVICE_LIST.length} (truncated member)`,
    );
  });

  it("a wrong CRC-32 is refused; the right one loads", () => {
    const crc = crc32(SERVICE_LIST);
    const bad = buildZip([{ name: "service-list.md", data: SERVICE_LIST, crc: (crc ^ 1) >>> 0 }]);
    expect(failure(() => load("crc.zip", bad)).message).toMatch(
      /^crc\.zip!\/service-list\.md: expected CRC-32 [0-9a-f]{8}, found [0-9a-f]{8} \(a damaged member\)$/,
    );
    const good = load("ok.zip", buildZip([{ name: "service-list.md", data: SERVICE_LIST }]));
    expect(good.selected.services.length).toBeGreaterThan(0);
  });
});

describe("unpack limits", () => {
  it("a member declared over the per-member limit is refused before it is inflated", () => {
    // The compressed stream is garbage: inflating it would fail differently.
    const zip = buildZip([
      { name: "big.txt", data: new Uint8Array(0), declaredSize: 3 * MiB, compressed: new Uint8Array(64) },
    ]);
    expect(failure(() => load("big.zip", zip, { maxMemberBytes: 2 * MiB })).message).toBe(
      "big.zip!/big.txt: expected at most 2 MiB per file, found more (raise it with --max-unpacked MEMBER[,TOTAL] or the loader's `limits` option)",
    );
  });

  it("overlapping entries (one stream, many names) stop at the total limit before inflating", () => {
    const data = new Uint8Array(MiB).fill(0x61);
    const members = Array.from({ length: 40 }, (_, i) => ({ name: `m${i}.txt`, data }));
    const zip = buildZip(members, { shareFirst: true });
    expect(zip.length).toBeLessThan(10_000);
    expect(failure(() => load("overlap.zip", zip, { maxTotalBytes: 16 * MiB })).message).toBe(
      "overlap.zip: expected archives to unpack to at most 16 MiB in total, found more (raise it with --max-unpacked MEMBER[,TOTAL] or the loader's `limits` option)",
    );
  });

  it("a tar.gz inflating past the total stops as it streams; a member past the per-member limit too", () => {
    const many = tarGzOfRepeats(12, 2 * MiB);
    expect(failure(() => load("many.tar.gz", many, { maxTotalBytes: 16 * MiB })).message).toMatch(
      /^many\.tar\.gz: expected archives to unpack to at most 16 MiB in total, found more/,
    );
    const one = tarGzOfRepeats(1, 5 * MiB);
    expect(failure(() => load("one.tar.gz", one, { maxMemberBytes: 4 * MiB })).message).toMatch(
      /^one\.tar\.gz!\/m0\.txt: expected at most 4 MiB per file, found more/,
    );
  });

  it("members that cannot hold a dump by name are skipped unread and reported", () => {
    const zip = buildZip([
      { name: "cmd/service-list.md", data: SERVICE_LIST },
      // A corrupt stream that would fail if it were inflated, and a size over the member limit.
      {
        name: "logs/cilium-agent.log",
        data: new Uint8Array(0),
        declaredSize: 64 * MiB,
        compressed: new Uint8Array(32),
      },
      {
        name: "profiles/heap.pprof",
        data: new Uint8Array(0),
        declaredSize: 64 * MiB,
        compressed: new Uint8Array(32),
      },
    ]);
    const s = load("sysdump.zip", zip, { maxMemberBytes: MiB });
    expect(s.selected.services.length).toBeGreaterThan(0);
    expect(s.warnings.map((w) => w.message)).toContainEqual(
      "2 archive files hold no dump dpemu reads (e.g. cilium-agent.log, heap.pprof)",
    );
  });

  it("an archive with more members than the limit is refused up front", () => {
    const members = Array.from({ length: 30 }, (_, i) => ({ name: `f${i}.txt`, data: enc.encode("x\n") }));
    expect(failure(() => load("wide.zip", buildZip(members), { maxEntries: 20 })).message).toBe(
      "wide.zip: expected at most 20 archive members, found 30 (raise it with the loader's `limits.maxEntries` option)",
    );
  });

  it("a dump file larger than the per-member limit is refused with the limit", () => {
    expect(
      failure(() =>
        parseSnapshotFiles([{ name: "huge.txt", text: "x".repeat(2048) }], {
          limits: { maxMemberBytes: 1024 },
        }),
      ).message,
    ).toMatch(/^huge\.txt: expected at most 1 KiB per file, found more/);
  });
});

describe("nesting", () => {
  it("a sysdump's bugtool archive is read; an archive nested deeper is reported, never silently dropped", () => {
    const level3 = zipSync({ "cmd/service-list.md": SERVICE_LIST });
    const level2 = zipSync({ "inner.zip": level3 });
    const level1 = zipSync({ "middle.zip": level2, "cmd/service-list.md": SERVICE_LIST });
    const s = load("outer.zip", level1);
    expect(s.selected.services.length).toBeGreaterThan(0);
    expect(s.warnings.map((w) => `${w.file}: ${w.message}`)).toContainEqual(
      "outer.zip!/middle.zip!/inner.zip: nested zip archive not opened (dpemu opens an archive and the archives directly inside it)",
    );
    // With nothing else to read, the load fails and says why.
    expect(() => load("outer.zip", zipSync({ "middle.zip": level2 }))).toThrow(
      /no dump recognised: .*nested zip archive not opened/,
    );
    const two = load("outer.zip", level2);
    expect(two.selected.services.length).toBeGreaterThan(0);
  });

  it("a nested bomb (archives of one-stream archives) stops at the total, counted at every level", () => {
    const data = new Uint8Array(MiB).fill(0x61);
    const members = Array.from({ length: 10 }, (_, i) => ({ name: `m${i}.txt`, data }));
    const inner = buildZip(members, { shareFirst: true });
    const outer = zipSync(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`inner${i}.zip`, inner])));
    expect(outer.length).toBeLessThan(20_000); // 100 MiB declared inside
    // Three inner archives (30 MiB and their packed bytes) fit; the fourth goes over as it inflates.
    expect(failure(() => load("nested.zip", outer, { maxTotalBytes: 32 * MiB })).message).toBe(
      "nested.zip!/inner3.zip: expected archives to unpack to at most 32 MiB in total, found more (raise it with --max-unpacked MEMBER[,TOTAL] or the loader's `limits` option)",
    );
  });
});

describe("members are read in memory, never written out or followed", () => {
  /** Every path under `dir`, relative to it, sorted. */
  function tree(dir: string): string[] {
    return readdirSync(dir, { recursive: true, encoding: "utf8" })
      .map((p) => relative(dir, join(dir, p)))
      .sort();
  }

  it("`../` names and symlink members write no file and read nothing outside the archive", () => {
    const dir = mkdtempSync(join(tmpdir(), "dpemu-traversal-"));
    const work = join(dir, "work");
    mkdirSync(work);
    // A service list outside the archive that a followed link would bring in.
    const outside = join(dir, "outside.txt");
    writeFileSync(
      outside,
      "ID   Frontend   Service Type   Backend\n77   10.96.77.77:80/TCP   ClusterIP   1 => 172.20.7.7:80/TCP (active)\n",
    );
    const linkBody = enc.encode(outside);
    writeFileSync(
      join(work, "sysdump.zip"),
      buildZip([
        { name: "../../escaped-service-list.md", data: SERVICE_LIST },
        { name: "/tmp/absolute-service-list.md", data: SERVICE_LIST },
        { name: "cmd/linked-service-list.md", data: linkBody, unixMode: 0o120777 },
      ]),
    );
    const tar = new Uint8Array([
      ...tarHeader("../../escaped-service-list.md", SERVICE_LIST.length),
      ...SERVICE_LIST,
      ...new Uint8Array((512 - (SERVICE_LIST.length % 512)) % 512),
      ...tarHeader("cmd/linked-service-list.md", 0, outside),
      ...new Uint8Array(1024),
    ]);
    writeFileSync(join(work, "bugtool.tar.gz"), gzipSync(tar));
    const before = tree(dir);
    for (const archive of ["sysdump.zip", "bugtool.tar.gz"]) {
      const run = spawnSync(process.execPath, [MAIN, "inspect", archive], { cwd: work, encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain("10.96.163.90:80/TCP");
      expect(run.stdout).not.toContain("10.96.77.77");
    }
    expect(tree(dir)).toEqual(before);
  });
});

describe("entry count", () => {
  /** Milliseconds to load a zip of `n` small members (one in ten a dump, the rest unrecognised text). */
  function loadTime(n: number): number {
    const members: Record<string, Uint8Array> = {};
    for (let i = 0; i < n; i++) {
      const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      members[`cilium-bugtool-20260101-120000/cmd/f${i}.md`] = enc.encode(
        i % 10 === 0
          ? `ID   Frontend   Service Type   Backend\n${i / 10 + 1}   ${address}:80/TCP   ClusterIP   1 => 172.20.0.66:80/TCP (active)\n`
          : `hello ${i}\n`,
      );
    }
    const zip = zipSync(members, { level: 0 }); // stored: building stays cheap, loading is timed
    const start = performance.now();
    const s = load("wide.zip", zip);
    const ms = performance.now() - start;
    expect(s.selected.services).toHaveLength(Math.ceil(n / 10));
    return ms;
  }

  it("a zip of 100,000 members loads in time linear in the count (8x the members, well under 20x the time)", () => {
    loadTime(2000); // warm-up: JIT and caches
    const small = loadTime(12_500);
    const large = loadTime(100_000);
    console.log(`zip members: 12,500 in ${small.toFixed(0)} ms, 100,000 in ${large.toFixed(0)} ms`);
    expect(large / small).toBeLessThan(20);
  }, 300_000);
});

describe("snapshot paths", () => {
  async function loadFailure(path: string, options = {}): Promise<string> {
    const error = await loadSnapshot(path, options).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message;
  }

  it("a device or a FIFO is refused, as the path or inside a directory, instead of read forever", async () => {
    expect(await loadFailure("/dev/zero")).toBe(
      "/dev/zero: expected a snapshot directory, dump file or archive, found a character device",
    );
    const dir = mkdtempSync(join(tmpdir(), "dpemu-fifo-"));
    const fifo = join(dir, "pipe.txt");
    execFileSync("mkfifo", [fifo]);
    expect(await loadFailure(fifo)).toBe(
      `${fifo}: expected a snapshot directory, dump file or archive, found a FIFO`,
    );
    expect(await loadFailure(dir)).toBe(
      `${fifo}: expected a regular file or directory in the snapshot directory, found a FIFO`,
    );
  });

  it("a file larger than any file or archive dpemu reads is refused before it is read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dpemu-big-"));
    const file = join(dir, "service-list.txt");
    writeFileSync(file, "x".repeat(5000));
    expect(await loadFailure(file, { limits: { maxMemberBytes: 1024, maxTotalBytes: 4096 } })).toBe(
      `${file}: expected a file of at most 4 KiB, found 5000 bytes (raise it with --max-unpacked MEMBER[,TOTAL])`,
    );
  });
});
