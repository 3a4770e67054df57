/**
 * Text helpers shared across the project: whitespace normalisation of every
 * text field (the only change the archive makes to an export's text), line
 * splitting, and ordering and remembering by text.
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

/** Order by UTF-16 code unit, as JavaScript compares strings: the order never depends on LANG. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A function of a string worked out once per distinct string: for values repeated many times over an archive, such as dates and section names. */
export function memo<T>(compute: (text: string) => T): (text: string) => T {
  const computed = new Map<string, T>();
  return (text) => {
    let value = computed.get(text);
    if (value === undefined) computed.set(text, (value = compute(text)));
    return value;
  };
}

/** Drop a leading byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Characters that do not occur in text: C0 controls other than tab, line
 * feed, form feed and carriage return, DEL, lone surrogates (a YAML escape
 * can write one), and the noncharacters U+FFFE and U+FFFF, which XML feeds
 * cannot carry.
 */
export const NOT_TEXT = /[\u0000-\u0008\u000b\u000e-\u001f\u007f\p{Cs}\ufffe\uffff]/u;

/** A character as messages name it: `U+0000`. */
export function codePoint(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}
