// The contract every cilium-dbg output format implements: recognise it by content, parse it into
// typed model objects, and print the model back in cilium-dbg's own format.
import type { DumpSource } from "./dump-source.js";
import type { ParseOptions } from "./errors.js";

export interface DumpFormat<Model> {
  /** Stable identifier, e.g. "bpf-ipcache-list", "service-list-json". */
  readonly kind: string;
  /** The command that produces this output, e.g. "cilium-dbg bpf ipcache list". */
  readonly command: string;
  /**
   * True when a line of this output can hold a `#` of its own (JSON strings, YAML, configuration
   * values). Otherwise a trailing ` # ...` is a paster's annotation and is stripped before parsing.
   */
  readonly mayHoldHash?: boolean;
  /**
   * True when `parse` skips lines it does not know (a report with free-form sections) instead of
   * rejecting them; the loader then ends the dump where another format's dump starts.
   */
  readonly skipsUnknownLines?: boolean;
  /**
   * True when these lines (the start of a dump: header and first rows, noise already blanked out)
   * are this format's output. Decides by content, never by file name.
   */
  matches(lines: readonly string[]): boolean;
  /**
   * Parses one dump. Lines the splitter recognised as noise (shell prompts, `kubectl exec` command
   * lines, `...` elisions) arrive as empty strings so line numbers stay true; parsers skip empty lines.
   * An unreadable line goes through `rejectLine` (error, or a warning in lenient mode).
   */
  parse(source: DumpSource, options: ParseOptions): Model;
  /** Prints the model exactly as the command would (modulo column padding). */
  print(model: Model): string;
}
