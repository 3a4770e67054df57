import { hash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { LINKED_FIELDS, type Archive, type ArticleLink, type ArticlePage, type Feed, type ListPage, type Redirect, type SearchShard, type SitemapFile } from "./archive.js";
import { LEDGER_FILE } from "./ledger.js";
import { LineWriter, readLines, writeLines } from "./lines.js";
import type { SiteMetadata } from "./site.js";
import { outputPath, PATHS } from "./urls.js";

/**
 * The plan of a build: which pages it writes. Every article page, list
 * page and feed gets a fingerprint of all it is made from: its own item of
 * the site model, the shared inputs every page sees (site metadata,
 * navigation, fixed URLs) and the code and templates. A build writes only
 * the pages whose fingerprint changed, leaves the others as they are in
 * the previous output, and always writes the one-off pages (home, archive
 * index, sitemap…), so its output is the same as a full build's.
 */

const MANIFEST_VERSION = 7;
const MANIFEST_KIND = "build";

/** What a build of this code (see readManifest) left. */
export interface Manifest {
  /** Output page URL -> fingerprint. */
  pages: Map<string, string>;
  /** Every file of the output, relative to it. */
  files: string[];
}

// A list, not arguments: a year of a million-article archive is more articles than a call can take arguments.
function sha(parts: readonly string[]): string {
  return hash("sha256", parts.join("\0"), "base64url");
}

function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The project's own code and dependencies: everything a parse of an article file is made by. */
function sourceFiles(projectDir: string): string[] {
  return [
    join(projectDir, "package-lock.json"),
    // The check shapes no page: its kept findings have a key of their own (check/facts.ts).
    ...filesBelow(join(projectDir, "src")).filter((file) => !file.startsWith(join(projectDir, "src", "check") + sep)),
  ];
}

function fingerprintOf(projectDir: string, files: string[]): string {
  return sha(files.flatMap((file) => [file.slice(projectDir.length), existsSync(file) ? readFileSync(file, "utf8") : ""]));
}

/** A fingerprint of everything besides the articles that shapes the output: code, templates, page templates, dependencies. */
export function codeFingerprint(project: string): string {
  // Absolute, so that the build's and the check's fingerprints agree however each names the project folder.
  const projectDir = resolve(project);
  const contentDir = join(projectDir, "content");
  return fingerprintOf(projectDir, [
    join(projectDir, ".eleventy.ts"),
    ...sourceFiles(projectDir),
    ...filesBelow(join(projectDir, "templates")),
    ...readdirSync(contentDir, { withFileTypes: true })
      // The ledger is data: what it changes (redirects) has fingerprints of its own.
      .filter((entry) => entry.isFile() && !entry.name.startsWith(LEDGER_FILE))
      .map((entry) => join(contentDir, entry.name))
      .sort(),
  ]);
}

/** A fingerprint of what parses article files, which keys the saved parses: a template edit leaves them good. */
export function parserFingerprint(project: string): string {
  const projectDir = resolve(project);
  return fingerprintOf(projectDir, sourceFiles(projectDir));
}

/**
 * What every fingerprint is made of. What follows from one article file's
 * content stands in a fingerprint as the article's key, so that a large
 * archive is not written out and hashed on every build; where a file lies
 * shows on no page, and moving the archive rewrites none.
 */
interface FingerprintInputs {
  /** The inputs every page sees: code, site metadata, navigation, fixed URLs. */
  shared: string;
  /** By article URL: its content key, its id (in the feeds) and its photo (on every page that lists it), which come from beside its file's content. */
  keyOf: (url: string) => string;
}

function fingerprintInputs(archive: Archive, site: SiteMetadata, code: string): FingerprintInputs {
  // Keys are made when asked for, not kept: at 200,000 articles a map of them held 25 MB through the plan.
  const articleAt = new Map(archive.articles.map((article) => [article.url, article]));
  return {
    shared: sha([code, JSON.stringify(site), JSON.stringify(archive.nav), JSON.stringify(PATHS)]),
    keyOf: (url) => {
      const { contentKey, id, photo } = articleAt.get(url)!;
      return `${contentKey} ${id} ${photo ? `${photo.hash} ${photo.alt}` : ""}`;
    },
  };
}

/**
 * The fingerprint of every page, search index and photo folder, one by one:
 * the plan keeps none of them (at 241,000 pages a map of them was 20 MB of
 * the plan's peak), it compares each with the previous build's and hands it
 * to the manifest. An article page is its own key and those of the
 * articles it links to, a list page or feed the keys of the articles it
 * lists, a redirect its target.
 *
 * A search shard's index is the keys of the articles it indexes. Pagefind
 * reads only an article's own part of its page (its `data-pagefind-body`),
 * not the links to other articles around it, so a new article that changes
 * its neighbours' "More from" lists re-indexes its own shard and not
 * theirs. A photo's folder of renditions is its content hash, which names
 * the folder.
 */
function* fingerprintsOf(archive: Archive, shards: SearchShard[], { shared, keyOf }: FingerprintInputs): Generator<[string, string]> {
  const keyOfLink = (link: string | ArticleLink | null) => (link === null ? "" : keyOf(typeof link === "string" ? link : link.url));
  for (const article of archive.articles) {
    const linked = LINKED_FIELDS.map((field) => {
      const value = article[field];
      return Array.isArray(value) ? value.map(keyOfLink).join(" ") : keyOfLink(value);
    });
    yield [article.url, sha([shared, article.contentKey, ...linked])];
  }
  for (const pages of [archive.listPages, archive.feeds]) {
    for (const page of pages) {
      const { articles, ...rest } = page;
      yield [page.url, sha([shared, JSON.stringify(rest), ...articles.map((listed) => keyOf(listed.url))])];
    }
  }
  for (const redirect of archive.redirects) yield [redirect.url, sha([shared, JSON.stringify(redirect)])];
  for (const shard of shards) yield [shard.url, sha([shared, ...shard.articles.flatMap((url) => [url, keyOf(url)])])];
  for (const photo of archive.photos) yield [photo.url, photo.hash];
}

/** Where the project keeps what builds remember, apart from the site. */
export function cacheDir(projectDir: string): string {
  return join(projectDir, "node_modules", ".cache", "news-archive");
}

/** Where the photos' renditions are kept, by picture content, for every site built from the project. */
export function photoCacheDir(projectDir: string): string {
  return join(cacheDir(projectDir), "photos");
}

/** A file kept about one site folder, `kind-HASH.json`: a build's manifest, a check's findings. Sites do not evict each other's. */
export function siteCachePath(projectDir: string, kind: string, site: string): string {
  return join(cacheDir(projectDir), `${kind}-${sha([resolve(site)]).slice(0, 16)}.json`);
}

/** Where the manifest of an output folder is kept. */
export function manifestPath(projectDir: string, out: string): string {
  return siteCachePath(projectDir, MANIFEST_KIND, out);
}

/**
 * The manifest's file (see lines.ts): a first line of its version and code
 * fingerprint, a `[url, fingerprint]` line per page, then a line per file.
 * A large site's manifest as one JSON text was the peak of its build: at
 * 241,000 pages the text and the object it was made from took 116 MB.
 */
type ManifestLine = { version: number; code: string } | [string, string] | string;

/** The manifest at `path` of a build by this code; none when another wrote it, since changed code or templates may change any file, or stop writing one. */
export function readManifest(path: string, code: string): Manifest | undefined {
  let manifest: Manifest | undefined;
  try {
    readLines(path, (value) => {
      const line = value as ManifestLine;
      if (!manifest) {
        if (typeof line !== "object" || Array.isArray(line) || line.version !== MANIFEST_VERSION || line.code !== code) throw new Error("another build");
        manifest = { pages: new Map(), files: [] };
      } else if (Array.isArray(line)) manifest.pages.set(line[0], line[1]);
      else if (typeof line === "string") manifest.files.push(line);
      else throw new Error("a second head");
    });
    return manifest;
  } catch {
    return undefined;
  }
}

// Files kept about sites not built or checked for this long go: tests and trials leave many behind.
const SITE_CACHE_LIFETIME_MS = 30 * 24 * 3600 * 1000;

/** Remove the files of `kind` (see siteCachePath) in `dir` not written for SITE_CACHE_LIFETIME_MS. */
export function removeStale(dir: string, kind: string): void {
  const now = Date.now();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const other = join(entry.parentPath, entry.name);
    if (entry.isFile() && entry.name.startsWith(`${kind}-`) && now - statSync(other).mtimeMs > SITE_CACHE_LIFETIME_MS) rmSync(other, { force: true });
  }
}

