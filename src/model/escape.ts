// Text read from input (names, fields, quoted lines) may hold characters a terminal acts on: escape
// sequences that move the cursor or recolour, newlines that fake a line of output, bidi overrides that
// reorder what is shown. Such text is made visible before it is printed.

/** C0 and C1 controls, DEL, the Unicode line/paragraph separators and bidi controls. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function visible(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every character a terminal would act on shown as a visible escape: `\n`, `\r`, `\t`,
 * `\x1b` for other C0/C1 controls and DEL, `\u202e` for bidi and line-separator characters.
 * Printable text, backslashes included, comes back unchanged, so escaping twice changes nothing: a
 * message escaped where it was made (InputError, reader errors) passes the CLI's own pass intact.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, visible);
}
