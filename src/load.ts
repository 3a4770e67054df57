import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync, type Stats } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { decodeText } from "./decode.js";
import type { Diagnostic } from "./diagnostics.js";
import { readRecord, writeRecord } from "./frontmatter.js";
import { excerpt, firstParagraph } from "./markdown.js";
import { parseExport } from "./parse.js";
import { RECORD_FIELDS, type ArticleRecord, type ParseResult, type Teaser } from "./record.js";
import { articleUrl } from "./urls.js";

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
  /** Its page's URL. */
  url: string;
  /** The start of the body's first paragraph, as plain text: what lists show of the article. */
  summary: string;
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

/** A parsed file, with what pages need of its article beyond the record, worked out once per content. */
interface Parsed {
  result: ParseResult;
  url: string;
  summary: string;
}

// Parsed files by content: a build parses each file once even though the
// build CLI and Eleventy both load the archive, and a rebuild of the dev
// server re-parses only files whose bytes changed.
const parsed = new Map<string, Parsed>();

function cacheKey(bytes: Uint8Array, name: string): string {
  return `${name.slice(name.lastIndexOf(".")).toLowerCase()}:${createHash("sha1").update(bytes).digest("base64")}`;
}

/** Parse the bytes of one article file. */
export function parseFile(bytes: Uint8Array, name: string): ParseResult {
  return parseKeyed(bytes, name).result;
}

function parseKeyed(bytes: Uint8Array, name: string): { key: string; result: ParseResult } {
  const key = cacheKey(bytes, name);
  let entry = parsed.get(key);
  if (!entry) {
    const result = parseUncached(bytes, name);
    const { record } = result;
    parsed.set(key, (entry = record ? { result, url: articleUrl(record), summary: excerpt(firstParagraph(record.body)) } : { result, url: "", summary: "" }));
    unsaved = true;
  }
  return { key, result: entry.result };
}

function parseUncached(bytes: Uint8Array, name: string): ParseResult {
  const decoded = decodeText(bytes);
  if (!("text" in decoded)) return { record: null, problems: [decoded] };
  const reader = readerFor(name);
  if (!reader) throw new Error(`not an article file: ${name}`);
  return reader(decoded.text);
}

/**
 * What a file's metadata said when its content key was taken. While it says
 * the same, the key stands and the file is not read again, as git trusts its
 * index: a change of content changes the size or the times, and renaming
 * another file over it changes the inode.
 */
interface Seen {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  key: string;
}

// A file changed this recently may change again within the same tick of a
// coarse file system clock (FAT's is 2 s) and keep its times: its key is not
// trusted until a later load finds it older.
const TIMESTAMP_GRAIN_MS = 2000;

/** Well-formed article files by absolute path. */
const seenFiles = new Map<string, Seen>();

function stillSeen(path: string, stat: Stats): Seen | undefined {
  const seen = seenFiles.get(path);
  if (!seen || seen.size !== stat.size || seen.mtimeMs !== stat.mtimeMs || seen.ctimeMs !== stat.ctimeMs || seen.ino !== stat.ino) return undefined;
  return parsed.has(seen.key) ? seen : undefined;
}

// What the last loadArticles found: the content keys of its well-formed
// files and those of them whose metadata can be trusted, which a saved cache keeps.
let lastLoad: { keys: string[]; files: [string, Seen][] } = { keys: [], files: [] };
// Whether anything was parsed that a saved cache does not hold yet.
let unsaved = false;

/**
 * The saved cache, in a folder of its own: `files.json` lists the files of
 * the last load with their metadata and content keys; `parses` holds one
 * parse per content key, each a line of JSON (key, headline line, the record
 * without its body, the body's length in bytes) followed by the body as it
 * is, so that a rebuild reads the bodies without unescaping them and appends
 * only the few new parses. The code fingerprint heads both: other code
 * parses otherwise.
 */
const PARSES_FILE = "parses";
const FILES_FILE = "files.json";

let saved: { dir: string; code: string; keys: Set<string> } | undefined;

type SavedParse = [key: string, headlineLine: number, fields: Omit<ArticleRecord, "body">, url: string, summary: string, bodyBytes: number];

/** A record restored from the saved parses. Its body, most of what it holds, is decoded only when read. */
class SavedRecord implements ArticleRecord {
  readonly section: string;
  readonly date: string;
  readonly headline: string;
  readonly source: string;
  readonly caption: string | null;
  readonly credit: string | null;
  readonly teaser: Teaser | null;
  readonly #saved: Buffer;
  readonly #start: number;
  readonly #end: number;
  #body: string | undefined;

  constructor(fields: Omit<ArticleRecord, "body">, saved: Buffer, start: number, end: number) {
    this.section = fields.section;
    this.date = fields.date;
    this.headline = fields.headline;
    this.source = fields.source;
    this.caption = fields.caption;
    this.credit = fields.credit;
    this.teaser = fields.teaser;
    this.#saved = saved;
    this.#start = start;
    this.#end = end;
  }