/**
 * A manifest written in two steps: its pages as the plan makes their
 * fingerprints, and its files once the site is in place, when the manifest
 * takes its place whole (one cut short by a crash would be read as one of
 * fewer pages).
 */
export class PendingManifest {
  readonly #path: string;
  readonly #pending: string;
  readonly #lines: LineWriter;

  constructor(path: string, code: string) {
    mkdirSync(dirname(path), { recursive: true });
    removeStale(dirname(path), MANIFEST_KIND);
    this.#path = path;
    this.#pending = `${path}.new`;
    this.#lines = new LineWriter(this.#pending);
    this.#lines.write({ version: MANIFEST_VERSION, code } satisfies ManifestLine);
  }

  readonly page = (url: string, fingerprint: string): void => this.#lines.write([url, fingerprint] satisfies ManifestLine);

  /** The pages are all written: the file is closed until the site is in place. */
  closePages(): void {
    this.#lines.close();
  }

  finish(files: string[]): void {
    writeLines(this.#pending, files, "a");
    renameSync(this.#pending, this.#path);
  }
}

export function forgetManifest(path: string): void {
  rmSync(path, { force: true });
}

/**
 * Which pages one Eleventy run writes. A full build writes every page in a
 * few runs of bounded size (Eleventy holds every page of a run in memory);
 * an incremental build writes only the pages whose inputs changed.
 */
export interface RenderSelection {
  articles: ArticlePage[];
  listPages: ListPage[];
  feeds: Feed[];
  /** The pages at URLs the archive published before: redirects, and removed articles' notices. */
  redirects: Redirect[];
  /** The files of a sitemap too large for one, which its index names. */
  sitemapParts: SitemapFile[];
  /** Whether the run writes the one-off pages: home, archive index, sitemap, search, 404, robots, stylesheet. */
  once: boolean;
}

/** What the page templates paginate over. */
export interface RenderData {
  articles: ArticlePage[];
  listPages: ListPage[];
  feeds: Feed[];
  redirects: Redirect[];
  sitemapParts: SitemapFile[];
}

export function everything(archive: Archive): RenderSelection {
  return { articles: archive.articles, listPages: archive.listPages, feeds: archive.feeds, redirects: archive.redirects, sitemapParts: archive.sitemap.parts, once: true };
}

export function renderData(selection: RenderSelection): RenderData {
  return {
    articles: selection.articles,
    listPages: selection.listPages,
    feeds: selection.feeds,
    redirects: selection.redirects,
    sitemapParts: selection.sitemapParts,
  };
}

/**
 * Split a selection into runs of at most `size` pages. The feeds, redirects
 * and one-off pages go with the first, or, when the pages fill more than
 * one run, make a first run of their own, and each file of a sitemap too
 * large for one makes a run after it: a file's 50,000 URLs cost a run as
 * much memory as 1,250 other pages.
 */
export function inRuns(selection: RenderSelection, size: number): RenderSelection[] {
  // The article pages, then the list pages, cut in runs of `size` as one list would be.
  const { articles, listPages } = selection;
  const pages = articles.length + listPages.length;
  const cut = <T>(items: T[], offset: number, start: number) => items.slice(Math.max(0, start - offset), Math.max(0, start + size - offset));
  const none = { articles: [], listPages: [], feeds: [], redirects: [], sitemapParts: [], once: false };
  const apart = pages > size;
  const runs: RenderSelection[] = apart
    ? [
        { ...none, feeds: selection.feeds, redirects: selection.redirects, once: selection.once },
        ...selection.sitemapParts.map((part) => ({ ...none, sitemapParts: [part] })),
      ]
    : [];
  for (let start = 0; start < pages || runs.length === 0; start += size) {
    const first = runs.length === 0;
    runs.push({
      articles: cut(articles, 0, start),
      listPages: cut(listPages, articles.length, start),
      feeds: first ? selection.feeds : [],
      // Small pages of no content, which cost next to nothing.
      redirects: first ? selection.redirects : [],
      sitemapParts: first ? selection.sitemapParts : [],
      once: selection.once && first,
    });
  }
  return runs;
}

/** The files of `sorted` (a manifest's, in code unit order) that start with `prefix`: they lie side by side, found by halving. */
function filesUnder(sorted: string[], prefix: string): string[] {
  let low = 0;
  for (let high = sorted.length; low < high; ) {
    const mid = (low + high) >> 1;
    if (sorted[mid] < prefix) low = mid + 1;
    else high = mid;
  }
  let end = low;
  while (end < sorted.length && sorted[end].startsWith(prefix)) end++;
  return sorted.slice(low, end);
}

/** What a build writes, and what it leaves as the previous build wrote it. */
export interface BuildPlan {
  /** How many of the article and list pages, feeds and redirects stay as they are. */
  keptPages: number;
  /** The previous build's manifest, when this build writes only what changed; otherwise it writes everything. */
  previous: Manifest | undefined;
  /** What the previous build left in the live site that stays as it is, by URL: the files of each unchanged page, index and photo folder. */
  kept: Map<string, string[]>;
  /** The pages the runs write. */
  selection: RenderSelection;
  /** The search indexes and photos to make. */
  shards: SearchShard[];
  photos: Archive["photos"];
}

/**
 * Plan a build over the live site: everything when there is no previous
 * build of this code (see readManifest), otherwise only the pages, indexes
 * and photos whose fingerprint changed or whose files are missing from the
 * live site (deleted by hand). Each fingerprint goes to `record`, the
 * manifest's, as it is made.
 */
export function planBuild(
  archive: Archive,
  site: SiteMetadata,
  code: string,
  { search, live, previous, record }: { search: boolean; live: string; previous: Manifest | undefined; record?: (url: string, fingerprint: string) => void },
): BuildPlan {
  const shards = search ? archive.searchShards : [];
  const unchanged: string[] = [];
  for (const [url, fingerprint] of fingerprintsOf(archive, shards, fingerprintInputs(archive, site, code))) {
    record?.(url, fingerprint);
    if (previous?.pages.get(url) === fingerprint) unchanged.push(url);
  }
  const folders = new Set([...shards, ...archive.photos].map((item) => item.url));
  const kept = new Map<string, string[]>();
  let keptPages = 0;
  for (const url of unchanged) {
    const page = !folders.has(url);
    const files = page ? [outputPath(url).slice(1)] : filesUnder(previous!.files, url.slice(1));
    if (files.length === 0 || !files.every((file) => existsSync(join(live, file)))) continue;
    kept.set(url, files);
    if (page) keptPages++;
  }
  const changed = <T extends { url: string }>(items: T[]) => items.filter((item) => !kept.has(item.url));
  return {
    keptPages,
    previous: kept.size > 0 ? previous : undefined,
    kept,
    selection: { articles: changed(archive.articles), listPages: changed(archive.listPages), feeds: changed(archive.feeds), redirects: changed(archive.redirects), sitemapParts: archive.sitemap.parts, once: true },
    shards: changed(shards),
    photos: changed(archive.photos),
  };
}
