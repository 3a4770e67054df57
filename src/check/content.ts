import { createHash } from "node:crypto";
import { FEED_SIZE, type Archive, type Article } from "../archive.js";
import { quote } from "../diagnostics.js";
import { createMarkdown, paragraphTexts, renderBody } from "../markdown.js";
import { ARCHIVE_URL, FEED_URL, HOME_URL, listPageUrl, NOT_FOUND_URL, PATHS, SEARCH_INDEX_URL, SEARCH_URL, SITEMAP_URL } from "../urls.js";
import { attr, blockTexts, collapse, elements, parseHtml, textNodes, textOf, type Element, type Parent } from "./dom.js";
import { findTarget } from "./links.js";
import type { PageFactsStore } from "./facts.js";
import type { Finding } from "./html.js";
import type { Problem } from "./problem.js";
import type { BuiltSite, SiteFile } from "./site.js";

type Report = (page: string, rule: string, message: string) => void;

const NBSP = /\u00a0/g;
// UTF-8 read as Latin-1 or Windows-1252 (`â€™`, `Ã©`), and the replacement character a bad decode leaves.
const MOJIBAKE = /â€|Ã[\u0080-\u00bf]|\ufffd/g;
const MARKDOWN = /\*\*|__|\]\(/g;
const MARKDOWN_HEADING = /^#{1,6} /;
// Attributes that carry article text a reader or a search engine sees.
const TEXT_ATTRIBUTES = ["content", "alt", "title", "aria-label"];

function context(text: string, index: number, length: number): string {
  return text.slice(Math.max(0, index - 30), index + length + 30);
}

const isLiteral = (text: string) => new RegExp(MARKDOWN.source).test(text) || MARKDOWN_HEADING.test(text);

/**
 * Markdown-like characters an article really has in its text (`__init__`,
 * `C**`) are rendered literally on purpose: such text, or the start of it
 * cut for a summary, is taken out before looking for leaks.
 */
export class Literals {
  private readonly texts: string[];
  /** What the literals are, for findings kept between checks. */
  readonly key: string;
  constructor(texts: string[]) {
    this.texts = texts.filter(isLiteral);
    this.key = JSON.stringify(this.texts);
  }
  strip(text: string): string {
    if (this.texts.length === 0) return text;
    const t = collapse(text);
    const start = t.replace(/…$/, "");
    if (this.texts.some((literal) => literal.startsWith(start))) return "";
    return this.texts.reduce((rest, literal) => rest.split(literal).join(" "), t);
  }
}

/** The first hit of a pattern in a list of texts, and how many there are. */
function firstHit(texts: string[], pattern: RegExp) {
  let count = 0;
  let first = "";
  for (const text of texts) {
    for (const m of text.matchAll(pattern)) {
      if (count++ === 0) first = context(text, m.index, m[0].length);
    }
  }
  return { count, first };
}

function scanTexts(page: string, texts: string[], proseTexts: string[], literals: Literals, report: Report): void {
  const nbsp = firstHit(texts, NBSP);
  if (nbsp.count) report(page, "nbsp", `expected no no-break space (U+00A0), found ${nbsp.count}, first in ${quote(nbsp.first, 80)}`);
  const mojibake = firstHit(texts, MOJIBAKE);
  if (mojibake.count) report(page, "mojibake", `expected text decoded as UTF-8, found ${mojibake.count} garbled sequence(s), first in ${quote(mojibake.first, 80)}`);
  const markdown = firstHit(proseTexts.map((t) => literals.strip(t)), MARKDOWN);
  if (markdown.count) report(page, "markdown", `expected rendered text, found Markdown syntax ${markdown.count} time(s), first in ${quote(markdown.first, 80)}`);
}

const JSON_LD = "application/ld+json";

function jsonStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value && typeof value === "object") return Object.values(value).flatMap(jsonStrings);
  return [];
}

function attributeTexts(els: Element[], names?: string[]): string[] {
  return els.flatMap((el) => Object.entries(el.attribs).filter(([name]) => !names || names.includes(name)).map(([, value]) => value));
}

