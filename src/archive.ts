import { dateParts, latestPlausibleDate, MONTH_NAMES, readableDate, readableMonth } from "./dates.js";
import { ContentError, type Diagnostic } from "./diagnostics.js";
import { ledgerPath, readLedger, type Ledger } from "./ledger.js";
import { ParseCache, type Loaded, type LoadedRecord, type SourcedRecord } from "./load.js";
import type { Photo } from "./photos.js";
import { RecordFields } from "./record.js";
import { compareText } from "./text.js";
import {
  ARCHIVE_URL,
  FEED_URL,
  HOME_URL,
  PATHS,
  RESERVED_SLUGS,
  SEARCH_INDEX_URL,
  SEARCH_URL,
  dayUrl,
  listPageUrl,
  monthUrl,
  searchIndexUrl,
  sectionFeedUrl,
  sectionSlug,
  sectionUrl,
  sitemapPartUrl,
  SITEMAP_URL,
  yearUrl,
} from "./urls.js";

/**
 * The site model: every page the archive has, computed once from the records
 * so that templates only lay out what is here.
 */

export const PAGE_SIZE = 20;
/** The newest articles after the lead story on the front page, across sections. */
export const FRONT_LATEST = 8;
/** The newest articles of each section's block on the front page. */
export const FRONT_SECTION_SIZE = 4;
export const MORE_FROM_SECTION = 5;
/** Entries per Atom feed. */
export const FEED_SIZE = 50;

/**
 * An article as its pages show it. A class rather than a plain object so
 * that its body stays with its record, read only when a page shows it: a
 * rebuild that writes a few pages of a large archive then never decodes the
 * other bodies from the saved parses.
 */
export class Article extends RecordFields {
  /** Its identity (see SourcedRecord), which Atom entry ids and the URL ledger name it by. */
  declare readonly id: string;
  /** The date of its latest version: the correction's, or else the publication's. */
  readonly modified: string;
  readonly file: string;
  /** The content key of its file (see SourcedRecord): every field but those of LINKED_FIELDS follows from it. */
  readonly contentKey: string;
  readonly url: string;
  /** Its photo, when it has one. */
  readonly photo: Photo | null;
  /** The archived article the sidebar teaser points to, when the archive holds it. */
  teaserUrl: string | null = null;
  readonly #record: LoadedRecord;
  /** Its section's articles, newest first, and its place among them, which its links to its neighbours follow from. */
  #inSection: readonly Article[] = [];
  #place = 0;

  constructor({ record, id, file, contentKey, url, photo }: SourcedRecord) {
    super(record);
    // The record's own id, or its file's stem when it names none.
    (this as { id: string }).id = id;
    this.modified = record.updated ?? record.date;
    this.photo = photo;
    this.file = file;
    this.contentKey = contentKey;
    this.url = url;
    this.#record = record;
  }

  // The fields below follow from the date and the section, and are made when a page asks: held, they
  // would be nine strings an article, though a page reads each once.
  get year(): string {
    return dateParts(this.date).year;
  }

  get month(): string {
    return dateParts(this.date).month;
  }

  get day(): string {
    return dateParts(this.date).day;
  }

  get yearUrl(): string {
    return yearUrl(this.year);
  }

  get monthUrl(): string {
    return monthUrl(this.year, this.month);
  }

  get dayUrl(): string {
    return dayUrl(this.year, this.month, this.day);
  }

  get monthLabel(): string {
    return readableMonth(this.year, this.month);
  }

  get sectionUrl(): string {
    return sectionUrl(this.section);
  }

  get sectionFeedUrl(): string {
    return sectionFeedUrl(this.section);
  }

  // The links to its neighbours are made when a page asks, as the fields above: held, they were 50 MB at 200,000 articles.
  /** The neighbours in its section: older and newer. */
  get older(): ArticleLink | null {
    const older = this.#inSection[this.#place + 1];
    return older ? link(older) : null;
  }

  get newer(): ArticleLink | null {
    return this.#place > 0 ? link(this.#inSection[this.#place - 1]) : null;
  }

