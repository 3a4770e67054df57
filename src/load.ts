import { createHash, randomUUID } from "node:crypto";
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join, posix, relative, resolve, sep } from "node:path";
import type { ResourceLimits } from "node:worker_threads";
import { decodeText } from "./decode.js";
import type { Diagnostic } from "./diagnostics.js";
import { readRecord, writeRecord } from "./frontmatter.js";
import { eachLine, readLines, WRITE_BLOCK_BYTES, writeLines } from "./lines.js";
import { excerpt, firstParagraph } from "./markdown.js";
import { parseExport } from "./parse.js";
import { PHOTO_EXTENSIONS, photoUrl, readPicture, type Photo, type PictureFile } from "./photos.js";
import { within } from "./output.js";
import { RECORD_FIELDS, RecordFields, type ArticleRecord, type ParseResult } from "./record.js";
import { compareText } from "./text.js";
import { fromThread } from "./threads.js";
import { articleUrl } from "./urls.js";

/** The articles folder of a project. */
export const ARTICLES_DIR = "content/articles";

/**
 * A record as a load gives it, with the start of its body's first
 * paragraph as plain text: what lists show of the article. Both are read
 * from where the body is kept when asked for, not held.
 */
export type LoadedRecord = ArticleRecord & { readonly summary: string };