/** The text rules, the script rules and the heading rule on one HTML document (a page, or HTML inside a feed). */
function scanHtml(page: string, doc: Parent, allowScript: (el: Element) => boolean, literals: Literals, report: Report): void {
  const els = elements(doc);
  const nodes = [...textNodes(doc)];
  const prose = nodes.filter((n) => n.parent?.name !== "style" && n.parent?.name !== "script").map((n) => n.text);
  // Code is no prose, but JSON-LD carries article text to search engines.
  for (const script of els.filter((el) => el.name === "script" && attr(el, "type") === JSON_LD)) {
    try {
      prose.push(...jsonStrings(JSON.parse(textOf(script))));
    } catch (error) {
      report(page, "json-ld", `expected JSON in <script type="${JSON_LD}">, found ${(error as Error).message}`);
    }
  }
  scanTexts(page, [...nodes.map((n) => n.text), ...attributeTexts(els)], [...prose, ...attributeTexts(els, TEXT_ATTRIBUTES)], literals, report);
  for (const p of elements(doc, "p")) {
    const text = textOf(p);
    if (MARKDOWN_HEADING.test(literals.strip(text))) report(page, "markdown", `expected rendered text, found a paragraph starting like a Markdown heading: ${quote(text)}`);
  }
  for (const el of els) {
    if (el.name === "img" && !attr(el, "alt")?.trim()) report(page, "img-alt", `expected every <img> to have alt text, found <img src="${attr(el, "src") ?? ""}"> without`);
    if (el.name === "script" && !allowScript(el)) report(page, "script", `expected no script other than the site's own, found <script${attr(el, "src") ? ` src="${attr(el, "src")}"` : ""}${attr(el, "type") ? ` type="${attr(el, "type")}"` : ""}>`);
    for (const name of Object.keys(el.attribs)) {
      if (/^on/i.test(name)) report(page, "event-handler", `expected no event-handler attribute, found ${name} on <${el.name}>`);
    }
  }
}

function siteScript(page: string): (el: Element) => boolean {
  return (el) => {
    const src = attr(el, "src");
    if (src === undefined && attr(el, "type") === JSON_LD) return true;
    // The search page loads Pagefind's own script and starts it.
    return page === SEARCH_URL && (src === undefined || src.startsWith(SEARCH_INDEX_URL));
  };
}

/** The text, script and Markdown rules on one page. */
export function scanPage(url: string, doc: Parent, literals: Literals): Finding[] {
  const found: Finding[] = [];
  scanHtml(url, doc, siteScript(url), literals, (_, rule, message) => found.push({ rule, message }));
  return found;
}

/**
 * A body's blocks by their hash: the check keeps the hashes of every page
 * and article between runs, not their text (the archive's text twice over),
 * and reads the blocks themselves only of a page whose hash is not its
 * article's.
 */
export function blocksKey(blocks: string[]): string {
  const hash = createHash("sha256");
  for (const block of blocks) hash.update(block).update("\0");
  return hash.digest("base64url");
}

/** The blocks of an article's body as its Markdown renders them: paragraphs of an export, lists and headings of a hand-written record. */
const renderedBlocks = (article: Article) => blockTexts(parseHtml(renderBody(article.body)));

/** What the content rules need of one article: its literal texts and the key of its body's blocks. */
export interface ArticleFacts {
  literals: string[];
  blocks: string;
}

export function articleFacts(article: Article, markdown: ReturnType<typeof createMarkdown>): ArticleFacts {
  const texts = [article.headline, article.section, article.source, article.caption ?? "", article.credit ?? "", article.teaser?.headline ?? "", article.teaser?.summary ?? "", ...paragraphTexts(markdown, article.body)];
  return { literals: texts.map(collapse).filter(isLiteral), blocks: blocksKey(renderedBlocks(article)) };
}

function scanFile(file: SiteFile, literals: Literals, report: Report): void {
  if (file.path.startsWith(SEARCH_INDEX_URL)) return;
  if (file.facts) for (const { rule, message } of file.facts.scan) report(file.url, rule, message);
  else if (file.kind === "xml" && file.doc) {
    // Escaped HTML is checked as the HTML it is, below.
    const texts = [...textNodes(file.doc)].filter((n) => !n.parent || attr(n.parent, "type") !== "html").map((n) => n.text);
    scanTexts(file.url, [...texts, ...attributeTexts(elements(file.doc))], texts, literals, report);
  } else if (file.kind === "text") scanTexts(file.url, [file.source], [], literals, report);
  for (const { doc } of file.embedded) scanHtml(file.url, doc, () => false, literals, report);
}

// The element of the article template that holds the rendered body.
const isBody = (el: Element) => el.name === "div" && attr(el, "class") === "body";

/** The blocks of a page's article body, or null on a page without one. */
export function pageBlocks(doc: Parent): string[] | null {
  const body = elements(doc).find(isBody);
  return body ? blockTexts(body) : null;
}

