import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { decodeText } from "./decode.js";
import type { Diagnostic } from "./diagnostics.js";
import { readRecord } from "./frontmatter.js";
import { parseExport } from "./parse.js";
import type { ArticleRecord, ParseResult } from "./record.js";

/** The articles folder of a project. */
export const ARTICLES_DIR = "content/articles";

/** A record together with the file it came from. */
export interface SourcedRecord {
  record: ArticleRecord;
  /** Path as shown in messages: relative to the working folder. */
  file: string;
  headlineLine: number;
}

export interface Loaded {
  records: SourcedRecord[];
  problems: Diagnostic[];
}

/** Raw exports (`.txt`) are parsed; hand-written records (`.md`) are read as front matter. */
const READERS: Record<string, (text: string) => ParseResult> = {
  ".txt": parseExport,
  ".md": readRecord,
};

export function readerFor(name: string): ((text: string) => ParseResult) | undefined {
  if (name.startsWith(".")) return undefined;
  const dot = name.lastIndexOf(".");
  return dot > 0 ? READERS[name.slice(dot).toLowerCase()] : undefined;
}

// Parsed files by content: a build parses each file once even though the
// build CLI and Eleventy both load the archive, and a rebuild of the dev
// server re-parses only files whose bytes changed.
const parsed = new Map<string, ParseResult>();

function cacheKey(bytes: Uint8Array, name: string): string {
  return `${name.slice(name.lastIndexOf(".")).toLowerCase()}:${createHash("sha1").update(bytes).digest("base64")}`;
}

/** Parse the bytes of one article file. */
export function parseFile(bytes: Uint8Array, name: string): ParseResult {
  const key = cacheKey(bytes, name);
  const cached = parsed.get(key);
  if (cached) return cached;
  const result = parseUncached(bytes, name);
  parsed.set(key, result);
  return result;
}

function parseUncached(bytes: Uint8Array, name: string): ParseResult {
  const decoded = decodeText(bytes);
  if (!("text" in decoded)) return { record: null, problems: [decoded] };
  const reader = readerFor(name);
  if (!reader) throw new Error(`not an article file: ${name}`);
  return reader(decoded.text);
}

/** The article files of a folder, in a fixed order whatever the file system's. */
export function articleFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const names = entries.filter((entry) => entry.isFile() && readerFor(entry.name)).map((entry) => entry.name);
  // Sorted by code unit, not locale, so LANG cannot change the order.
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((name) => join(dir, name));
}

/** Read every article of a folder, collecting the problems of all bad files. */
export function loadArticles(dir: string, cwd = process.cwd()): Loaded {
  const records: SourcedRecord[] = [];
  const problems: Diagnostic[] = [];
  for (const path of articleFiles(dir)) {
    const file = relative(cwd, path) || path;
    const result = parseFile(readFileSync(path), path);
    if (result.record) records.push({ record: result.record, file, headlineLine: result.headlineLine ?? 1 });
    else problems.push(...result.problems.map((p) => ({ file, ...p })));
  }
  return { records, problems };
}