  /** The nearest articles in time after the newer and older one the page already links, newer and older alike, newest first. */
  get moreFromSection(): ArticleLink[] {
    const list = this.#inSection;
    const i = this.#place;
    const nearest: number[] = [];
    for (let d = 2; nearest.length < MORE_FROM_SECTION && (i - d >= 0 || i + d < list.length); d++) {
      if (i - d >= 0) nearest.push(i - d);
      if (nearest.length < MORE_FROM_SECTION && i + d < list.length) nearest.push(i + d);
    }
    return nearest.sort((a, b) => a - b).map((j) => link(list[j]));
  }

  /** Place it in its section's articles, newest first. */
  placeIn(section: readonly Article[], place: number): void {
    this.#inSection = section;
    this.#place = place;
  }

  get body(): string {
    return this.#record.body;
  }

  /** The start of the first paragraph, as plain text. */
  get summary(): string {
    return this.#record.summary;
  }
}

/** What an Article computes when asked rather than holds, which a copy must ask for one by one. */
const COMPUTED_FIELDS = ["year", "month", "day", "yearUrl", "monthUrl", "dayUrl", "monthLabel", "sectionUrl", "sectionFeedUrl", "older", "newer", "moreFromSection", "body", "summary"] as const satisfies readonly (keyof Article)[];

/** An article as a page shows it: an Article, or the plain data of one that a render worker is sent, its body read. */
export type ArticlePage = Omit<Pick<Article, keyof Article>, "placeIn">;

/** The article as plain data, body and all. */
export function pageData(article: ArticlePage): ArticlePage {
  const data: Record<string, unknown> = { ...article };
  for (const field of COMPUTED_FIELDS) data[field] = article[field];
  return data as ArticlePage;
}

/** What a list shows of an article, as plain data. */
function listed({ url, headline, date, section, sectionUrl, summary, photo }: ArticleSummary): ArticleSummary {
  return { url, headline, date, section, sectionUrl, summary, photo };
}

/** A list page as plain data, as its page sees it: of each article, what the list shows. */
export function listPageData(page: ListPage): ListPage {
  return { ...page, articles: page.articles.map(listed) };
}

/** The fields of an article that come from other articles, each naming them by URL: the only ones that change while its file does not. */
export const LINKED_FIELDS = ["teaserUrl", "older", "newer", "moreFromSection"] as const satisfies readonly (keyof Article)[];

/**
 * What a list of articles shows of each. The site model's lists hold the
 * articles themselves (a listing object for each was 31 MB of heap at 200,000 articles);
 * the pages see only this (see listPageData), so a change elsewhere in an
 * article leaves them as they are.
 */
export interface ArticleSummary {
  url: string;
  headline: string;
  date: string;
  section: string;
  sectionUrl: string;
  summary: string;
  /** For the thumbnail. */
  photo: Photo | null;
}

/** A section as the navigation and its pages name it. */
export interface NavSection {
  name: string;
  url: string;
  feedUrl: string;
}

export interface ArticleLink {
  headline: string;
  url: string;
  date: string;
}

export interface Section {
  name: string;
  slug: string;
  url: string;
  feedUrl: string;
  articles: Article[];
}

export interface PeriodLink {
  label: string;
  url: string;
}

export interface PeriodSummary extends PeriodLink {
  count: number;
}

/** One page of a list of articles: a section page, or a year, month or day archive. */
export interface ListPage {
  kind: "section" | "year" | "month" | "day";
  url: string;
  title: string;
  description: string;
  articles: ArticleSummary[];
  /** Set on section pages. */
  section?: NavSection;
  /** Set on date archives: the way from the archive index down to this page. */
  crumbs?: { label: string; url: string }[];
  /** Set on the first page of a year. */
  months?: MonthSummary[];
  /** Set on the first page of a month. */
  days?: PeriodSummary[];
  /** Set on date archives: the adjacent year, month or day that has articles, either way. */
  newerPeriod?: PeriodLink | null;
  olderPeriod?: PeriodLink | null;
  /** 1 for the list's own URL (its newest articles); the older pages are numbered from the oldest, 2 up. */
  pageNumber: number;
  /** The newer and the older page of the same list. */
  previousUrl: string | null;
  nextUrl: string | null;
}