function checkArticlePage(article: Article, page: SiteFile, expectedKey: string, report: Report): void {
  const facts = page.facts!;
  const h1s = facts.headlines;
  if (h1s.length !== 1) report(page.url, "headline", `expected one <h1>, found ${h1s.length}`);
  else if (h1s[0] !== collapse(article.headline)) report(page.url, "headline", `expected the <h1> ${quote(article.headline)}, found ${quote(h1s[0])}`);
  if (!facts.datetimes.includes(article.date)) {
    report(page.url, "date", `expected <time datetime="${article.date}">, found none`);
  }
  // The body's blocks, in order, as its Markdown renders them; a page may hold more.
  if (facts.blocks === expectedKey) return;
  const expected = renderedBlocks(article);
  const found = pageBlocks(parseHtml(page.source)) ?? [];
  let at = 0;
  expected.forEach((text, i) => {
    const index = found.indexOf(text, at);
    if (index < 0) report(page.url, "paragraph", `expected body block ${i + 1} rendered as written, ${quote(text)}, found none with that text after block ${i}`);
    else at = index + 1;
  });
}

/** The record-driven rules: every article on its page and in every list, feed and sitemap it belongs to; nothing else. */
export function checkContent(site: BuiltSite, archive: Archive, linksFrom: Map<string, Set<string>>, facts: PageFactsStore): Problem[] {
  const problems: Problem[] = [];
  const report: Report = (page, rule, message) => problems.push({ page, rule, message });

  const fixed = [HOME_URL, ARCHIVE_URL, SEARCH_URL, NOT_FOUND_URL];
  const listPages = archive.listPages.map((p) => p.url);
  const feeds = archive.feeds.map((f) => f.url);
  for (const url of [...fixed, ...listPages, ...feeds, SITEMAP_URL, PATHS.robots]) {
    if (!findTarget(site, url)) report(url, "missing-page", `expected the site to have ${url}, found no file`);
  }
  const known = new Set([...fixed, ...listPages, ...archive.articles.map((a) => a.url), ...archive.redirects.map((r) => r.url)]);
  for (const file of site.files) {
    if (file.kind === "html" && !file.path.startsWith(SEARCH_INDEX_URL) && !known.has(file.url)) {
      report(file.url, "leftover-page", `expected every page to be a record's, a page of the site or a published URL's, found ${file.path}, which none explains`);
    }
  }

  // What the pages of a list (a section, a year, a month, a day) link to, together: an article may be on any of them.
  const listLinks = new Map<string, { pages: number; links: Set<string> }>();
  const linksOfList = (base: string) => {
    let list = listLinks.get(base);
    if (!list) {
      list = { pages: 0, links: new Set<string>() };
      while (findTarget(site, listPageUrl(base, list.pages + 1))) {
        list.pages++;
        for (const link of linksFrom.get(listPageUrl(base, list.pages)) ?? []) list.links.add(link);
      }
      listLinks.set(base, list);
    }
    return list;
  };
  const lists = (url: string, article: Article, what: string) => {
    const links = linksFrom.get(url);
    // A missing list is reported once, as missing-page.
    if (links && !links.has(article.url)) report(url, "listed", `expected ${what} to list ${article.url}, found no link to it`);
  };
  const listsOnAPage = (base: string, article: Article, what: string) => {
    const { pages, links } = linksOfList(base);
    if (pages > 0 && !links.has(article.url)) report(base, "listed", `expected a page of ${what} (${pages} page(s)) to list ${article.url}, found none`);
  };
  // A sitemap too large for one file is an index of sitemap files: an article may be in any of them.
  const sitemapTop = linksFrom.get(SITEMAP_URL);
  const sitemap = sitemapTop && new Set([...sitemapTop, ...[...sitemapTop].filter((url) => url.endsWith(".xml")).flatMap((part) => [...(linksFrom.get(part) ?? [])])]);
  const sectionPosition = new Map(archive.sections.flatMap((s) => s.articles.map((a, i) => [a, i] as const)));
  archive.articles.forEach((article, position) => {
    const page = findTarget(site, article.url);
    if (!page?.facts) report(article.url, "article-page", `expected the page of ${quote(article.headline)} (${article.file}), found no file`);
    else checkArticlePage(article, page, facts.articleFacts(article).blocks, report);

    listsOnAPage(article.sectionUrl, article, `section ${quote(article.section)}`);
    listsOnAPage(article.yearUrl, article, "the year archive");
    listsOnAPage(article.monthUrl, article, "the month archive");
    listsOnAPage(article.dayUrl, article, "the day archive");
    if (position < FEED_SIZE) lists(FEED_URL, article, "the site feed");
    if (sectionPosition.get(article)! < FEED_SIZE) lists(article.sectionFeedUrl, article, "the section feed");
    if (sitemap && !sitemap.has(article.url)) report(SITEMAP_URL, "listed", `expected the sitemap to list ${article.url}, found no link to it`);
  });

  for (const file of site.files) scanFile(file, facts.literals, report);
  return problems;
}