/** A record together with the file it came from. */
export interface SourcedRecord {
  record: LoadedRecord;
  /** Its identity, which no edit of the article changes: the record's `id`, or else its file name's stem (an export's carries the CMS's id). */
  id: string;
  /** Path as shown in messages: relative to the working folder. */
  file: string;
  headlineLine: number;
  /** What the file's bytes hash to: a record follows from its file's content alone. */
  contentKey: string;
  /** Its page's URL. */
  url: string;
  /** The picture beside an export with its stem, or the one a record's `image:` names. */
  photo: Photo | null;
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

/** A parsed file, with its page's URL, worked out once per content; a well-formed file's record is a SavedRecord. */
interface Parsed {
  result: ParseResult;
  url: string;
}

function cacheKey(bytes: Uint8Array, name: string): string {
  return `${name.slice(name.lastIndexOf(".")).toLowerCase()}:${createHash("sha1").update(bytes).digest("base64")}`;
}

/** Parse the bytes of one article file. */
export function parseFile(bytes: Uint8Array, name: string): ParseResult {
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

/** Whether a file's metadata is what it was when it was read: then so is its content. */
function sameMetadata(seen: Omit<Seen, "key">, stat: Stats): boolean {
  return seen.size === stat.size && seen.mtimeMs === stat.mtimeMs && seen.ctimeMs === stat.ctimeMs && seen.ino === stat.ino;
}

/** What of a file's metadata tells whether it changed. */
function metadataOf(stat: Stats): Omit<Seen, "key"> {
  return { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino };
}

// A file changed this recently may change again within the same tick of a
// coarse file system clock (FAT's is 2 s) and keep its times: its key is not
// trusted until a later load finds it older.
const TIMESTAMP_GRAIN_MS = 2000;

/**
 * The saved cache, in a folder of its own:
 * - `files.json` lists the files of the last load with their metadata and
 *   content keys, a line each (see lines.ts): writing it as one JSON text
 *   (40 MB at 200,000 articles) took 109 MB of memory, a line at a time 30;
 * - `parses` holds one line of JSON per content key: the parse without its
 *   body (headline line, the record's other fields and URL) and where
 *   the body lies in `bodies`, which holds each body as it is, then its
 *   summary.
 * A rebuild reads the bodies of the few pages it writes and no others, and
 * appends only the few new parses. The parser fingerprint heads `files.json`
 * and `parses`, whose parses other code would not give; a generation, drawn
 * anew whenever `bodies` is written anew, heads `parses` and `bodies`, so a
 * pair from two saves is never read together.
 */
const FILES_FILE = "files.json";
const PARSES_FILE = "parses";
const BODIES_FILE = "bodies";

type SavedParse = [key: string, headlineLine: number, fields: Omit<ArticleRecord, "body">, url: string, bodyStart: number, bodyBytes: number, summaryBytes: number];

/** Where a body and, right after it, its summary lie among the bodies. */
interface Spilled {
  start: number;
  bytes: number;
  summaryBytes: number;
}

/** Where bodies are read from: the saved bodies file, or the bodies this process parsed. */
interface Bodies {
  read(start: number, bytes: number): string;
}

function readText(fd: number, start: number, bytes: number): string {
  const buffer = Buffer.allocUnsafe(bytes);
  readSync(fd, buffer, 0, bytes, start);
  return buffer.toString("utf8");
}

/** The saved bodies file, by a descriptor open for as long as the process runs: saving anew replaces the file, leaving this one as it was. */
function savedBodies(fd: number): Bodies {
  return { read: (start, bytes) => readText(fd, start, bytes) };
}

/** A temporary file, removed from its folder as soon as it is made, or undefined when none can be made. */
function spillFile(): number | undefined {
  const path = join(tmpdir(), `news-archive-bodies-${process.pid}-${randomUUID()}`);
  try {
    const fd = openSync(path, "wx+", 0o600);
    unlinkSync(path);
    return fd;
  } catch {
    return undefined;
  }
}

/**
 * The bodies of the files this process parsed, written out as they are
 * parsed so that a first load of a large archive never holds them all. A
 * file of its own, removed from its folder as soon as it is made: records
 * read it by descriptor, and the system frees it with the process, however
 * the process ends. Where no temporary file can be made, or the temporary
 * folder fills up, bodies stay in memory from then on.
 */
class BodySpill implements Bodies {
  #fd: number | undefined;
  #failed = false;
  #size = 0;
  /** Bodies not written yet, one after the other, to be written at #size in the file: one buffer for them all, since a buffer for each body grows the allocator as one for each file read does (see fileReader). */
  #block: Buffer | undefined;
  #blockBytes = 0;

  /** In a file of its own, or in `fd`, a file another thread made. */
  constructor(fd?: number) {
    this.#fd = fd;
  }

  /** Where `body` and its summary went, or null to keep them in memory. */
  add(body: string, summary: string): Spilled | null {
    if (this.#failed) return null;
    this.#fd ??= spillFile();
    if (this.#fd === undefined) {
      this.#failed = true;
      return null;
    }
    this.#block ??= Buffer.allocUnsafeSlow(WRITE_BLOCK_BYTES);
    const bytes = Buffer.byteLength(body, "utf8");
    const summaryBytes = Buffer.byteLength(summary, "utf8");
    if (this.#blockBytes + bytes + summaryBytes > this.#block.length) {
      this.#flush();
      if (this.#failed) return null;
      if (bytes + summaryBytes > this.#block.length) this.#block = Buffer.allocUnsafeSlow(bytes + summaryBytes);
    }
    const start = this.#size + this.#blockBytes;
    this.#blockBytes += this.#block.write(body, this.#blockBytes, "utf8");
    this.#blockBytes += this.#block.write(summary, this.#blockBytes, "utf8");
    return { start, bytes, summaryBytes };
  }

  /** Write out what waits, for another thread to read: how many bytes the file holds (bodies past them stayed in memory). */
  handOver(): number {
    this.#flush();
    return this.#size;
  }

  read(start: number, bytes: number): string {
    if (start + bytes > this.#size) this.#flush();
    if (start < this.#size) return readText(this.#fd!, start, bytes);
    // A block the temporary folder had no room for.
    return this.#block!.toString("utf8", start - this.#size, start - this.#size + bytes);
  }

  #flush(): void {
    if (this.#blockBytes === 0 || this.#failed) return;
    try {
      if (writeSync(this.#fd!, this.#block!, 0, this.#blockBytes, this.#size) < this.#blockBytes) throw new Error("a short write");
    } catch {
      this.#failed = true;
      return;
    }
    this.#size += this.#blockBytes;
    this.#blockBytes = 0;
  }
}

/**
 * Whole files read into one buffer, reused: a view of it, good until the
 * next read. A buffer a file, freed only when the collector came to it,
 * left a parse thread's share of the allocator 17 MB larger at 50,000
 * articles, memory the process keeps after the thread ends.
 */
function fileReader(): (path: string) => Buffer {
  let buffer = Buffer.allocUnsafeSlow(1 << 16);
  return (path) => {
    const fd = openSync(path, "r");
    try {
      for (let size = 0; ; ) {
        if (size === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafeSlow(buffer.length)]);
        const read = readSync(fd, buffer, size, buffer.length - size, null);
        if (read === 0) return buffer.subarray(0, size);
        size += read;
      }
    } finally {
      closeSync(fd);
    }
  };
}

/** A record whose body and summary, most of what it holds, are read from a file only when asked for. */
class SavedRecord extends RecordFields implements LoadedRecord {
  readonly #bodies: Bodies;
  readonly #start: number;
  readonly #bytes: number;
  readonly #summaryBytes: number;

  constructor(fields: Omit<ArticleRecord, "body">, bodies: Bodies, { start, bytes, summaryBytes }: Spilled) {
    super(fields);
    this.#bodies = bodies;
    this.#start = start;
    this.#bytes = bytes;
    this.#summaryBytes = summaryBytes;
  }

  // Read anew each time rather than kept: a page shows a body once or twice a build, and a large archive's bodies would fill memory.
  get body(): string {
    return this.#bodies.read(this.#start, this.#bytes);
  }

  // Likewise: a summary is shown on four pages or so, and held, the summaries were a fifth of a large archive's memory.
  get summary(): string {
    return this.#bodies.read(this.#start + this.#bytes, this.#summaryBytes);
  }
}

/** A body and its summary kept in memory, laid out as a spill would lay them out: for a parse whose body no file could take. */
function inMemory(body: string, summary: string): { bodies: Bodies; spilled: Spilled } {
  const text = Buffer.from(body + summary, "utf8");
  const bytes = Buffer.byteLength(body, "utf8");
  return { bodies: { read: (start, length) => text.toString("utf8", start, start + length) }, spilled: { start: 0, bytes, summaryBytes: text.length - bytes } };
}

/** The record's fields without its body. */
function fieldsOf(record: ArticleRecord): Omit<ArticleRecord, "body"> {
  return Object.fromEntries(RECORD_FIELDS.map((field) => [field, record[field]])) as Omit<ArticleRecord, "body">;
}

// A restored parse is of a well-formed file: one empty list serves them all.
const NO_PROBLEMS = Object.freeze([]) as unknown as ParseResult["problems"];

const NO_ALIASES = Object.freeze([]) as unknown as string[];

function firstLine(bytes: Buffer): unknown {
  const end = bytes.indexOf(0x0a);
  return end < 0 ? undefined : JSON.parse(bytes.toString("utf8", 0, end));
}

/** An article file found under the articles folder. */
interface Entry {
  /** Absolute path, a link's target for a symlink. */
  path: string;
  /** Path below the articles folder, `/`-separated, as messages show it. */
  name: string;
}

const CONTROL = /\p{Cc}/u;

/**
 * The article files of a folder and its subfolders, in a fixed order
 * whatever the file system's, and a problem for every other entry. Hidden
 * files and folders (`.DS_Store`, an editor's swap file, `.git`) are
 * passed over. A symbolic link is followed when it leads to a file inside
 * the folder; one leading out of it could publish any file of the machine.
 */
function articleEntries(dir: string): { entries: Entry[]; pictures: Entry[]; problems: (Omit<Diagnostic, "file"> & { name: string })[] } {
  const root = realpathSync(dir);
  const entries: Entry[] = [];
  const pictures: Entry[] = [];
  const problems: (Omit<Diagnostic, "file"> & { name: string })[] = [];
  const visit = (folder: string, prefix: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const name = `${prefix}${entry.name}`;
      const path = join(folder, entry.name);
      const problem = (message: string) => problems.push({ name, line: 1, message });
      if (CONTROL.test(entry.name)) {
        // Shown escaped, so that the message stays one line.
        problems.push({ name: `${prefix}${JSON.stringify(entry.name).slice(1, -1)}`, line: 1, message: `expected a file name without control characters, found ${JSON.stringify(entry.name)}` });
        continue;
      }
      if (entry.isDirectory()) {
        visit(path, `${name}/`);
        continue;
      }
      let target = path;
      if (entry.isSymbolicLink()) {
        try {
          target = realpathSync(path);
        } catch {
          problem("expected a link to an article file, found a link that leads nowhere");
          continue;
        }
        if (!within(target, root) || !statSync(target).isFile()) {
          problem(`expected a link to an article file inside the articles folder, found a link to ${target}`);
          continue;
        }
      }
      if (isPicture(entry.name)) {
        pictures.push({ path: target, name });
        continue;
      }
      if (!readerFor(entry.name)) {
        const dot = entry.name.lastIndexOf(".");
        problem(`expected an article file (a .txt export or a .md record) or its photo (.jpg, .png, .webp), found ${dot > 0 ? `a ${entry.name.slice(dot)} file` : "a file without an extension"}`);
        continue;
      }
      entries.push({ path: target, name });
    }
  };
  visit(root, "");
  const byName = (a: Entry, b: Entry) => compareText(a.name, b.name);
  return { entries: entries.sort(byName), pictures: pictures.sort(byName), problems };
}

function isPicture(name: string): boolean {
  const dot = name.lastIndexOf(".");
  return dot > 0 && PHOTO_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}

/** `2021/000_x.txt` -> `2021/000_x`: the name a picture beside it shares. */
function withoutExtension(name: string): string {
  return name.slice(0, name.lastIndexOf("."));
}

/**
 * One file's parse, the fields copied out of the file's text: a
 * well-formed record's fields apart, with its summary, and where its body
 * and summary went in `spill` (null: nowhere yet).
 */
function parseSpilled(bytes: Uint8Array, name: string, spill: BodySpill): { parsed: Parsed; fields: Omit<ArticleRecord, "body"> | null; summary: string; spilled: Spilled | null } {
  const result = parseFile(bytes, name);
  const { record } = result;
  if (!record) return { parsed: { result, url: "" }, fields: null, summary: "", spilled: null };
  // Copied through JSON: a field cut from the file's text by V8 would keep the whole text alive.
  const [fields, url] = JSON.parse(JSON.stringify([fieldsOf(record), articleUrl(record)])) as [Omit<ArticleRecord, "body">, string];
  const summary = excerpt(firstParagraph(record.body));
  return { parsed: { result, url }, fields, summary, spilled: spill.add(record.body, summary) };
}

// A thread costs about half a second to start: it pays for this many files.
const FILES_FOR_A_THREAD = 2000;
const PARSE_WORKER = new URL("./parse-worker.ts", import.meta.url);

/**
 * The heap of a parse thread: what it keeps is its list of files and a
 * message's parses, and unbounded, its heap grew with the garbage of its
 * parses instead, 225 MB beside the 350 MB the whole load keeps at 200,000
 * articles. A thread that needs more fails, and load() parses what it left.
 */
function parseThreadLimits(files: number): ResourceLimits {
  return { maxOldGenerationSizeMb: 48 + Math.ceil((files * 500) / 2 ** 20), maxYoungGenerationSizeMb: 16 };
}

/** A file to parse, with its metadata when it was listed. */
interface Pending extends Entry {
  metadata: Omit<Seen, "key">;
}

/** A parse thread's work: read and parse `files`, writing their bodies to `fd`, a file the thread giving the work made (a worker thread's own descriptors close when it ends). */
export interface ThreadWork {
  files: Pending[];
  fd: number;
}

/** What a parse thread sends back, a message per PARSES_PER_MESSAGE files: parses whose bodies it wrote out, and how many bytes of bodies it has written. */
export interface ThreadParses {
  written: number;
  parses: ({ path: string; seen: Seen; fields: Omit<ArticleRecord, "body">; url: string; headlineLine?: number; problems: ParseResult["problems"] } & Spilled)[];
}

// A thread's parses go in messages of this many files, which the thread giving the work takes in between its own
// parses: sent all at once, a thread's share was in memory twice over (in each thread) and once more in transit.
const PARSES_PER_MESSAGE = 2000;

/** Do a parse thread's work, leaving out any file it cannot parse, and `send` its parses as they are made. */
export function parseInThread({ files, fd }: ThreadWork, send: (parses: ThreadParses) => void): void {
  const spill = new BodySpill(fd);
  const read = fileReader();
  let parses: ThreadParses["parses"] = [];
  files.forEach(({ path, name, metadata }, i) => {
    try {
      const bytes = read(path);
      const { parsed, fields, spilled } = parseSpilled(bytes, name, spill);
      if (fields && spilled) {
        const seen = { ...metadata, key: cacheKey(bytes, name) };
        const { headlineLine, problems } = parsed.result;
        parses.push({ path, seen, fields, url: parsed.url, headlineLine, problems, ...spilled });
      }
    } catch {
      // Left to load(), which says what is wrong.
    }
    if ((i + 1) % PARSES_PER_MESSAGE === 0 || i + 1 === files.length) {
      send({ written: spill.handOver(), parses });
      parses = [];
    }
  });
}

/** What reading a file failed on, when the machine is at fault and not the file. */
function unreadable(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "EACCES" || code === "EPERM" || code === "EIO" ? `expected a file this user can read, found ${code === "EIO" ? "an input/output error" : "permission denied"} (${code})` : undefined;
}

// Uncollected, a load of 200,000 articles ended with 159 MB of garbage beside the 391 MB it kept.
const FILES_BETWEEN_COLLECTIONS = 50_000;

/**
 * The parses of one process and what it saves of them: a build parses each
 * file once, a rebuild under Eleventy's `--serve` re-parses only files whose bytes
 * changed, and a later build restores what an earlier one saved. Created
 * by whoever loads an archive and handed to the loaders, never shared
 * through the module.
 */
export class ParseCache {
  /** Parsed files by content key. */
  readonly #parsed = new Map<string, Parsed>();
  /** Well-formed article files by absolute path. */
  readonly #seenFiles = new Map<string, Seen>();
  /** Picture headers by absolute path, with the metadata they were read at. */
  readonly #pictures = new Map<string, Omit<Seen, "key"> & { read: PictureFile | { problem: string } }>();
  // What the last load found: the content keys of its well-formed files and
  // those of them whose metadata can be trusted, which a saved cache keeps.
  #lastLoad: { keys: string[]; files: [string, Seen][] } = { keys: [], files: [] };
  // Whether anything was parsed that a saved cache does not hold yet.
  #unsaved = false;
  /** The bodies of the files parsed here rather than restored. */
  readonly #spill = new BodySpill();
  readonly #read = fileReader();
  #saved: { dir: string; parser: string; generation: string; keys: Set<string> } | undefined;
  /** What the last load's records and URL ledger were made into (the site model), which a load of the very same gives again. */
  lastModel: { records: SourcedRecord[]; ledger: unknown; model: unknown } | undefined;
  /** One string for each section, date, source and credit, however many records name it. */
  readonly #shared = new Map<string, string>();
  readonly #collect: () => void;

  /**
   * `collect` is called every FILES_BETWEEN_COLLECTIONS files a load looks
   * at: listing and checking the files leaves garbage the size of the
   * archive's records, which a build collects (see garbageCollector).
   */
  constructor(collect: () => void = () => {}) {
    this.#collect = collect;
  }

  #one(text: string): string;
  #one(text: string | null): string | null;
  #one(text: string | null): string | null {
    if (text === null) return null;
    const known = this.#shared.get(text);
    if (known !== undefined) return known;
    this.#shared.set(text, text);
    return text;
  }

  /**
   * A record of fields copied out of a file or a saved parse, which would
   * each hold strings of their own: a million articles name a few sections,
   * sources and days, held here once each (3 MB less at 50,000 articles).
   */
  #savedRecord(fields: Omit<ArticleRecord, "body">, bodies: Bodies, spilled: Spilled): SavedRecord {
    const { section, date, updated, source, credit, aliases } = fields;
    const shared = { ...fields, section: this.#one(section), date: this.#one(date), updated: this.#one(updated), source: this.#one(source), credit: this.#one(credit), aliases: aliases.length > 0 ? aliases : NO_ALIASES };
    return new SavedRecord(shared, bodies, spilled);
  }

  #parseKeyed(bytes: Uint8Array, name: string): { key: string; result: ParseResult } {
    const key = cacheKey(bytes, name);
    let entry = this.#parsed.get(key);
    if (!entry) {
      const { parsed, fields, summary, spilled } = parseSpilled(bytes, name, this.#spill);
      const kept = fields && (spilled ? { bodies: this.#spill, spilled } : inMemory(parsed.result.record!.body, summary));
      entry = fields && kept ? { ...parsed, result: { ...parsed.result, record: this.#savedRecord(fields, kept.bodies, kept.spilled) } } : parsed;
      this.#parsed.set(key, entry);
      this.#unsaved = true;
    }
    return { key, result: entry.result };
  }

  /** Trust a file's metadata from now on, unless it changed too lately for its times to tell a later change. */
  #remember(path: string, seen: Seen, loadedAt: number): void {
    if (loadedAt - Math.max(seen.mtimeMs, seen.ctimeMs) > TIMESTAMP_GRAIN_MS) this.#seenFiles.set(path, seen);
    else this.#seenFiles.delete(path);
  }

  /** Read and parse a file the cache does not hold. */
  #readAnew(path: string, name: string, metadata: Omit<Seen, "key">, loadedAt: number): { seen: Seen; result: ParseResult } {
    const { key, result } = this.#parseKeyed(this.#read(path), name);
    const seen = { ...metadata, key };
    if (result.record) this.#remember(path, seen, loadedAt);
    return { seen, result };
  }

  /**
   * Parse on every core the files of `dir` the cache does not hold yet:
   * this thread and worker threads share them, each thread's bodies in a
   * temporary file of its own, which this one reads. A file a thread could
   * not parse, or whose body it could not write out, is left to load(),
   * which parses it here and reports what is wrong with it. Returns how
   * many files the worker threads parsed.
   */
  async prime(dir: string, threads = availableParallelism(), filesForAThread = FILES_FOR_A_THREAD): Promise<number> {
    // A file changed after it was listed has other metadata by the time load() looks again, which then reads it anew.
    const pending: Pending[] = [];
    try {
      for (const entry of articleEntries(resolve(dir)).entries) {
        const stat = statSync(entry.path, { throwIfNoEntry: false });
        if (stat && !this.#stillSeen(entry.path, stat)) pending.push({ ...entry, metadata: metadataOf(stat) });
      }
    } catch {
      // A folder that cannot be listed is load()'s to report.
      return 0;
    }
    const shares = Math.min(threads, Math.floor(pending.length / filesForAThread) + 1);
    if (shares < 2) return 0;
    const share = (i: number) => pending.filter((_, j) => j % shares === i);
    const loadedAt = Date.now();
    let parsedInThreads = 0;
    const take = (read: Bodies, { written, parses }: ThreadParses) => {
      for (const { path, seen, fields, url, headlineLine, problems, start, bytes, summaryBytes } of parses) {
        if (start + bytes + summaryBytes > written || this.#parsed.has(seen.key)) continue;
        this.#parsed.set(seen.key, { result: { record: this.#savedRecord(fields, read, { start, bytes, summaryBytes }), headlineLine, problems }, url });
        this.#unsaved = true;
        this.#remember(path, seen, loadedAt);
        parsedInThreads++;
      }
    };
    // A thread that fails leaves the files it sent no parses of to load().
    const threadsDone = Array.from({ length: shares - 1 }, async (_, i) => {
      const fd = spillFile();
      if (fd === undefined) return;
      const read = savedBodies(fd);
      const files = share(i + 1);
      await fromThread<ThreadParses>(PARSE_WORKER, { files, fd } satisfies ThreadWork, (parses) => take(read, parses), parseThreadLimits(files.length)).catch(() => {});
    });
    for (const [i, { path, name, metadata }] of share(0).entries()) {
      try {
        this.#readAnew(path, name, metadata, loadedAt);
      } catch {
        // load() meets it again and says what is wrong.
      }
      // The threads' messages are taken in between.
      if ((i + 1) % PARSES_PER_MESSAGE === 0) await new Promise((resolvePromise) => setImmediate(resolvePromise));
      if ((i + 1) % Math.ceil(FILES_BETWEEN_COLLECTIONS / shares) === 0) this.#collect();
    }
    await Promise.all(threadsDone);
    return parsedInThreads;
  }

  #stillSeen(path: string, stat: Stats): Seen | undefined {
    const seen = this.#seenFiles.get(path);
    if (!seen || !sameMetadata(seen, stat)) return undefined;
    return this.#parsed.has(seen.key) ? seen : undefined;
  }

  /**
   * Seed the caches from what an earlier build with the same parser saved, so a
   * rebuild of a large archive reads and parses only the files that changed.
   */
  restore(dir: string, parser: string): void {
    const keys = new Set<string>();
    let generation: string;
    // Whether the saved parses were read to their end: only then are later parses appended to them.
    let whole = false;
    let heads: number | undefined;
    try {
      heads = openSync(join(dir, PARSES_FILE), "r");
      let saved: { bodies: Bodies; size: number } | undefined;
      eachLine(heads, (line) => {
        if (!saved) {
          const [savedParser, savedGeneration] = JSON.parse(line) as [string, string];
          const bodies = openSync(join(dir, BODIES_FILE), "r");
          const bodiesHead = Buffer.alloc(JSON.stringify(savedGeneration).length + 1);
          readSync(bodies, bodiesHead, 0, bodiesHead.length, 0);
          if (savedParser !== parser || firstLine(bodiesHead) !== savedGeneration) {
            closeSync(bodies);
            return false;
          }
          generation = savedGeneration;
          saved = { bodies: savedBodies(bodies), size: fstatSync(bodies).size };
          return true;
        }
        const [key, headlineLine, fields, url, start, bytes, summaryBytes] = JSON.parse(line) as SavedParse;
        if (start + bytes + summaryBytes > saved.size) throw new Error("a body cut short");
        keys.add(key);
        if (!this.#parsed.has(key)) this.#parsed.set(key, { result: { record: this.#savedRecord(fields, saved.bodies, { start, bytes, summaryBytes }), headlineLine, problems: NO_PROBLEMS }, url });
        return true;
      });
      whole = saved !== undefined;
    } catch {
      // No cache yet, or one cut short by a killed build: what came before the cut still counts.
    } finally {
      if (heads !== undefined) closeSync(heads);
    }
    if (keys.size === 0) return;
    this.#saved = whole ? { dir, parser, generation: generation!, keys } : undefined;
    try {
      let head = true;
      readLines(join(dir, FILES_FILE), (line) => {
        if (head) {
          head = false;
          if (line !== parser) throw new Error("another parser's");
        } else {
          const [path, seen] = line as [string, Seen];
          if (keys.has(seen.key)) this.#seenFiles.set(path, seen);
        }
      });
    } catch {
      // Without it, or past where a killed save cut it short, files are read once more.
    }
  }

  /**
   * Save what the last load parsed that is not saved yet, and the metadata of
   * its files. Processes that may save at the same time must take turns.
   */
  save(dir: string, parser: string): void {
    mkdirSync(dir, { recursive: true });
    const { files } = this.#lastLoad;
    writeLines(
      join(dir, FILES_FILE),
      (function* () {
        yield parser;
        yield* files;
      })(),
    );
    const live = this.#lastLoad.keys;
    // Appending while most saved parses are still of use; otherwise writing anew without the dead ones.
    const saved = this.#saved;
    const append = saved?.dir === dir && saved.parser === parser && saved.keys.size <= 2 * live.length;
    if (append && !this.#unsaved) return;
    this.#unsaved = false;
    const generation = append ? saved!.generation : randomUUID();
    const keys = append ? saved!.keys : new Set<string>();
    // Written anew beside the old files and put in their place, which the bodies of restored records still read.
    const [parsesPath, bodiesPath] = [PARSES_FILE, BODIES_FILE].map((name) => join(dir, append ? name : `${name}.new`));
    const heads = openSync(parsesPath, append ? "a" : "w");
    const bodies = openSync(bodiesPath, append ? "a" : "w");
    try {
      if (!append) {
        writeSync(heads, `${JSON.stringify([parser, generation])}\n`);
        writeSync(bodies, `${JSON.stringify(generation)}\n`);
      }
      let bodyStart = fstatSync(bodies).size;
      // Written a block at a time, each block's bodies before its parses: a parse is never saved before its body.
      let block: { bodies: Buffer[]; heads: string[]; bytes: number } = { bodies: [], heads: [], bytes: 0 };
      const writeBlock = () => {
        writeSync(bodies, Buffer.concat(block.bodies, block.bytes));
        writeSync(heads, block.heads.join(""));
        block = { bodies: [], heads: [], bytes: 0 };
      };
      for (const key of live) {
        if (keys.has(key)) continue;
        const { result, url } = this.#parsed.get(key)!;
        const record = result.record as SavedRecord;
        const body = Buffer.from(record.body, "utf8");
        const summary = Buffer.from(record.summary, "utf8");
        block.bodies.push(body, summary);
        block.heads.push(`${JSON.stringify([key, result.headlineLine ?? 1, fieldsOf(record), url, bodyStart, body.length, summary.length] satisfies SavedParse)}\n`);
        block.bytes += body.length + summary.length;
        bodyStart += body.length + summary.length;
        keys.add(key);
        if (block.bytes >= WRITE_BLOCK_BYTES) writeBlock();
      }
      writeBlock();
    } finally {
      closeSync(heads);
      closeSync(bodies);
    }
    if (!append) {
      renameSync(bodiesPath, join(dir, BODIES_FILE));
      renameSync(parsesPath, join(dir, PARSES_FILE));
    }
    this.#saved = { dir, parser, generation, keys };
  }

  /** Read every article of a folder, collecting the problems of all bad files. */
  load(dir: string, cwd = process.cwd()): Loaded {
    const records: SourcedRecord[] = [];
    const problems: Diagnostic[] = [];
    const folder = resolve(dir);
    const shown = relative(cwd, folder);
    const shownName = (name: string) => (shown ? `${shown}${sep}${name}` : name);
    const loadedAt = Date.now();
    this.#lastLoad = { keys: [], files: [] };
    const listed = articleEntries(folder);
    for (const { name, ...p } of listed.problems) problems.push({ file: shownName(name), ...p });
    const named: { name: string; sourced: SourcedRecord }[] = [];
    for (const [i, { path, name }] of listed.entries.entries()) {
      if (i > 0 && i % FILES_BETWEEN_COLLECTIONS === 0) this.#collect();
      const file = shownName(name);
      let seen: Seen | undefined;
      try {
        const stat = statSync(path);
        seen = this.#stillSeen(path, stat);
        if (!seen) {
          const anew = this.#readAnew(path, name, metadataOf(stat), loadedAt);
          if (!anew.result.record) {
            for (const p of anew.result.problems) problems.push({ file, ...p });
            continue;
          }
          seen = anew.seen;
        }
      } catch (error) {
        const message = unreadable(error);
        if (!message) throw error;
        problems.push({ file, line: 1, message, environment: true });
        continue;
      }
      const { result, url } = this.#parsed.get(seen.key)!;
      this.#lastLoad.keys.push(seen.key);
      if (this.#seenFiles.get(path) === seen) this.#lastLoad.files.push([path, seen]);
      const record = result.record as SavedRecord;
      const sourced = { record, id: record.id ?? fileStem(name), file, headlineLine: result.headlineLine ?? 1, contentKey: seen.key, url, photo: null };
      records.push(sourced);
      named.push({ name, sourced });
    }
    this.#findPhotos(listed.pictures, named, shownName, problems);
    return { records, problems };
  }

  /** A picture's header, read again only when its file changed. */
  #picture(path: string): PictureFile | { problem: string } {
    const stat = statSync(path);
    const known = this.#pictures.get(path);
    if (known && sameMetadata(known, stat)) return known.read;
    const read = readPicture(readFileSync(path));
    this.#pictures.set(path, { ...metadataOf(stat), read });
    return read;
  }

  /** Give each record its photo: the picture a record's `image:` names, or the one beside it with its stem. Every picture must be some article's. */
  #findPhotos(pictures: Entry[], named: { name: string; sourced: SourcedRecord }[], shownName: (name: string) => string, problems: Diagnostic[]): void {
    const byName = new Map(pictures.map((picture) => [picture.name, picture]));
    const byStem = new Map<string, Entry[]>();
    for (const picture of pictures) {
      const stem = withoutExtension(picture.name);
      byStem.set(stem, [...(byStem.get(stem) ?? []), picture]);
    }
    const claimed = new Set<string>();
    for (const { name, sourced } of named) {
      const { image, caption, headline } = sourced.record;
      const beside = image ? [] : (byStem.get(withoutExtension(name)) ?? []);
      beside.forEach((picture) => claimed.add(picture.name));
      const picture = image ? byName.get(posix.join(posix.dirname(name), image.src)) : beside[0];
      if (image && !picture) {
        problems.push({ file: sourced.file, line: 1, message: `expected the picture ${image.src} that image: names, found no such file in the articles folder` });
        continue;
      }
      if (beside.length > 1) {
        problems.push({ file: sourced.file, line: 1, message: `expected one picture named like the article, found ${beside.map((p) => shownName(p.name)).join(" and ")}` });
        continue;
      }
      if (!picture) continue;
      claimed.add(picture.name);
      const read = this.#picture(picture.path);
      if ("problem" in read) problems.push({ file: shownName(picture.name), line: 1, message: read.problem });
      // An export's alt text is its caption; a picture without one stands for its headline.
      else sourced.photo = { ...read, url: photoUrl(read.hash), alt: image?.alt ?? caption ?? headline, path: picture.path, file: shownName(picture.name) };
    }
    for (const picture of pictures) {
      if (!claimed.has(picture.name)) {
        const stem = basename(withoutExtension(picture.name));
        problems.push({ file: shownName(picture.name), line: 1, message: `expected the photo of an article (${stem}.txt or ${stem}.md beside it, or a record whose image: names it), found no such article` });
      }
    }
  }
}

/** `2021/000_52ce23d16fbdbab1.txt` -> `000_52ce23d16fbdbab1` */
export function fileStem(file: string): string {
  return withoutExtension(basename(file));
}

/** A record as the file it is written to. */
export interface RecordFile {
  name: string;
  text: string;
}

/** `000_x.txt` -> `000_x.md`: a record keeps the base name of the article file it comes from. */
export function recordName(file: string): string {
  return `${fileStem(file)}.md`;
}

/** The records of a folder's articles as `.md` files, or the problems of every bad file. */
export function loadRecordFiles(dir: string, cwd = process.cwd()): { files: RecordFile[]; problems: Diagnostic[] } {
  const { records, problems } = new ParseCache().load(dir, cwd);
  const byName = new Map<string, SourcedRecord>();
  for (const item of records) {
    const name = recordName(item.file);
    const first = byName.get(name);
    if (first) problems.push({ file: item.file, line: 1, message: `expected one article file per record name, found ${first.file} also written as ${name}` });
    else byName.set(name, item);
  }
  return { files: [...byName].map(([name, { record }]) => ({ name, text: writeRecord(record) })), problems };
}
