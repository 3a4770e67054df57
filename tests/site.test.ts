import type { Document, Element } from "domhandler";
import { DomUtils } from "htmlparser2";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { register } from "tsx/esm/api";
import { beforeAll, describe, expect, it } from "vitest";
import { loadArchive, onceData, SITEMAP_MAX_URLS, sitemapFiles } from "../src/archive.js";
import { everything } from "../src/plan.js";
import { runsOf, spoolRuns, writeRuns } from "../src/runs.js";
import { dateParts, readableDate } from "../src/dates.js";
import { parseExport } from "../src/parse.js";
import type { ArticleRecord } from "../src/record.js";
import { ARCHIVE_URL, SITEMAP_URL, articleUrl, dayUrl, headlineSlug, listPageUrl, monthUrl, outputPath, sectionSlug, sectionUrl, yearUrl } from "../src/urls.js";
import {
  PROJECT,
  SEED_FILES,
  articlesWith,
  buildSite,
  elementsByTag,
  exportBodyLines,
  fileHashes,
  hrefsIn,
  pageDocument,
  rawExport,
  readPage,
  seedText,
  tempDir,
  textOf,
  type BuildRun,
} from "./helpers.js";

interface Item {
  record: ArticleRecord;
  url: string;
}

function parsedItem(text: string): Item {
  const result = parseExport(text);
  expect(result.problems).toEqual([]);
  return { record: result.record!, url: articleUrl(result.record!) };
}

const SEEDS = Object.fromEntries(SEED_FILES.map((name) => [name, parsedItem(seedText(name))])) as Record<(typeof SEED_FILES)[number], Item>;
const SEED_ITEMS = Object.values(SEEDS);

/** The article URLs as the issue spells them out. */
const ISSUE_URLS: Record<(typeof SEED_FILES)[number], string> = {
  "000_52ce23d16fbdbab1.txt": "/2023/04/14/harbin-strives-to-expand-opening-up/",
  "001_c863029566155c19.txt": "/2020/09/23/harbin-russia-trade-index-launched/",
  "002_911a0816af94599d.txt": "/2021/08/31/harbin-trade-comes-bouncing-back-in-first-half-in-epidemic-recovery/",
  "003_0888aff46d256542.txt": "/2021/08/04/harbin-pursues-high-quality-economic-development/",
  "004_648e72c0b8165bae.txt": "/2020/08/31/harbin-to-expand-innovation-in-services-trade/",
};

/** The seeds that open with a photo caption and those that end with a sidebar teaser, as the issue names them. */
const CAPTIONED: readonly string[] = ["002_911a0816af94599d.txt"];
const TEASING: readonly string[] = ["000_52ce23d16fbdbab1.txt", "001_c863029566155c19.txt"];
const TEASER_HEADLINE = "Harbin ramps up childcare services";

function newestFirst(items: Item[]): Item[] {
  return [...items].sort((a, b) => (a.record.date < b.record.date ? 1 : a.record.date > b.record.date ? -1 : 0));
}

/** Every date archive URL of an article: its year, month and day. */
function dateUrls({ date }: ArticleRecord): string[] {
  const { year, month, day } = dateParts(date);
  return [yearUrl(year), monthUrl(year, month), dayUrl(year, month, day)];
}

/** Every list page of a set of articles, with the articles it must list: sections (one page each here) and date archives. */
function listPages(items: Item[]): Map<string, Set<string>> {
  const pages = new Map<string, Set<string>>();
  for (const item of items) {
    for (const url of [sectionUrl(item.record.section), ...dateUrls(item.record)]) {
      if (!pages.has(url)) pages.set(url, new Set());
      pages.get(url)!.add(item.url);
    }
  }
  return pages;
}

/** The article links of a page, among the given articles, in page order. */
function articleLinks(doc: Document, items: Item[]): string[] {
  const urls = new Set(items.map((item) => item.url));
  return elementsByTag(elementsByTag(doc, "main"), "a")
    .map((a) => a.attribs.href)
    .filter((href) => urls.has(href));
}