export interface MonthSummary {
  year: string;
  month: string;
  label: string;
  url: string;
  count: number;
}

export interface YearSummary {
  year: string;
  url: string;
  count: number;
  months: MonthSummary[];
  /** January to December, each with its count; `url` is null for a month without articles. */
  calendar: { label: string; url: string | null; count: number }[];
}

/** One Pagefind index of the search (see search.ts): where it is served and the URLs of the articles it holds, newest first. */
export interface SearchShard {
  url: string;
  articles: string[];
}

/**
 * The search index in shards: one per year, except that the newest month
 * has one of its own, apart from the rest of its year. The articles a
 * newsroom adds every day then touch a month's index, not a year's; once
 * a newer month begins, its month joins the year's index again.
 */
function searchShardsOf(articles: Article[]): SearchShard[] {
  const newest = articles[0];
  const shardOf = (a: Article) => (a.year === newest.year && a.month === newest.month ? `${a.year}-${a.month}` : a.year);
  return [...groupBy(articles, shardOf)].map(([name, inShard]) => ({ url: searchIndexUrl(name), articles: inShard.map((a) => a.url) }));
}

/** An Atom feed: the site's, or one section's. */
export interface Feed {
  url: string;
  title: string;
  /** What the feed carries, for its `<subtitle>`: each section's names that section. */
  subtitle: string | null;
  /** The HTML page the feed stands for. */
  pageUrl: string;
  section: string | null;
  /** Newest first, at most FEED_SIZE. */
  articles: ArticlePage[];
  /** The latest date any of its entries was published or corrected. */
  updated: string;
}

/**
 * A URL the archive published that no article's page holds now: it
 * redirects to the page its article moved to, or, when the article was
 * removed, says so.
 */
export interface Redirect {
  url: string;
  /** The article it was published for. */
  id: string;
  /** That article's page now; null when the article is gone. */
  to: ArticleLink | null;
}

/** A page of the sitemap. */
export interface SitemapEntry {
  url: string;
  lastmod: string | null;
}

/** One sitemap file and the pages it lists. */
export interface SitemapFile {
  url: string;
  entries: SitemapEntry[];
}

// sitemaps.org: a sitemap file lists at most 50,000 URLs; beyond, an index names several.
export const SITEMAP_MAX_URLS = 50_000;

/**
 * The sitemap as files: one file at SITEMAP_URL while the pages fit in one,
 * otherwise files of at most `max` URLs each (`/sitemap-1.xml`, …), which
 * an index at SITEMAP_URL names.
 */
export function sitemapFiles(entries: SitemapEntry[], max = SITEMAP_MAX_URLS): Sitemap {
  if (entries.length <= max) return { whole: { url: SITEMAP_URL, entries }, parts: [] };
  const parts: SitemapFile[] = [];
  for (let start = 0; start < entries.length; start += max) parts.push({ url: sitemapPartUrl(parts.length + 1), entries: entries.slice(start, start + max) });
  return { whole: null, parts };
}

export interface Sitemap {
  /** The one file at SITEMAP_URL that lists every page, while they fit in one. */
  whole: SitemapFile | null;
  /** Otherwise the files the index at SITEMAP_URL names. */
  parts: SitemapFile[];
}

export interface Archive {
  /** Newest first. */
  articles: Article[];
  front: FrontPage;
  sections: Section[];
  /** The sections, as every page's navigation lists them. */
  nav: NavSection[];
  sectionPages: ListPage[];
  years: YearSummary[];
  /** The search index's shards, newest first. */
  searchShards: SearchShard[];
  yearPages: ListPage[];
  monthPages: ListPage[];
  dayPages: ListPage[];
  /** Every list page, for the one template that renders them. */
  listPages: ListPage[];
  feeds: Feed[];
  /** Every HTML page a reader or crawler should find. */
  sitemap: Sitemap;
  /** The articles' photos, one per picture content. */
  photos: Photo[];
  /** The URLs published before that no page holds now, by URL. */
  redirects: Redirect[];
  /** The URL ledger this archive leaves: every URL it published and its article's id. */
  ledger: Map<string, string>;
}

/**
 * What the one-off pages (home, archive index, sitemap, search, redirects
 * file) show of the archive: plain data, which a run's file carries, and
 * none of the articles themselves.
 */
