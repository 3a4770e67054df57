import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { decodeText } from "./decode.js";
import type { Diagnostic } from "./diagnostics.js";
import { readRecord, writeRecord } from "./frontmatter.js";
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
  /** What the file's bytes hash to: a record follows from its file's content alone. */
  contentKey: string;
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

// The keys of the files the last loadArticles read: what a saved cache keeps.
let lastKeys: string[] = [];
// Whether anything was parsed that a saved cache does not hold yet.
let unsaved = false;

/** Parse the bytes of one article file. */
export function parseFile(bytes: Uint8Array, name: string): ParseResult {
  return parseKeyed(bytes, name).result;
}

function parseKeyed(bytes: Uint8Array, name: string): { key: string; result: ParseResult } {
  const key = cacheKey(bytes, name);
  lastKeys.push(key);
  let result = parsed.get(key);
  if (!result) {
    parsed.set(key, (result = parseUncached(bytes, name)));
    unsaved = true;
  }
  return { key, result };
}

// The saved parses: a file of JSON lines, the code fingerprint first, then
// one `[key, result]` a line, so that a rebuild appends the few new ones and
// nothing ever holds the whole file as one string.
let saved: { path: string; code: string; keys: Set<string> } | undefined;

function* jsonLines(bytes: Buffer): Generator<unknown> {
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    if (end > start) yield JSON.parse(bytes.toString("utf8", start, end));
    start = end + 1;
  }
}

/**
 * Seed the parse cache from the parses an earlier build with the same code
 * saved, so a rebuild of a large archive parses only the files that changed.
 */
export function restoreParses(path: string, code: string): void {
  let lines: Generator<unknown>;
  try {
    lines = jsonLines(readFileSync(path));
    if (lines.next().value !== code) return;
  } catch {
    return;
  }
  const keys = new Set<string>();
  try {
    for (const line of lines) {
      const [key, result] = line as [string, ParseResult];
      keys.add(key);
      if (!parsed.has(key)) parsed.set(key, result);
    }
  } catch {
    // A line cut short by a killed build: what came before it still counts.
  }
  saved = { path, code, keys };
}

/** Save the well-formed parses of the files the last load read that are not saved yet. */
export function saveParses(path: string, code: string): void {
  if (!unsaved) return;
  unsaved = false;
  const live = lastKeys.filter((key) => parsed.get(key)?.record);
  // Appending while most saved lines are still of use; otherwise writing anew without the dead ones.
  const append = saved?.path === path && saved.code === code && saved.keys.size <= 2 * live.length;
  const keys = append ? saved!.keys : new Set<string>();
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, append ? "a" : "w");
  try {
    if (!append) writeSync(fd, `${JSON.stringify(code)}\n`);
    for (const key of live) {
      if (keys.has(key)) continue;
      writeSync(fd, `${JSON.stringify([key, parsed.get(key)])}\n`);
      keys.add(key);
    }
  } finally {
    closeSync(fd);
  }
  saved = { path, code, keys };
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
  lastKeys = [];
  const records: SourcedRecord[] = [];
  const problems: Diagnostic[] = [];
  for (const path of articleFiles(dir)) {
    const file = relative(cwd, path) || path;
    const { key, result } = parseKeyed(readFileSync(path), basename(path));
    if (result.record) records.push({ record: result.record, file, headlineLine: result.headlineLine ?? 1, contentKey: key });
    else problems.push(...result.problems.map((p) => ({ file, ...p })));
  }
  return { records, problems };
}

/** A record as the file it is written to. */
export interface RecordFile {
  name: string;
  text: string;
}

/** `000_x.txt` -> `000_x.md`: a record keeps the base name of the article file it comes from. */
export function recordName(file: string): string {
  const name = basename(file);
  return `${name.slice(0, name.lastIndexOf("."))}.md`;
}

/** The records of a folder's articles as `.md` files, or the problems of every bad file. */
export function loadRecordFiles(dir: string, cwd = process.cwd()): { files: RecordFile[]; problems: Diagnostic[] } {
  const { records, problems } = loadArticles(dir, cwd);
  const byName = new Map<string, SourcedRecord>();
  for (const item of records) {
    const name = recordName(item.file);
    const first = byName.get(name);
    if (first) problems.push({ file: item.file, line: 1, message: `expected one article file per record name, found ${first.file} also written as ${name}` });
    else byName.set(name, item);
  }
  return { files: [...byName].map(([name, { record }]) => ({ name, text: writeRecord(record) })), problems };
}