function exists(out: string, url: string): boolean {
  return existsSync(join(out, outputPath(url)));
}

/** The element holding an article's body: the parent of the paragraph that holds its first line. */
function bodyOf(doc: Document, firstParagraph: string): Element {
  const [article] = elementsByTag(doc, "article");
  const first = elementsByTag(article, "p").find((p) => textOf(p) === firstParagraph);
  expect(first, `a <p> holding ${JSON.stringify(firstParagraph)}`).toBeDefined();
  return first!.parent as Element;
}

function childElements(element: Element): Element[] {
  return element.children.filter((child): child is Element => child.type === "tag");
}

function relLink(doc: Document, rel: string): string | undefined {
  return elementsByTag(doc, "a").find((a) => a.attribs.rel === rel)?.attribs.href;
}

/** The text files of a built site, by path, for scanning what a reader or a robot gets. */
function textFiles(out: string): Record<string, string> {
  const paths = Object.keys(fileHashes(out)).filter((path) => /\.(html|xml|txt|css|js|json)$/.test(path));
  return Object.fromEntries(paths.map((path) => [path, readFileSync(join(out, path), "utf8")]));
}

function expectBuilt(run: BuildRun): void {
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
}

describe("URLs and slugs", () => {
  it("takes the article URLs the issue gives from the seeds' dates and headlines", () => {
    for (const name of SEED_FILES) expect(SEEDS[name].url).toBe(ISSUE_URLS[name]);
  });

  it("makes section slugs as the issue says", () => {
    expect(sectionUrl("Harbin Today")).toBe("/harbin-today/");
    expect(sectionUrl("Biz updates")).toBe("/biz-updates/");
    expect(sectionUrl("Biz updates", 2)).toBe("/biz-updates/page/2/");
  });

  it("makes headline slugs: lower case, apostrophes dropped, other runs one hyphen, trimmed", () => {
    expect(headlineSlug("Harbin, Russia trade index launched")).toBe("harbin-russia-trade-index-launched");
    expect(headlineSlug("Harbin's mayor’s plan")).toBe("harbins-mayors-plan");
    expect(headlineSlug("  ‘Quoted’ -- Headline!! ")).toBe("quoted-headline");
  });

  it("gives a headline without a-z0-9 a stable, non-empty, URL-safe slug of its own", () => {
    for (const headline of ["哈尔滨冰雪节开幕", "？！…", "Ñoño Ü"]) {
      const slug = headlineSlug(headline);
      expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(headlineSlug(headline)).toBe(slug);
    }
    expect(headlineSlug("哈尔滨冰雪节开幕")).not.toBe(headlineSlug("哈尔滨冰雪节闭幕"));
    expect(sectionSlug("文化")).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});

describe("the site built from the five seeds", () => {
  let run: BuildRun;
  beforeAll(() => {
    run = buildSite(articlesWith());
  });

  it("builds without a word on stderr", () => {
    expectBuilt(run);
  });

  it("has every URL of the URL map", () => {
    const urls = ["/", "/harbin-today/", "/biz-updates/", ARCHIVE_URL, ...Object.values(ISSUE_URLS), ...SEED_ITEMS.flatMap((item) => dateUrls(item.record))];
    for (const url of urls) expect(exists(run.out, url), url).toBe(true);
    // Five articles fit on one page per section.
    expect(exists(run.out, "/harbin-today/page/2/")).toBe(false);
    expect(exists(run.out, "/biz-updates/page/2/")).toBe(false);
  });

  it("lists every seed on the home page, newest first, with a link to each section and the archive", () => {
    const home = pageDocument(run.out, "/");
    expect(articleLinks(home, SEED_ITEMS).filter((url, i, all) => all.indexOf(url) === i)).toEqual(newestFirst(SEED_ITEMS).map((item) => item.url));
    expect(hrefsIn(elementsByTag(home, "main"))).toEqual(expect.arrayContaining(["/harbin-today/", "/biz-updates/", ARCHIVE_URL]));
  });

  it("lists every seed on its section, year, month and day pages, and on no other", () => {
    const pages = listPages(SEED_ITEMS);
    expect([...pages.keys()]).toEqual(expect.arrayContaining(["/harbin-today/", "/biz-updates/", "/2020/", "/2020/08/", "/2020/09/", "/2021/08/", "/2023/04/14/"]));
    for (const [url, expected] of pages) {
      const listed = articleLinks(pageDocument(run.out, url), SEED_ITEMS);
      expect(new Set(listed), url).toEqual(expected);
      // Newest first.
      const order = newestFirst(SEED_ITEMS.filter((item) => expected.has(item.url))).map((item) => item.url);
      expect(listed.filter((u, i) => listed.indexOf(u) === i), url).toEqual(order);
    }
  });

  it("counts the articles of every year and month on /archive/", () => {
    const archive = pageDocument(run.out, ARCHIVE_URL);
    const counts = new Map<string, number>();
    for (const item of SEED_ITEMS) {
      for (const url of dateUrls(item.record).slice(0, 2)) counts.set(url, (counts.get(url) ?? 0) + 1);
    }
    expect(counts.get("/2021/")).toBe(2);
    for (const [url, count] of counts) {
      const link = elementsByTag(archive, "a").find((a) => a.attribs.href === url);
      expect(link, url).toBeDefined();
      expect(textOf(link!.parent!), url).toMatch(new RegExp(`\\b${count} articles?$`));
    }
  });

  describe.each(SEED_FILES)("the page of %s", (name) => {
    const { record, url } = SEEDS[name];
    const lines = exportBodyLines(seedText(name)).slice(CAPTIONED.includes(name) ? 1 : 0, TEASING.includes(name) ? -2 : undefined);
    let doc: Document;
    let article: Element;
    beforeAll(() => {
      doc = pageDocument(run.out, url);
      [article] = elementsByTag(doc, "article");
    });

    it("has the headline as its one <h1>, the date, the source and a link to its section", () => {
      expect(elementsByTag(doc, "h1").map(textOf)).toEqual([record.headline]);
      const times = elementsByTag(article, "time").filter((t) => t.attribs.datetime === record.date);
      expect(times.map(textOf)).toEqual([readableDate(record.date)]);
      expect(textOf(article)).toContain(record.source);
      expect(hrefsIn(article)).toContain(sectionUrl(record.section));
    });

    it("has each body paragraph of the export as its own <p>, holding exactly its text", () => {
      const body = bodyOf(doc, lines[0]);
      expect(childElements(body).map((el) => el.name)).toEqual(lines.map(() => "p"));
      expect(childElements(body).map(textOf)).toEqual(lines);
    });

    it("shows a caption and credit only where the export has one, outside the body", () => {
      if (!CAPTIONED.includes(name)) {
        expect(textOf(article)).not.toContain("CHINA DAILY");
        return;
      }
      const caption = elementsByTag(article, "p").find((p) => textOf(p).includes("CHINA DAILY"));
      expect(caption).toBeDefined();
      expect(textOf(caption!)).toBe("Photo: Business representatives access services at Harbin Bank's settlement service center. CHINA DAILY");
      expect(caption!.parent).not.toBe(bodyOf(doc, lines[0]));
    });

    it("shows a teaser in an <aside> only where the export has one", () => {
      const asides = elementsByTag(doc, "aside").map(textOf);
      if (!TEASING.includes(name)) {
        expect(asides.join(" ")).not.toContain(TEASER_HEADLINE);
        return;
      }
      const summary = exportBodyLines(seedText(name)).at(-1)!;
      expect(asides.some((text) => text.includes(TEASER_HEADLINE) && text.includes(summary))).toBe(true);
      expect(textOf(article)).not.toContain(summary);
    });

    it("links the newer and older article of its section", () => {
      const section = newestFirst(SEED_ITEMS.filter((item) => item.record.section === record.section));
      const i = section.findIndex((item) => item.url === url);
      expect(relLink(doc, "next")).toBe(section[i - 1]?.url);
      expect(relLink(doc, "prev")).toBe(section[i + 1]?.url);
    });
  });

  it("has no no-break space anywhere in what it made of the articles", () => {
    // Pagefind's own UI script ships translations with no-break spaces; it holds no article text.
    const files = Object.entries(textFiles(run.out)).filter(([path]) => !path.startsWith("pagefind/"));
    expect(files.map(([path]) => path)).toEqual(expect.arrayContaining(["index.html", "feed.xml", "sitemap.xml"]));
    expect(files.filter(([, text]) => /\u00a0|&nbsp;|&#160;|&#xa0;/i.test(text)).map(([path]) => path)).toEqual([]);
  });
});

describe("a section with 47 articles", () => {
  const SECTION = "Harbin Today";
  const extra = Array.from({ length: 45 }, (_, i) => {
    const date = new Date(Date.UTC(2022, 0, 1 + i)).toISOString().slice(0, 10);
    return rawExport({ section: SECTION, date, headline: `Harbin district report ${i + 1}`, paragraphs: [`District report ${i + 1} covers the week to ${date}.`] });
  });
  const items = [...SEED_ITEMS.filter((item) => item.record.section === SECTION), ...extra.map(parsedItem)];
  let run: BuildRun;
  beforeAll(() => {
    run = buildSite(articlesWith(Object.fromEntries(extra.map((text, i) => [`report-${i + 1}.txt`, text]))));
  });

  it("is split into pages of 20, then 7 and 20 counted from the oldest, newest first, with newer/older links", () => {
    expectBuilt(run);
    // In reading order: the section's own page, then the older pages, numbered from the oldest.
    const urls = [1, 3, 2].map((n) => sectionUrl(SECTION, n));
    expect(urls).toEqual(["/harbin-today/", "/harbin-today/page/3/", "/harbin-today/page/2/"]);
    expect(exists(run.out, sectionUrl(SECTION, 4))).toBe(false);
    const pages = urls.map((url) => pageDocument(run.out, url));
    const listed = pages.map((doc) => articleLinks(doc, items));
    expect(listed.map((links) => links.length)).toEqual([20, 7, 20]);
    expect(listed.flat()).toEqual(newestFirst(items).map((item) => item.url));
    expect(pages.map((doc) => [relLink(doc, "prev"), relLink(doc, "next")])).toEqual([
      [undefined, urls[1]],
      [urls[0], urls[2]],
      [urls[1], undefined],
    ]);
  });

  it("keeps its older pages as they are when a newer article arrives: the first page and the newest numbered one change", () => {
    const newer = rawExport({ section: SECTION, date: "2022-03-01", headline: "Harbin district report 46", paragraphs: ["District report 46."] });
    const grown = buildSite(articlesWith(Object.fromEntries([...extra, newer].map((text, i) => [`report-${i + 1}.txt`, text]))));
    expectBuilt(grown);
    expect(readPage(grown.out, sectionUrl(SECTION, 2))).toBe(readPage(run.out, sectionUrl(SECTION, 2)));
    for (const n of [1, 3]) expect(readPage(grown.out, sectionUrl(SECTION, n)), `page ${n}`).not.toBe(readPage(run.out, sectionUrl(SECTION, n)));
    expect(articleLinks(pageDocument(grown.out, sectionUrl(SECTION, 3)), [...items, parsedItem(newer)])).toHaveLength(8);
  });

  it("splits its year and month archives the same way: every article on exactly one page of its year, month and day", () => {
    const reports = extra.map(parsedItem);
    const pagesOf = (base: string) => {
      const urls = [base];
      while (exists(run.out, listPageUrl(base, urls.length + 1))) urls.push(listPageUrl(base, urls.length + 1));
      return urls.map((url) => ({ url, links: articleLinks(pageDocument(run.out, url), items) }));
    };
    const year = pagesOf("/2022/");
    expect(year.map((page) => page.url)).toEqual(["/2022/", "/2022/page/2/", "/2022/page/3/"]);
    // The first page holds the newest 20, page 2 the oldest 20, page 3 the 5 between.
    expect(year.map((page) => page.links.length)).toEqual([20, 20, 5]);
    const january = pagesOf("/2022/01/");
    expect(january.map((page) => page.links.length)).toEqual([20, 11]);
    expect(pagesOf("/2022/02/").map((page) => page.links.length)).toEqual([14]);
    for (const item of reports) {
      const { year: y, month: m, day: d } = dateParts(item.record.date);
      for (const base of [`/${y}/`, `/${y}/${m}/`, `/${y}/${m}/${d}/`]) {
        expect(pagesOf(base).filter((page) => page.links.includes(item.url)), `${item.url} on ${base}`).toHaveLength(1);
      }
    }
    // The year's first page shows its months, with counts.
    expect(readPage(run.out, "/2022/")).toMatch(/January 2022<\/a> <span class="count">\(31 articles\)<\/span>/);
    expect(relLink(pageDocument(run.out, "/2022/"), "next")).toBe("/2022/page/3/");
    expect(relLink(pageDocument(run.out, "/2022/page/3/"), "prev")).toBe("/2022/");
    expect(relLink(pageDocument(run.out, "/2022/page/3/"), "next")).toBe("/2022/page/2/");
    expect(relLink(pageDocument(run.out, "/2022/page/2/"), "next")).toBeUndefined();
  });

  it("leaves the other section on one page", () => {
    expect(exists(run.out, "/biz-updates/")).toBe(true);
    expect(exists(run.out, "/biz-updates/page/2/")).toBe(false);
  });
});

describe("one new export in a new section", () => {
  const culture = rawExport({
    section: "Culture",
    date: "2023-05-06",
    headline: "Harbin opera house opens its summer season",
    paragraphs: ["The Harbin Opera House opened its summer season with a concert by the city's symphony orchestra.", "Tickets sold out within a day, the organisers said."],
  });
  const item = parsedItem(culture);
  let run: BuildRun;
  beforeAll(() => {
    run = buildSite(articlesWith({ "005_culture.txt": culture }));
  });

  it("is on the home page, newest first", () => {
    expectBuilt(run);
    expect(item.url).toBe("/2023/05/06/harbin-opera-house-opens-its-summer-season/");
    expect(articleLinks(pageDocument(run.out, "/"), [item, ...SEED_ITEMS])[0]).toBe(item.url);
  });

  it("gets a section page of its own, linked from every page's navigation", () => {
    expect(sectionUrl("Culture")).toBe("/culture/");
    expect(articleLinks(pageDocument(run.out, "/culture/"), [item, ...SEED_ITEMS])).toEqual([item.url]);
    const pages = Object.keys(textFiles(run.out)).filter((path) => path.endsWith(".html") && !path.startsWith("pagefind/"));
    expect(pages.length).toBeGreaterThan(20);
    for (const path of pages) {
      const doc = pageDocument(run.out, `/${path}`);
      expect(hrefsIn(elementsByTag(doc, "nav")), path).toContain("/culture/");
    }
  });

  it("is on its year, month and day pages and counted on /archive/", () => {
    for (const url of dateUrls(item.record)) expect(articleLinks(pageDocument(run.out, url), [item]), url).toEqual([item.url]);
    expect(hrefsIn(pageDocument(run.out, ARCHIVE_URL))).toContain("/2023/05/");
    expect(articleLinks(pageDocument(run.out, "/2023/04/"), [item])).toEqual([]);
  });
});

/** Body lines that Markdown would read as markup, each to be shown exactly as typed. */
const TRAPS = [
  "1. This line starts like a numbered list item",
  "2) So does this one",
  "# This line starts like a heading",
  "###### And this like a small one",
  "- This line starts like a bullet",
  "* So does this one",
  "+ And this one",
  "> This line starts like a block quote",
  "---",
  "===",
  "***",
  "Stars *around words* and **twice** and __underscores__ and _single ones_",
  "Back`ticks` and ``double`` ticks",
  "A link [x](y) and an image ![alt](src) and an autolink <http://example.com>",
  "Raw <b>bold</b> and <script>alert(1)</script> and <!-- a comment --> tags",
  "Template {{ 7*7 }} and {% raw %} and {# comment #} markers",
  "Entities &amp; and &lt; and &#35; and &copy; stay as typed",
  "[ref]: http://example.com/a-reference-definition",
  "| a | table | row |",
  "~~struck~~ text",
  "A trailing backslash \\",
];
const TRAP_HEADLINE = "Traps: *stars*, <b>tags</b> & {{ 7*7 }}";

describe("an archive with Markdown traps and edge dates, built under two time zones", () => {
  const extra = {
    // Single newlines keep the traps one block, so no two of them read as a teaser.
    "traps.txt": rawExport({ section: "Biz updates", date: "2022-03-01", headline: TRAP_HEADLINE, paragraphs: [TRAPS.join("\n")] }),
    "new-year.txt": rawExport({ section: "Harbin Today", date: "2020-01-01", headline: "Harbin greets the new year on the ice", paragraphs: ["Fireworks lit up the frozen Songhua River at midnight."] }),
    "old-year.txt": rawExport({ section: "Harbin Today", date: "2019-12-31", headline: "Harbin ends the year with a lantern show", paragraphs: ["Ice lanterns lined Central Street on the last evening of the year."] }),
    "symbols.txt": rawExport({ section: "Harbin Today", date: "2021-02-12", headline: "哈尔滨冰雪节开幕", paragraphs: ["The ice and snow festival opened in Harbin."] }),
  };
  const items = Object.fromEntries(Object.entries(extra).map(([name, text]) => [name, parsedItem(text)]));
  let losAngeles: BuildRun;
  let tokyo: BuildRun;
  beforeAll(() => {
    const dir = articlesWith(extra);
    losAngeles = buildSite(dir, { TZ: "America/Los_Angeles" });
    tokyo = buildSite(dir, { TZ: "Asia/Tokyo" });
  });

  it("builds byte-identical sites whatever the machine's time zone", () => {
    expectBuilt(losAngeles);
    expectBuilt(tokyo);
    const hashes = fileHashes(losAngeles.out);
    expect(Object.keys(hashes).length).toBeGreaterThan(30);
    expect(fileHashes(tokyo.out)).toEqual(hashes);
  });

  it("files an article of 2020-01-01 under 2020, January and its day, and one of 2019-12-31 under 2019", () => {
    const newYear = items["new-year.txt"];
    const oldYear = items["old-year.txt"];
    expect(newYear.url).toBe("/2020/01/01/harbin-greets-the-new-year-on-the-ice/");
    for (const run of [losAngeles, tokyo]) {
      for (const url of ["/2020/", "/2020/01/", "/2020/01/01/"]) expect(articleLinks(pageDocument(run.out, url), [newYear, oldYear]), url).toEqual([newYear.url]);
      for (const url of ["/2019/", "/2019/12/", "/2019/12/31/"]) expect(articleLinks(pageDocument(run.out, url), [newYear, oldYear]), url).toEqual([oldYear.url]);
      const time = elementsByTag(pageDocument(run.out, newYear.url), "time").find((t) => t.attribs.datetime === "2020-01-01");
      expect(textOf(time!)).toBe("1 January 2020");
    }
  });

  it("gives a headline without a-z0-9 a page at its own slug", () => {
    const { url, record } = items["symbols.txt"];
    expect(url).toMatch(/^\/2021\/02\/12\/[a-z0-9]+(-[a-z0-9]+)*\/$/);
    expect(elementsByTag(pageDocument(tokyo.out, url), "h1").map(textOf)).toEqual([record.headline]);
  });

  it("shows every trap line as its own paragraph, exactly as typed", () => {
    const doc = pageDocument(tokyo.out, items["traps.txt"].url);
    expect(elementsByTag(doc, "h1").map(textOf)).toEqual([TRAP_HEADLINE]);
    const body = bodyOf(doc, TRAPS[0]);
    expect(childElements(body).map((el) => el.name)).toEqual(TRAPS.map(() => "p"));
    expect(childElements(body).map(textOf)).toEqual(TRAPS);
    const markup = ["ol", "ul", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr", "em", "strong", "code", "a", "img", "b", "script", "table", "del", "s", "br"];
    expect(DomUtils.findAll(() => true, [body]).map((el) => el.name).filter((name) => markup.includes(name))).toEqual([]);
  });
});

describe("the sitemap of an archive too large for one file", () => {
  it("is an index of files of at most the limit, every page in exactly one", () => {
    const entries = Array.from({ length: 7 }, (_, i) => ({ url: `/page-${i}/`, lastmod: null }));
    expect(sitemapFiles(entries, 7)).toEqual({ whole: { url: "/sitemap.xml", entries }, parts: [] });
    const { whole, parts } = sitemapFiles(entries, 3);
    expect(whole).toBeNull();
    expect(parts.map((part) => part.url)).toEqual(["/sitemap-1.xml", "/sitemap-2.xml", "/sitemap-3.xml"]);
    expect(parts.map((part) => part.entries.length)).toEqual([3, 3, 1]);
    expect(parts.flatMap((part) => part.entries)).toEqual(entries);
    expect(SITEMAP_MAX_URLS).toBe(50_000);
  });

  it("is written by the runs, each file in a run of its own beside a worker, the index naming them all", async () => {
    const archive = loadArchive(articlesWith());
    // The seeds' own sitemap, in files of two URLs: the build makes files of SITEMAP_MAX_URLS only past that many.
    const entries = archive.sitemap.whole!.entries;
    const sitemap = sitemapFiles(entries, 2);
    const selection = { ...everything(archive), sitemapParts: sitemap.parts };
    const runs = runsOf(selection, 2, 3);
    expect(runs.filter((run) => run.sitemapParts.length > 0).map((run) => run.sitemapParts.length)).toEqual(sitemap.parts.map(() => 1));
    // Eleventy imports the TypeScript page templates itself, as the build's `--import tsx` lets it.
    register();
    const out = tempDir("sitemap-runs-");
    const runsDir = join(tempDir("runs-"), "runs");
    const runFiles = spoolRuns(runsDir, archive.nav, onceData({ ...archive, sitemap }), runs);
    await writeRuns({ projectDir: PROJECT, out }, runsDir, runFiles, 2);
    const locs = (xml: string) => [...xml.matchAll(/<loc>https?:\/\/[^/]+([^<]*)<\/loc>/g)].map((m) => m[1]);
    const index = readFileSync(join(out, outputPath(SITEMAP_URL)), "utf8");
    expect(index).toContain("<sitemapindex");
    expect(locs(index)).toEqual(sitemap.parts.map((part) => part.url));
    const listed = locs(index).flatMap((url) => locs(readFileSync(join(out, outputPath(url)), "utf8")));
    expect(listed).toEqual(entries.map((entry) => entry.url));
    expect(new Set(listed).size).toBe(listed.length);
  });
});

describe("a plain Eleventy run over .eleventy.ts", () => {
  it("writes every page and feed the build writes, byte for byte", () => {
    const articles = articlesWith();
    const built = buildSite(articles);
    expect(built.status, built.stderr).toBe(0);
    const out = join(tempDir("eleventy-"), "_site");
    const run = spawnSync(process.execPath, ["--import", "tsx", join(PROJECT, "node_modules/@11ty/eleventy/cmd.cjs"), "--config=.eleventy.ts", `--output=${out}`, "--quiet"], {
      cwd: PROJECT,
      encoding: "utf8",
      env: { ...process.env, ARCHIVE_ARTICLES_DIR: articles },
    });
    expect(run.status, run.stderr).toBe(0);
    const pages = (dir: string) => Object.entries(fileHashes(dir)).filter(([file]) => /\.(html|xml)$/.test(file));
    expect(pages(out).length).toBeGreaterThan(SEED_ITEMS.length);
    expect(pages(out)).toEqual(pages(built.out));
  });
});