export interface OnceData {
  front: FrontPage;
  years: YearSummary[];
  /** The whole sitemap, while it fits in one file; otherwise null, and SITEMAP_URL is an index of `sitemapParts`, which the runs write. */
  sitemap: SitemapFile | null;
  sitemapParts: string[];
  redirects: Redirect[];
  /** Where the search indexes are served, newest first. */
  searchIndexes: string[];
}

export function onceData({ front, years, sitemap, redirects, searchShards }: Archive): OnceData {
  const shown: FrontPage = {
    lead: front.lead && listed(front.lead),
    latest: front.latest.map(listed),
    sections: front.sections.map((section) => ({ ...section, articles: section.articles.map(listed) })),
  };
  return { front: shown, years, sitemap: sitemap.whole, sitemapParts: sitemap.parts.map((part) => part.url), redirects, searchIndexes: searchShards.map((shard) => shard.url) };
}

/** Newest first; same-day articles by headline, then file, so the order never depends on the file system. */
function newestFirst(a: SourcedRecord, b: SourcedRecord): number {
  return compareText(b.record.date, a.record.date) || compareText(a.record.headline, b.record.headline) || compareText(a.file, b.file);
}

/** The front page as a newspaper's: the newest story leads, the next ones follow, then each section's newest in a block of its own. */
export interface FrontPage {
  lead: ArticleSummary | null;
  latest: ArticleSummary[];
  sections: { name: string; url: string; count: number; articles: ArticleSummary[] }[];
}

function frontPage(articles: Article[], sections: Section[]): FrontPage {
  const lead = articles[0];
  return {
    lead: lead ?? null,
    latest: articles.slice(1, 1 + FRONT_LATEST),
    sections: sections.map((section) => ({
      name: section.name,
      url: section.url,
      count: section.articles.length,
      articles: section.articles.filter((article) => article !== lead).slice(0, FRONT_SECTION_SIZE),
    })),
  };
}

