/**
 * Whitespace normalisation shared by every text field: the only change the
 * archive makes to an export's text.
 */

// Horizontal white space of any kind (tabs, no-break and typographic spaces),
// but not line breaks and not zero-width characters, which are text.
const HORIZONTAL_SPACE = /[\t\v\f \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+/g;

// Most lines hold only single spaces: those are left alone rather than rewritten.
const NEEDS_COLLAPSE = /[\t\v\f\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]| {2}/;

/** Collapse every run of horizontal white space to one space and trim the ends. */
export function normaliseLine(line: string): string {
  return (NEEDS_COLLAPSE.test(line) ? line.replace(HORIZONTAL_SPACE, " ") : line).trim();
}

/** Split text into lines, accepting LF, CRLF and lone CR line ends. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** Drop a leading byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
