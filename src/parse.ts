import { quote } from "./diagnostics.js";
import { paragraphsToMarkdown } from "./markdown.js";
import { validateRecord, type ParseResult, type Teaser } from "./record.js";
import { normaliseLine, splitLines, stripBom } from "./text.js";

/**
 * The raw export format, as the city site's exports have it:
 *
 *   Home>Section name
 *   Headline
 *   Updated : YYYY-MM-DD
 *   Corrected : YYYY-MM-DD   (optional: the date of the latest correction)
 *   By ( source )
 *   body, one paragraph per non-blank line
 *
 * with blank lines anywhere between. The body may open with a photo caption
 * and close with a sidebar teaser for another article.
 */

interface Line {
  text: string;
  /** 1-based line number in the file */
  number: number;
}

const BREADCRUMB = /^Home ?> ?([^>]+)$/;
const UPDATED = /^Updated ?: ?(.*)$/;
const CORRECTED = /^Corrected ?: ?(.*)$/;
const BYLINE = /^By ?\( ?(.*?) ?\)$/;
// Lines that were meant as the Updated or By line, even if malformed: never a headline. Only
// their whole forms count: "Updated 2023 guidelines released" and "By (popular) demand, …" are headlines.
const HEADER_LIKE = /^(Updated ?:|Corrected ?:|Updated ?\d{4}-\d{1,2}-\d{1,2}$|By ?\(.*\)$)/;

// `<one sentence>. CHINA DAILY`: a sentence, then a credit of capitals only.
const SENTENCE_BREAK = /[.!?]["”’)]? /g;
const CREDIT = /^[A-Z][A-Z0-9 .,'’&/()-]*[A-Z]$/;
const HAS_WORDS = /[^\s.!?]/;

/**
 * Split a caption line at the last sentence break after which only a credit
 * follows. A loop over the breaks rather than one regular expression: that
 * one backtracked through every long paragraph.
 */
function splitCaption(line: string): [string, string] | null {
  if (!/[A-Z]$/.test(line)) return null;
  let split: [string, string] | null = null;
  for (const m of line.matchAll(SENTENCE_BREAK)) {
    const end = m.index + m[0].length;
    const caption = line.slice(0, end - 1);
    const credit = line.slice(end);
    if (CREDIT.test(credit) && HAS_WORDS.test(caption.slice(0, m.index))) split = [caption, credit];
  }
  return split;
}
// Sentence-closing (or clause-closing) punctuation that a title-like line does not end with.
const CLOSING_PUNCTUATION = /[.!?:;,…"”’')\]]$/;
const SENTENCE_END = /[.!?]["”’)]?$/;
const INNER_SENTENCE_BREAK = /[.!?]["”’)]? ["“‘(]?[A-Z]/;
const TITLE_MAX_LENGTH = 120;

function fail(line: number, message: string): ParseResult {
  return { record: null, problems: [{ line, message }] };
}

/** Body lines grouped into blocks separated by blank lines. */
function blocks(lines: Line[]): Line[][] {
  const out: Line[][] = [];
  let current: Line[] = [];
  for (const line of lines) {
    if (line.text === "") {
      if (current.length) out.push(current);
      current = [];
    } else current.push(line);
  }
  if (current.length) out.push(current);
  return out;
}

function splitTeaser(body: Line[][]): { paragraphs: Line[][]; teaser: Teaser | null } {
  if (body.length < 3) return { paragraphs: body, teaser: null };
  const [title, summary] = body.slice(-2);
  const isTeaser =
    title.length === 1 &&
    summary.length === 1 &&
    title[0].text.length <= TITLE_MAX_LENGTH &&
    !CLOSING_PUNCTUATION.test(title[0].text) &&
    SENTENCE_END.test(summary[0].text) &&
    !INNER_SENTENCE_BREAK.test(summary[0].text);
  return isTeaser
    ? { paragraphs: body.slice(0, -2), teaser: { headline: title[0].text, summary: summary[0].text } }
    : { paragraphs: body, teaser: null };
}

/** Parse the text of one export into a record, or say where and why it is not one. */
export function parseExport(raw: string): ParseResult {
  const lines: Line[] = splitLines(stripBom(raw)).map((text, i) => ({ text: normaliseLine(text), number: i + 1 }));
  const filled = lines.filter((line) => line.text !== "");
  if (filled.length === 0) return fail(1, 'expected a breadcrumb "Home>Section name", found an empty file');
  const last = lines[lines.length - 1].number;
  const [crumb, headline, updated] = filled;
  const corrected = filled[3] && CORRECTED.test(filled[3].text) ? filled[3] : undefined;
  const byline = filled[corrected ? 4 : 3];

  const section = BREADCRUMB.exec(crumb.text);
  if (!section) return fail(crumb.number, `expected a breadcrumb "Home>Section name", found ${quote(crumb.text)}`);
  if (!headline || HEADER_LIKE.test(headline.text)) {
    return fail(headline?.number ?? last, `expected a headline after the breadcrumb, found ${headline ? quote(headline.text) : "the end of the file"}`);
  }
  const date = updated && UPDATED.exec(updated.text);
  if (!date) {
    return fail(updated?.number ?? last, `expected "Updated : YYYY-MM-DD" after the headline, found ${updated ? quote(updated.text) : "the end of the file"}`);
  }
  const source = byline && BYLINE.exec(byline.text);
  if (!source) {
    return fail(byline?.number ?? last, `expected "By ( source )" after the ${corrected ? "Corrected" : "Updated"} line, found ${byline ? quote(byline.text) : "the end of the file"}`);
  }

  const { paragraphs, teaser } = splitTeaser(blocks(lines.slice(byline.number)));
  let flat = paragraphs.flat();
  let caption: string | null = null;
  let credit: string | null = null;
  const captioned = flat.length > 1 ? splitCaption(flat[0].text) : null;
  if (captioned) {
    [caption, credit] = captioned;
    flat = flat.slice(1);
  }

  const data = { section: section[1].trim(), date: date[1], updated: corrected && CORRECTED.exec(corrected.text)![1], headline: headline.text, source: source[1], caption, credit, teaser };
  const result = validateRecord(data, flat.length ? paragraphsToMarkdown(flat.map((line) => line.text)) : "");
  if (!Array.isArray(result)) return { record: result, headlineLine: headline.number, problems: [] };
  const lineOf: Record<string, number> = {
    section: crumb.number,
    headline: headline.number,
    date: updated.number,
    updated: corrected?.number ?? updated.number,
    source: byline.number,
    body: Math.min(byline.number + 1, last),
  };
  return {
    record: null,
    problems: result.map((p) => ({
      line: lineOf[p.field] ?? byline.number,
      message: p.field === "body" ? "expected the article body after the By line, found nothing" : p.message,
    })),
  };
}