function link({ headline, url, date }: Article): ArticleLink {
  return { headline, url, date };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * How a teaser's headline is matched to an archived one: case, no-break
 * spaces, curly apostrophes and the spacing around punctuation do not count.
 */
export function headlineKey(headline: string): string {
  return headline
    .replace(/\u00a0/g, " ")
    .replace(/[’‘]/g, "'")
    .toLowerCase()
    .replace(/\s*([^\p{L}\p{N}\s])\s*/gu, "$1")
    .replace(/\s+/g, " ")
    .trim();
}

function linkTeasers(articles: Article[]): void {
  // Only the headlines teasers name are looked for: a map of every headline was 28 MB at 200,000 articles.
  const byHeadline = new Map<string, Article | null>(articles.flatMap((article) => (article.teaser ? [[headlineKey(article.teaser.headline), null]] : [])));
  // Newest first, so a headline used twice links to its newest article.
  for (const article of articles) {
    const key = headlineKey(article.headline);
    if (byHeadline.get(key) === null) byHeadline.set(key, article);
  }
  for (const article of articles) {
    const target = article.teaser && byHeadline.get(headlineKey(article.teaser.headline));
    article.teaserUrl = target && target !== article ? target.url : null;
  }
}

/**
 * A list of articles on pages of PAGE_SIZE, newest first, each linked to
 * the pages before and after it: a section, or a year, month or day, so
 * that no page of a large archive lists more than PAGE_SIZE articles. The
 * list's own URL holds the newest PAGE_SIZE; the older ones are numbered
 * from the oldest (`page/2/` holds the oldest PAGE_SIZE, the newest
 * numbered page may hold fewer), so that a page keeps its articles and its
 * URL as newer articles arrive: a new article rewrites the first page and
 * the newest numbered one, not every page of a long list.
 */
function pagesOf(kind: ListPage["kind"], articles: Article[], base: string, title: string, describe: (pageNote: string) => string, extra: Pick<ListPage, "section" | "crumbs">): ListPage[] {
  const older = articles.slice(PAGE_SIZE);
  const blocks = Math.ceil(older.length / PAGE_SIZE);
  // Newest first: the first page, then the blocks of PAGE_SIZE counted from the oldest, newest block first.
  const lists: ArticleSummary[][] = [articles.slice(0, PAGE_SIZE)];
  for (let b = blocks - 1; b >= 0; b--) lists.push(older.slice(Math.max(0, older.length - (b + 1) * PAGE_SIZE), older.length - b * PAGE_SIZE));
  const numberOf = (i: number) => (i === 0 ? 1 : lists.length - i + 1);
  const urlOf = (i: number) => listPageUrl(base, numberOf(i));
  return lists.map((list, i) => ({
    kind,
    url: urlOf(i),
    title: i > 0 ? `${title}, page ${numberOf(i)}` : title,
    description: describe(i > 0 ? `, page ${numberOf(i)}` : ""),
    articles: list,
    ...extra,
    pageNumber: numberOf(i),
    previousUrl: i > 0 ? urlOf(i - 1) : null,
    nextUrl: i + 1 < lists.length ? urlOf(i + 1) : null,
  }));
}

/** Link each page of a year, month or day to the adjacent periods with articles; `pages` come newest first, a period's pages together. */
function linkPeriods(pages: ListPage[]): void {
  const firsts = pages.filter((page) => page.pageNumber === 1);
  const period = (page: ListPage | undefined): PeriodLink | null => (page ? { label: page.crumbs!.at(-1)!.label, url: page.url } : null);
  const index = new Map(firsts.map((page, i) => [page.crumbs!.at(-1)!.url, i]));
  for (const page of pages) {
    const i = index.get(page.crumbs!.at(-1)!.url)!;
    page.newerPeriod = period(firsts[i - 1]);
    page.olderPeriod = period(firsts[i + 1]);
  }
}

function sectionPagesOf(section: Section, nav: NavSection): ListPage[] {
  return pagesOf("section", section.articles, section.url, section.name, (note) => `Articles of ${section.name}, newest first${note}.`, { section: nav });
}

function datePages(kind: ListPage["kind"], articles: Article[], title: string, crumbs: { label: string; url: string }[]): ListPage[] {
  const count = `${articles.length} ${articles.length === 1 ? "article" : "articles"}`;
  // The count on the first page only: the others stay as they are while the period grows.
  return pagesOf(kind, articles, crumbs[crumbs.length - 1].url, title, (note) => (note ? `The archive of ${title}${note}.` : `The archive of ${title}: ${count}.`), { crumbs });
}

/** Two files with one identity, and URLs and aliases the ledger keeps for another article still in the archive. */
function identityConflicts(sorted: SourcedRecord[], ledger: Ledger): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const byId = new Map<string, SourcedRecord>();
  const byAlias = new Map<string, SourcedRecord>();
  for (const item of sorted) if (!byId.has(item.id)) byId.set(item.id, item);
  // A URL the ledger holds for an article still in the archive is that article's, to redirect to its page; one of a removed article may be taken.
  const heldFor = (url: string, item: SourcedRecord): string | undefined => {
    const entry = ledger.urls.get(url);
    const holder = entry && entry.id !== item.id ? byId.get(entry.id) : undefined;
    // Two articles at one URL now are reported as such.
    if (!holder || holder.url === url) return undefined;
    return `${url}, which ${ledger.file}:${entry!.line} keeps for ${holder.file} (id ${holder.id}) to redirect to its page; give this article another headline or date, or remove that line to let it take the URL`;
  };
  for (const item of sorted) {
    const first = byId.get(item.id)!;
    if (first !== item) problems.push({ file: item.file, line: item.headlineLine, message: `expected a unique article id, found ${item.id}, also the id of ${first.file}` });
    const held = heldFor(item.url, item);
    if (held) problems.push({ file: item.file, line: item.headlineLine, message: `expected a URL no other article has published, found ${held}` });
    for (const alias of item.record.aliases) {
      const other = byAlias.get(alias);
      const heldAlias = heldFor(alias, item);
      if (other && other.id !== item.id) problems.push({ file: item.file, line: 1, message: `expected an alias no other article has, found ${alias}, also an alias of ${other.file}` });
      else if (heldAlias) problems.push({ file: item.file, line: 1, message: `expected an alias no other article has published, found ${heldAlias}` });
      else byAlias.set(alias, item);
    }
  }
  for (const item of sorted) {
    const owner = byAlias.get(item.url);
    if (owner && owner !== item) problems.push({ file: owner.file, line: 1, message: `expected an alias that is no article's URL, found ${item.url}, the URL of ${item.file}` });
  }
  return problems;
}

