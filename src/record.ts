import { isCalendarDate } from "./dates.js";
import { quote } from "./diagnostics.js";
import { codePoint, NOT_TEXT } from "./text.js";

/** The sidebar teaser some exports end with: another article's headline and summary. */
export interface Teaser {
  headline: string;
  summary: string;
}

/** One article as the archive stores it: YAML front matter fields plus a Markdown body. */
export interface ArticleRecord {
  section: string;
  /** Calendar date `YYYY-MM-DD` in the archive's zone. */
  date: string;
  headline: string;
  source: string;
  caption: string | null;
  credit: string | null;
  teaser: Teaser | null;
  /** Markdown; for an ingested export, its paragraphs escaped to render literally. */
  body: string;
}

/**
 * A record held by a class of its own: the front matter fields copied one by
 * one, which V8 builds and reads far faster than a spread copy, and the body
 * left to the class, which may read it only when asked for.
 */
export abstract class RecordFields implements ArticleRecord {
  readonly section: string;
  readonly date: string;
  readonly headline: string;
  readonly source: string;
  readonly caption: string | null;
  readonly credit: string | null;
  readonly teaser: Teaser | null;

  constructor(fields: Omit<ArticleRecord, "body">) {
    this.section = fields.section;
    this.date = fields.date;
    this.headline = fields.headline;
    this.source = fields.source;
    this.caption = fields.caption;
    this.credit = fields.credit;
    this.teaser = fields.teaser;
  }

  abstract get body(): string;
}

/** The front matter fields, in the order records are written. */
export const RECORD_FIELDS = ["section", "date", "headline", "source", "caption", "credit", "teaser"] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

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
    section: text(data.section),
    date: text(data.date),
    headline: text(data.headline),
    source: text(data.source),
    caption: optional(data.caption),
    credit: optional(data.credit),
    teaser: teaser ? { headline: text((teaser as Teaser).headline), summary: text((teaser as Teaser).summary) } : null,
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
