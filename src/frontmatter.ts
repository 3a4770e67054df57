import matter from "gray-matter";
import yaml from "js-yaml";
import { normaliseLine } from "./text.js";
import { RECORD_FIELDS, UNWRITTEN_WHEN_EMPTY, validateRecord, type ArticleRecord, type ParseResult } from "./record.js";

/**
 * Records are YAML front matter plus a Markdown body, read and written with
 * gray-matter. YAML is read with the JSON schema only, so a headline such as
 * `yes`, `null`-looking text or `2021-01-01` is never retyped, and
 * gray-matter's JavaScript front matter engines, which evaluate code, are off.
 */
function refuseCode(): never {
  throw new Error("JavaScript front matter is not accepted; use YAML");
}

const MATTER_OPTIONS = {
  language: "yaml",
  engines: {
    yaml: {
      parse: (text: string) => (yaml.load(text, { schema: yaml.JSON_SCHEMA }) ?? {}) as object,
      stringify: (data: object) => yaml.dump(data, { lineWidth: -1, noRefs: true }),
    },
    js: refuseCode,
    javascript: refuseCode,
    coffee: refuseCode,
  },
};

export function writeRecord(record: ArticleRecord): string {
  const data: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) {
    const value = record[field];
    if (UNWRITTEN_WHEN_EMPTY.includes(field) && (value === null || (Array.isArray(value) && value.length === 0))) continue;
    data[field] = value;
  }
  // Given a string, gray-matter would first parse the body for front matter of its own, and a body
  // opening with `---` would lose its first lines or fail; given a file object, it writes the body as it is.
  return matter.stringify({ content: record.body, data: {} } as never, data, MATTER_OPTIONS as never);
}

function normaliseFields(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    out[key] = typeof value === "string" ? normaliseLine(value) : key === "teaser" && value && typeof value === "object" && !Array.isArray(value) ? normaliseFields(value as Record<string, unknown>) : value;
  }
  return out;
}

/** Read a hand-written or generated record. */
export function readRecord(text: string): ParseResult {
  if (!/^---[ \t]*\r?\n/.test(text)) {
    return { record: null, problems: [{ line: 1, message: `expected front matter starting with "---", found ${JSON.stringify(text.split(/\r?\n/, 1)[0].slice(0, 60))}` }] };
  }
  const lines = text.split(/\r?\n/);
  const closing = lines.findIndex((line, i) => i > 0 && /^---\s*$/.test(line));
  if (closing < 0) return { record: null, problems: [{ line: lines.length, message: 'expected a line "---" closing the front matter, found the end of the file' }] };
  let parsed: matter.GrayMatterFile<string>;
  try {
    // A fresh object each call: gray-matter caches by content only when no options are given.
    parsed = matter(text, { ...MATTER_OPTIONS } as never);
  } catch (error) {
    // gray-matter's YAML text starts with the rest of the opening `---` line: its 0-based line n is file line n + 1.
    const mark = (error as { mark?: { line: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    return { record: null, problems: [{ line: mark ? mark.line + 1 : 1, message: `expected valid YAML front matter, found an error: ${reason}` }] };
  }
  const data = parsed.data as unknown;
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { record: null, problems: [{ line: 2, message: "expected front matter fields (key: value), found something else" }] };
  }
  const result = validateRecord(normaliseFields(data as Record<string, unknown>), parsed.content.replace(/\u00a0/g, " "));
  const lineOf = (field: string): number => {
    if (field === "body") return closing + 2;
    const at = lines.findIndex((line, i) => i > 0 && i < closing && line.startsWith(`${field}:`));
    // A missing field belongs at the end of the front matter, where it would be added.
    return at >= 0 ? at + 1 : closing + 1;
  };
  if (!Array.isArray(result)) return { record: result, headlineLine: lineOf("headline"), problems: [] };
  return { record: null, problems: result.map((p) => ({ line: lineOf(p.field), message: p.message })) };
}