/**
 * Problems that only show across files: two articles at one URL or with one
 * id, clashing section names, and a URL or alias the ledger holds for
 * another article that is still in the archive.
 */
export function findConflicts(records: SourcedRecord[], ledger: Ledger = emptyLedger()): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const byUrl = new Map<string, SourcedRecord>();
  const bySlug = new Map<string, SourcedRecord>();
  const sorted = [...records].sort((a, b) => compareText(a.file, b.file));
  for (const item of sorted) {
    const { url } = item;
    const first = byUrl.get(url);
    if (first) {
      // Two names a reader cannot tell apart: one file copied in from a system that composes accents, one from a system that does not.
      const lookAlike = first.file !== item.file && first.file.normalize("NFC") === item.file.normalize("NFC") ? " (the two file names differ only in Unicode normalisation, NFC and NFD)" : "";
      problems.push({ file: item.file, line: item.headlineLine, message: `expected a unique article URL, found ${url} already used by ${first.file}:${first.headlineLine}${lookAlike}` });
    } else byUrl.set(url, item);
    const slug = sectionSlug(item.record.section);
    const namesake = bySlug.get(slug);
    if (RESERVED_SLUGS.includes(slug) || /^\d+$/.test(slug)) {
      problems.push({ file: item.file, line: 1, message: `expected a section name whose URL /${slug}/ is free, found ${JSON.stringify(item.record.section)}, which takes the place of another page` });
    } else if (namesake && namesake.record.section !== item.record.section) {
      problems.push({ file: item.file, line: 1, message: `expected section ${JSON.stringify(namesake.record.section)} (as in ${namesake.file}) or a name with another URL, found ${JSON.stringify(item.record.section)}, which also maps to /${slug}/` });
    } else if (!namesake) bySlug.set(slug, item);
  }
  return [...problems, ...identityConflicts(sorted, ledger)];
}

function emptyLedger(): Ledger {
  return { file: "", urls: new Map() };
}

/**
 * The ledger after this archive's build, and the URLs in it no page holds:
 * every URL an article has or had, its aliases among them. A URL stays its
 * article's for good; one whose article was removed goes to the article
 * that now has it.
 */
function redirectsOf(articles: Article[], ledger: Ledger): { redirects: Redirect[]; next: Map<string, string> } {
  // The articles' own URLs first, so the entries after them are exactly the URLs to redirect and only their
  // articles need finding: a map of every id was 64 MB at 200,000 articles. Conflicts are excluded (see
  // findConflicts), so an alias is never an article's URL and a ledger line never outranks either.
  const next = new Map<string, string>();
  for (const article of articles) next.set(article.url, article.id);
  for (const article of articles) for (const alias of article.aliases) if (!next.has(alias)) next.set(alias, article.id);
  for (const [url, entry] of ledger.urls) if (!next.has(url)) next.set(url, entry.id);
  const moved: [string, string][] = [];
  let own = articles.length;
  for (const entry of next) if (own-- <= 0) moved.push(entry);
  // The articles the redirects go to, by id; a removed article's id keeps none.
  const targets = new Map<string, Article | undefined>(moved.map(([, id]) => [id, undefined]));
  for (const article of articles) if (targets.has(article.id)) targets.set(article.id, article);
  const redirects: Redirect[] = moved.map(([url, id]) => {
    const article = targets.get(id);
    return { url, id, to: article ? link(article) : null };
  });
  // The few redirects sorted, not the whole ledger: at 200,000 articles its sorted copy was 50 MB of garbage.
  return { redirects: redirects.sort((a, b) => compareText(a.url, b.url)), next };
}