  get body(): string {
    return (this.#body ??= this.#saved.toString("utf8", this.#start, this.#end));
  }
}

/**
 * Seed the caches from what an earlier build with the same code saved, so a
 * rebuild of a large archive reads and parses only the files that changed.
 */
export function restoreParses(dir: string, code: string): void {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, PARSES_FILE));
  } catch {
    return;
  }
  const keys = new Set<string>();
  try {
    let start = bytes.indexOf(0x0a) + 1;
    if (start === 0 || JSON.parse(bytes.toString("utf8", 0, start - 1)) !== code) return;
    while (start < bytes.length) {
      const end = bytes.indexOf(0x0a, start);
      if (end < 0) break;
      const [key, headlineLine, fields, url, summary, bodyBytes] = JSON.parse(bytes.toString("utf8", start, end)) as SavedParse;
      const bodyEnd = end + 1 + bodyBytes;
      if (bytes[bodyEnd] !== 0x0a) break;
      keys.add(key);
      if (!parsed.has(key)) parsed.set(key, { result: { record: new SavedRecord(fields, bytes, end + 1, bodyEnd), headlineLine, problems: [] }, url, summary });
      start = bodyEnd + 1;
    }
  } catch {
    // A parse cut short by a killed build: what came before it still counts.
  }
  saved = { dir, code, keys };
  try {
    const files = JSON.parse(readFileSync(join(dir, FILES_FILE), "utf8")) as { code: string; files: [string, Seen][] };
    if (files.code === code) for (const [path, seen] of files.files) if (keys.has(seen.key)) seenFiles.set(path, seen);
  } catch {
    // Without it, every file is read once more.
  }
}

/** Save what the last load parsed that is not saved yet, and the metadata of its files. */
export function saveParses(dir: string, code: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, FILES_FILE), JSON.stringify({ code, files: lastLoad.files }));
  if (!unsaved) return;
  unsaved = false;
  const live = lastLoad.keys;
  // Appending while most saved parses are still of use; otherwise writing anew without the dead ones.
  const append = saved?.dir === dir && saved.code === code && saved.keys.size <= 2 * live.length;
  const keys = append ? saved!.keys : new Set<string>();
  const fd = openSync(join(dir, PARSES_FILE), append ? "a" : "w");
  try {
    if (!append) writeSync(fd, `${JSON.stringify(code)}\n`);
    for (const key of live) {
      if (keys.has(key)) continue;
      const { result, url, summary } = parsed.get(key)!;
      const record = result.record!;
      const fields = Object.fromEntries(RECORD_FIELDS.map((field) => [field, record[field]])) as SavedParse[2];
      const body = record.body;
      writeSync(fd, `${JSON.stringify([key, result.headlineLine ?? 1, fields, url, summary, Buffer.byteLength(body)] satisfies SavedParse)}\n${body}\n`);
      keys.add(key);
    }
  } finally {
    closeSync(fd);
  }
  saved = { dir, code, keys };
}

function isArticleFile(name: string): boolean {
  return readerFor(name) !== undefined;
}

/** The article file names of a folder, in a fixed order whatever the file system's. */
function articleNames(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const names = entries.filter((entry) => entry.isFile() && isArticleFile(entry.name)).map((entry) => entry.name);
  // Sorted by code unit, not locale, so LANG cannot change the order.
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The article files of a folder, in a fixed order whatever the file system's. */
export function articleFiles(dir: string): string[] {
  return articleNames(dir).map((name) => join(dir, name));
}

/** Read every article of a folder, collecting the problems of all bad files. */
export function loadArticles(dir: string, cwd = process.cwd()): Loaded {
  const records: SourcedRecord[] = [];
  const problems: Diagnostic[] = [];
  const folder = resolve(dir);
  const shown = relative(cwd, folder);
  const loadedAt = Date.now();
  lastLoad = { keys: [], files: [] };
  for (const name of articleNames(folder)) {
    const path = `${folder}${sep}${name}`;
    const file = shown ? `${shown}${sep}${name}` : name;
    const stat = statSync(path);
    let seen = stillSeen(path, stat);
    if (!seen) {
      const { key, result } = parseKeyed(readFileSync(path), name);
      if (!result.record) {
        problems.push(...result.problems.map((p) => ({ file, ...p })));
        continue;
      }
      seen = { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino, key };
      if (loadedAt - Math.max(stat.mtimeMs, stat.ctimeMs) > TIMESTAMP_GRAIN_MS) seenFiles.set(path, seen);
      else seenFiles.delete(path);
    }
    const { result, url, summary } = parsed.get(seen.key)!;
    lastLoad.keys.push(seen.key);
    if (seenFiles.get(path) === seen) lastLoad.files.push([path, seen]);
    records.push({ record: result.record!, file, headlineLine: result.headlineLine ?? 1, contentKey: seen.key, url, summary });
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
