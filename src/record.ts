import { isCalendarDate } from "./dates.js";
import { quote } from "./diagnostics.js";
import { codePoint, compareText, NOT_TEXT } from "./text.js";

/** The sidebar teaser some exports end with: another article's headline and summary. */
export interface Teaser {
  headline: string;
  summary: string;
}

/** One article as the archive stores it: YAML front matter fields plus a Markdown body. */
export interface ArticleRecord {
  /** The article's identity when the record names one; otherwise its file name's stem is (see SourcedRecord). */
  id: string | null;
  section: string;
  /** Calendar date `YYYY-MM-DD` in the archive's zone: the publication date, which orders every list. */
  date: string;
  /** Calendar date of the latest correction, on or after `date`. */
  updated: string | null;
  headline: string;
  source: string;
  caption: string | null;
  credit: string | null;
  teaser: Teaser | null;
  /** Site paths the article was published at elsewhere (an older site's), which redirect to its page. */
  aliases: string[];
  /** A hand-written record's photo: a picture file under the articles folder, relative to the record, and its alt text. An export's photo is the picture beside it. */
  image: { src: string; alt: string } | null;
  /** Markdown; for an ingested export, its paragraphs escaped to render literally. */
  body: string;
}

/**
 * A record held by a class of its own: the front matter fields copied one by
 * one, which V8 builds and reads far faster than a spread copy, and the body
 * left to the class, which may read it only when asked for.
 */
export abstract class RecordFields implements ArticleRecord {
  readonly id: string | null;
  readonly section: string;
  readonly date: string;
  readonly updated: string | null;
  readonly headline: string;
  readonly source: string;
  readonly caption: string | null;
  readonly credit: string | null;
  readonly teaser: Teaser | null;
  readonly aliases: string[];
  readonly image: { src: string; alt: string } | null;

  constructor(fields: Omit<ArticleRecord, "body">) {
    this.id = fields.id;
    this.section = fields.section;
    this.date = fields.date;
    this.updated = fields.updated;
    this.headline = fields.headline;
    this.source = fields.source;
    this.caption = fields.caption;
    this.credit = fields.credit;
    this.teaser = fields.teaser;
    this.aliases = fields.aliases;
    this.image = fields.image;
  }

  abstract get body(): string;
}

/** The front matter fields, in the order records are written. */
export const RECORD_FIELDS = ["id", "section", "date", "updated", "headline", "source", "image", "caption", "credit", "teaser", "aliases"] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

/** Fields a written record leaves out while they are empty: most records have none of them. */
export const UNWRITTEN_WHEN_EMPTY: readonly RecordField[] = ["id", "updated", "image", "aliases"];

/** What an explicit `id:` may be: it stands in Atom entry ids and the URL ledger, so no space, slash or colon. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$/;

/**
 * What an alias may be: a root-relative path of plain segments, to a folder
 * (`/old/story/`) or an HTML file (`/content/2023-04/14/content_123.html`),
 * since the redirect is an HTML page written at that path.
 */
// A picture below the record's folder: no leading slash, no `..`.
const IMAGE_SRC = /^(?!\/)(?!(?:.*\/)?\.\.?(?:\/|$))[^\s\\]+\.(?:jpe?g|png|webp)$/i;

const ALIAS_PATTERN = /^\/(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*\/)*(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*\.html)?$/;

/** A record read from a file, or every problem that kept it from being one. */
export interface ParseResult {
  record: ArticleRecord | null;
  /** Where the headline stands, for problems that concern the whole article. */
  headlineLine?: number;
  /** Problems, each at the 1-based line where something else was expected. */
  problems: { line: number; message: string }[];
}

/** A field that failed validation, for the caller to place at a line of its file. */
export interface FieldProblem {
  /** A front matter key, or `body`. */
  field: string;
  message: string;
}

const TEXT_FIELDS = ["section", "headline", "source"] as const;
const OPTIONAL_TEXT_FIELDS = ["caption", "credit"] as const;

function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (typeof value === "string") {
    const unwritable = NOT_TEXT.exec(value);
    if (unwritable) return `the character ${codePoint(unwritable[0])} in ${quote(value.replace(new RegExp(NOT_TEXT, "gu"), "\uFFFD"))}`;
    return value.trim() === "" ? "empty text" : quote(value);
  }
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a mapping" : `${typeof value} ${String(value)}`;
}

