// The progress line long commands draw on stderr: only on a terminal that can redraw (a TTY whose
// TERM is not "dumb"), with a percentage and ETA only when the total is known (bytes of a capture;
// a synthetic workload's packet count is not known in advance). While drawn, the cursor is hidden and
// line wrap is off; stop() gives both back, and so does restore() from a signal or exit handler
// (the escape sequences are written even if the bar's own stop never runs).
import cliProgress from "cli-progress";

/** DECTCEM show cursor, DECAWM line wrap on: what the bar switches off while drawn. */
export const TERMINAL_RESTORE = "\x1b[?25h\x1b[?7h";

/** Whether a progress line can be drawn on this stream (a TTY that understands cursor movement). */
export function canDrawProgress(stream: NodeJS.WriteStream = process.stderr): boolean {
  return stream.isTTY === true && process.env.TERM !== "dumb";
}

export interface ProgressLine {
  /** `done` of `total` units (total null: unknown), with `count` things counted so far. */
  update(done: number, count: number): void;
  /** Erases the line and gives the terminal its cursor and line wrap back. */
  stop(): void;
}

const active = new Set<ProgressLine>();
let exitHookInstalled = false;

/** Gives the terminal back for every bar still drawn (signal and exit handlers call this). */
export function restoreTerminal(): void {
  for (const bar of [...active]) bar.stop();
}

/**
 * A progress line labelled `label` counting `noun` (e.g. "packets"), or null where none can be
 * drawn. `total` null: no percentage, no ETA.
 */
export function progressLine(
  label: string,
  noun: string,
  total: number | null,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressLine | null {
  if (!canDrawProgress(stream)) return null;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      hideCursor: true,
      linewrap: false,
      clearOnComplete: true,
      format:
        total !== null
          ? `${label} |{bar}| {percentage}% | {count} ${noun} | {rate} ${noun}/s | ETA {eta_formatted}`
          : `${label} | {count} ${noun} | {rate} ${noun}/s`,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total ?? 1, 0, { count: "0", rate: "0" });
  const started = performance.now();
  let stopped = false;
  const line: ProgressLine = {
    update(done, count) {
      if (stopped) return;
      const seconds = (performance.now() - started) / 1000;
      bar.update(total !== null ? Math.min(done, total) : 0, {
        count: count.toLocaleString("en-US"),
        rate: seconds > 0 ? Math.round(count / seconds).toLocaleString("en-US") : "0",
      });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      active.delete(line);
      bar.stop();
      // cli-progress restores only what it knows it changed; say it again, plainly.
      stream.write(TERMINAL_RESTORE);
    },
  };
  active.add(line);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", restoreTerminal);
  }
  return line;
}
