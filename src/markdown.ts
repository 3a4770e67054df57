import MarkdownIt from "markdown-it";

/**
 * The one Markdown renderer of the site. Raw HTML is off, so no article text
 * can become markup.
 */
export function createMarkdown(): MarkdownIt {
  const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });
  // The page's one <h1> is the headline: a heading in a hand-written body ranks below it.
  markdown.core.ruler.push("demote_headings", (state) => {
    for (const token of state.tokens) {
      if (token.type === "heading_open" || token.type === "heading_close") token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + 1)}`;
    }
  });
  return markdown;
}

// Characters with inline meaning anywhere in a line (emphasis, code, links,
// autolinks, entities, strikethrough, tables, escapes).
const INLINE_SPECIAL = /[\\`*_[\]<>&~|]/g;
// What makes a line's start a heading, block quote, list item or thematic break.
const BLOCK_START = /^(#|>|[-+=]|\d{1,9}(?=[.)]))/;

/**
 * Escape one line of plain text so that Markdown renders it as a paragraph
 * holding exactly that text.
 */
export function escapeMarkdown(text: string): string {
  const inline = text.replace(INLINE_SPECIAL, "\\$&");
  const m = BLOCK_START.exec(inline);
  if (!m) return inline;
  // A list number keeps its digits and loses its meaning by escaping the `.` or `)` after it.
  return /^\d/.test(m[1]) ? `${m[1]}\\${inline.slice(m[1].length)}` : `\\${inline}`;
}

/** Markdown for a sequence of plain-text paragraphs. */
export function paragraphsToMarkdown(paragraphs: readonly string[]): string {
  return paragraphs.map(escapeMarkdown).join("\n\n") + "\n";
}

type Token = ReturnType<MarkdownIt["parse"]>[number];

/** The text of each paragraph of a Markdown body, as a reader sees it. */
export function paragraphTexts(markdown: MarkdownIt, body: string): string[] {
  return textsOf(markdown.parse(body, {}));
}

function textsOf(tokens: Token[]): string[] {
  const texts: string[] = [];
  tokens.forEach((token, i) => {
    if (token.type !== "paragraph_open") return;
    const inline = tokens[i + 1];
    texts.push((inline.children ?? []).map((child) => (child.type === "softbreak" || child.type === "hardbreak" ? "\n" : child.content)).join(""));
  });
  return texts;
}

/** The start of a text, cut at a word boundary, for descriptions and summaries. */
export function excerpt(text: string, max = 200): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.–—-]+$/, "")}…`;
}

const bodyMarkdown = createMarkdown();

/** An article body as HTML. */
export function renderBody(body: string): string {
  return bodyMarkdown.render(body);
}

// A link reference definition anywhere can change how the first paragraph reads.
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]*\]:/m;
const BLANK_LINE = /\n[ \t]*\n/;

// Looking for `]:` first spares most bodies the line-by-line search for a definition.
function mayDefineReferences(body: string): boolean {
  return body.includes("]:") && REFERENCE_DEFINITION.test(body);
}

/**
 * The text of a body's first paragraph, for summaries. A paragraph cannot
 * run past a blank line, so unless link reference definitions are about,
 * parsing the first block finds it, at a fraction of the cost of the body.
 */
export function firstParagraph(body: string): string {
  if (!mayDefineReferences(body)) {
    const start = body.replace(/^(?:[ \t]*\n)+/, "");
    const end = start.search(BLANK_LINE);
    const [first] = textsOf(bodyMarkdown.parse(end < 0 ? start : start.slice(0, end), {}));
    if (first !== undefined) return first;
  }
  return textsOf(bodyMarkdown.parse(body, {}))[0] ?? "";
}