/** Build the site model. The records must be free of conflicts (see findConflicts). */
export function buildArchive(records: SourcedRecord[], ledger: Ledger = emptyLedger()): Archive {
  const articles = [...records].sort(newestFirst).map((sourced) => new Article(sourced));

  const sections: Section[] = [...groupBy(articles, (a) => a.section)]
    .sort(([a], [b]) => compareText(a.toLowerCase(), b.toLowerCase()) || compareText(a, b))
    .map(([name, list]) => ({ name, slug: sectionSlug(name), url: sectionUrl(name), feedUrl: sectionFeedUrl(name), articles: list }));

  for (const section of sections) section.articles.forEach((article, i) => article.placeIn(section.articles, i));

  linkTeasers(articles);
  const nav = sections.map(({ name, url, feedUrl }) => ({ name, url, feedUrl }));
  const sectionPages = sections.flatMap((section, i) => sectionPagesOf(section, nav[i]));

  const years: YearSummary[] = [];
  const yearPages: ListPage[] = [];
  const monthPages: ListPage[] = [];
  const dayPages: ListPage[] = [];
  for (const [year, inYear] of groupBy(articles, (a) => a.year)) {
    const months: MonthSummary[] = [];
    const yearCrumb = { label: year, url: yearUrl(year) };
    // A year's first page shows its months with their counts, the way into a year too long for one page;
    // its other pages, which a new article of the year leaves as they are, lead back to it by the breadcrumb.
    const pagesOfYear = datePages("year", inYear, year, [yearCrumb]);
    yearPages.push(...pagesOfYear);
    for (const [month, inMonth] of groupBy(inYear, (a) => a.month)) {
      const monthCrumb = { label: inMonth[0].monthLabel, url: monthUrl(year, month) };
      months.push({ year, month, label: monthCrumb.label, url: monthCrumb.url, count: inMonth.length });
      const pagesOfMonth = datePages("month", inMonth, monthCrumb.label, [yearCrumb, monthCrumb]);
      monthPages.push(...pagesOfMonth);
      const days: PeriodSummary[] = [];
      for (const [day, inDay] of groupBy(inMonth, (a) => a.day)) {
        const label = readableDate(inDay[0].date);
        days.push({ label, url: dayUrl(year, month, day), count: inDay.length });
        dayPages.push(...datePages("day", inDay, label, [yearCrumb, monthCrumb, { label, url: dayUrl(year, month, day) }]));
      }
      pagesOfMonth[0].days = days;
    }
    pagesOfYear[0].months = months;
    const calendar = MONTH_NAMES.map((name, i) => {
      const month = months.find((m) => Number(m.month) === i + 1);
      return { label: name.slice(0, 3), url: month?.url ?? null, count: month?.count ?? 0 };
    });
    years.push({ year, url: yearUrl(year), count: inYear.length, months, calendar });
  }
  for (const pages of [yearPages, monthPages, dayPages]) linkPeriods(pages);

  const listPages = [...sectionPages, ...yearPages, ...monthPages, ...dayPages];
  const feeds: Feed[] = [
    { url: FEED_URL, title: "Latest articles", subtitle: null, pageUrl: HOME_URL, section: null, articles: articles.slice(0, FEED_SIZE) },
    ...sections.map((s) => ({ url: s.feedUrl, title: s.name, subtitle: `The newest articles of ${s.name}.`, pageUrl: s.url, section: s.name, articles: s.articles.slice(0, FEED_SIZE) })),
  ].map((feed) => ({ ...feed, updated: feed.articles.reduce((latest, a) => (a.modified > latest ? a.modified : latest), "1970-01-01") }));
  const sitemap = sitemapFiles([
    ...[HOME_URL, ARCHIVE_URL, SEARCH_URL].map((url) => ({ url, lastmod: null })),
    ...listPages.map((page) => ({ url: page.url, lastmod: null })),
    ...articles.map((article) => ({ url: article.url, lastmod: article.modified })),
  ]);
  const { redirects, next } = redirectsOf(articles, ledger);
  return {
    articles,
    front: frontPage(articles, sections),
    sections,
    nav,
    sectionPages,
    years,
    searchShards: searchShardsOf(articles),
    yearPages,
    monthPages,
    dayPages,
    listPages,
    feeds,
    sitemap,
    redirects,
    ledger: next,
    photos: [...new Map(articles.flatMap((a) => (a.photo ? [[a.photo.hash, a.photo] as const] : []))).values()].sort((a, b) => compareText(a.hash, b.hash)),
  };
}