// A YAML escape such as "\u0000" can write into a field what no file of text holds.
const UNWRITABLE = new RegExp(`${NOT_TEXT.source}|[\\r\\n]`, "u");

function isText(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "" && !UNWRITABLE.test(value);
}

/**
 * The one schema both ingested exports and hand-written records must meet.
 * Returns the record, or every problem found.
 */
export function validateRecord(data: Record<string, unknown>, body: string): ArticleRecord | FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(data)) {
    if (!(RECORD_FIELDS as readonly string[]).includes(key)) {
      problems.push({ field: key, message: `expected only the fields ${RECORD_FIELDS.join(", ")}, found ${quote(key)}` });
    }
  }
  for (const field of TEXT_FIELDS) {
    if (!isText(data[field])) problems.push({ field, message: `expected a one-line ${field}, found ${describe(data[field])}` });
  }
  for (const field of OPTIONAL_TEXT_FIELDS) {
    const value = data[field];
    if (value !== null && value !== undefined && !isText(value)) {
      problems.push({ field, message: `expected a one-line ${field} or nothing, found ${describe(value)}` });
    }
  }
  if (typeof data.date !== "string" || !isCalendarDate(data.date)) {
    problems.push({ field: "date", message: `expected a calendar date YYYY-MM-DD, found ${describe(data.date)}` });
  }
  const { id, updated, aliases } = data;
  if (id !== null && id !== undefined && (typeof id !== "string" || !ID_PATTERN.test(id))) {
    problems.push({ field: "id", message: `expected an id of letters, digits and . _ ~ - (at most 128), found ${describe(id)}` });
  }
  if (updated !== null && updated !== undefined) {
    if (typeof updated !== "string" || !isCalendarDate(updated)) problems.push({ field: "updated", message: `expected a correction date YYYY-MM-DD, found ${describe(updated)}` });
    else if (typeof data.date === "string" && updated < data.date) problems.push({ field: "updated", message: `expected a correction date on or after the publication date ${data.date}, found ${updated}` });
  }
  const image = data.image as Record<string, unknown> | null | undefined;
  if (image !== null && image !== undefined) {
    if (typeof image !== "object" || Array.isArray(image) || typeof image.src !== "string" || !IMAGE_SRC.test(image.src) || !isText(image.alt) || Object.keys(image).length !== 2) {
      problems.push({ field: "image", message: `expected an image with a src (a .jpg, .png or .webp file below the record's folder) and a one-line alt, found ${describe(image)}` });
    }
  }
  if (aliases !== null && aliases !== undefined) {
    const bad = Array.isArray(aliases) ? aliases.find((alias) => typeof alias !== "string" || !ALIAS_PATTERN.test(alias)) : aliases;
    if (bad !== undefined) problems.push({ field: "aliases", message: `expected aliases as a list of site paths such as /old/story/ or /old/story.html, found ${describe(bad)}` });
  }
  const teaser = data.teaser;
  if (teaser !== null && teaser !== undefined) {
    const t = teaser as Record<string, unknown>;
    if (typeof teaser !== "object" || Array.isArray(teaser) || !isText(t.headline) || !isText(t.summary) || Object.keys(t).length !== 2) {
      problems.push({ field: "teaser", message: `expected a teaser with a one-line headline and summary, found ${describe(teaser)}` });
    }
  }
  if (body.trim() === "") problems.push({ field: "body", message: "expected an article body, found none" });
  if (problems.length > 0) return problems;
  const text = (value: unknown) => ownCopy(value as string);
  const optional = (value: unknown) => (typeof value === "string" ? ownCopy(value) : null);
  return {
    id: optional(id),
    section: text(data.section),
    date: text(data.date),
    updated: optional(updated),
    headline: text(data.headline),
    source: text(data.source),
    caption: optional(data.caption),
    credit: optional(data.credit),
    teaser: teaser ? { headline: text((teaser as Teaser).headline), summary: text((teaser as Teaser).summary) } : null,
    aliases: Array.isArray(aliases) ? [...new Set(aliases.map(text))].sort(compareText) : [],
    image: image ? { src: text(image.src), alt: text(image.alt) } : null,
    body,
  };
}

/**
 * A string that does not hold on to the text it was cut from. V8 keeps a
 * short slice of a string as a view of the whole, so a headline cut from its
 * file would keep the whole file in memory for as long as the record lives.
 */
function ownCopy(text: string): string {
  return (" " + text).slice(1);
}
