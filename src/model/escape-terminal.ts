// Text from input files (dump lines, archive member names, parser messages that quote input) goes
// into error and warning messages that end up on a terminal. Control characters there would move
// the cursor, recolour or hide text, or split a one-line error; they are shown as escapes instead.

/**
 * C0 and C1 controls, DEL, line and paragraph separators, and the bidirectional overrides and
 * isolates (which reorder what follows on the line).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with every character that could act on a terminal written as an escape (`\n`, `\x1b`,
 * `\u202e`), so a message quoting input stays one inert line. Printable text, including non-ASCII
 * letters, is kept as is.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