function sameRecords(a: SourcedRecord[], b: SourcedRecord[]): boolean {
  return a.length === b.length && a.every((item, i) => item.record === b[i].record && item.file === b[i].file);
}

function sameLedger(a: Ledger, b: Ledger): boolean {
  return a.urls.size === b.urls.size && [...a.urls].every(([url, entry]) => b.urls.get(url)?.id === entry.id);
}

/** Dates a typo pushed into the future (2203 for 2023) would open year pages no reader expects. */
function futureDates(records: SourcedRecord[], now: number): Diagnostic[] {
  const latest = latestPlausibleDate(now);
  return records
    .filter((item) => item.record.date > latest)
    .map((item) => ({ file: item.file, line: item.headlineLine, message: `expected a publication date no later than a year from today (${latest}), found ${item.record.date}` }));
}

/** Redirects that would take the place of a page of the site: an alias such as `/2023/`, or a line of the ledger edited by hand. */
function pageClashes(archive: Archive, records: SourcedRecord[], ledger: Ledger): Diagnostic[] {
  const pages = new Set<string>([...Object.values(PATHS), ...archive.listPages.map((p) => p.url), ...archive.feeds.map((f) => f.url), ...archive.sitemap.parts.map((p) => p.url)]);
  const problems: Diagnostic[] = [];
  for (const { url } of archive.redirects) {
    if (!pages.has(url) && !url.startsWith(SEARCH_INDEX_URL) && !url.startsWith("/assets/")) continue;
    const owner = records.find((item) => item.record.aliases.includes(url));
    const where = owner ? { file: owner.file, line: 1 } : { file: ledger.file, line: ledger.urls.get(url)?.line ?? 1 };
    problems.push({ ...where, message: `expected ${owner ? "an alias" : "a published URL"} that no page of the site has, found ${url}` });
  }
  return problems;
}

function byFileAndLine(a: Diagnostic, b: Diagnostic): number {
  return compareText(a.file, b.file) || a.line - b.line;
}

export interface LoadOptions {
  cache?: ParseCache;
  now?: number;
  /** The URL ledger (default: the one beside the articles folder, see ledger.ts). */
  ledgerFile?: string;
  /** Called between the steps of the load, each of which leaves much garbage behind: a build collects it there (see garbageCollector in runs.ts). */
  betweenSteps?: () => void;
}

/** Read, validate and model the archive of a folder; every bad file is reported at once. */
export function loadArchive(dir: string, { cache = new ParseCache(), ...options }: LoadOptions = {}): Archive {
  return archiveOf(dir, cache.load(dir), options, cache);
}

/**
 * Validate and model what a parse cache loaded from `dir`. A build calls it
 * without the cache, which it lets go first: its maps of parses, file
 * metadata and keys would otherwise stay beside the model. Given the
 * cache, the model is kept in it for the next load.
 */
export function archiveOf(dir: string, { records, problems }: Loaded, { now = Date.now(), ledgerFile = ledgerPath(dir), betweenSteps = () => {} }: Omit<LoadOptions, "cache"> = {}, cache?: ParseCache): Archive {
  betweenSteps();
  const { ledger, problems: ledgerProblems } = readLedger(ledgerFile);
  const all = [...problems, ...ledgerProblems, ...findConflicts(records, ledger), ...futureDates(records, now)].sort(byFileAndLine);
  if (all.length > 0) throw new ContentError(all);
  betweenSteps();
  // Eleventy's `--serve` reloads on every change of any file: when the cache hands back the very same records and ledger, so is the model.
  const last = cache?.lastModel;
  if (last && sameRecords(last.records, records) && sameLedger(last.ledger as Ledger, ledger)) return last.model as Archive;
  const archive = buildArchive(records, ledger);
  betweenSteps();
  const clashes = pageClashes(archive, records, ledger);
  if (clashes.length > 0) throw new ContentError(clashes.sort(byFileAndLine));
  if (cache) cache.lastModel = { records, ledger, model: archive };
  return archive;
}
