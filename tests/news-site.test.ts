import { XMLParser, XMLValidator } from "fast-xml-parser";
import { DomUtils, parseDocument } from "htmlparser2";
import { existsSync, readdirSync } from "node:fs";
import { basename, join, sep } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FEED_SIZE, loadArchive, MORE_FROM_SECTION, type Archive } from "../src/archive.js";
import { dateTime } from "../src/dates.js";
import { absoluteUrl, entryId, siteMetadata } from "../src/site.js";
import { ARCHIVE_URL, FEED_URL, NOT_FOUND_URL, SEARCH_URL, SITEMAP_URL, outputPath } from "../src/urls.js";
import { articlesWith, buildSite, CHILDCARE, rawExport, readPage, type BuildRun } from "./helpers.js";

const site = siteMetadata({});
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => ["entry", "url", "category", "link"].includes(name) });

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".html"))
    .map((file) => `/${file.split(sep).join("/")}`.replace(/index\.html$/, ""));
}

function doc(out: string, url: string) {
  return parseDocument(readPage(out, url));
}

function attr(document: ReturnType<typeof parseDocument>, selector: (el: { name: string; attribs: Record<string, string> }) => boolean, name: string): string[] {
  return DomUtils.findAll((el) => selector(el), document.children).map((el) => el.attribs[name]);
}

function metaContent(document: ReturnType<typeof parseDocument>, key: string): string | undefined {
  return attr(document, (el) => el.name === "meta" && (el.attribs.property === key || el.attribs.name === key), "content")[0];
}

describe("a news site built from the seeds plus the article the seeds tease", () => {
  let run: BuildRun;
  let archive: Archive;
  let dir: string;

  beforeAll(() => {
    dir = articlesWith({ "childcare.txt": CHILDCARE });
    run = buildSite(dir);
    archive = loadArchive(dir);
  });

  it("builds", () => {
    expect(run.stderr).toBe("");
    expect(run.status, run.stderr).toBe(0);
  });

  it("has a well-formed Atom feed of the newest articles, newest first, in +08:00", () => {
    const text = readPage(run.out, FEED_URL);
    expect(XMLValidator.validate(text)).toBe(true);
    const feed = xml.parse(text).feed;
    expect(feed.xmlns).toBe("http://www.w3.org/2005/Atom");
    for (const field of ["id", "title", "updated", "author"]) expect(feed[field]).toBeDefined();
    expect(feed.link.find((l: { rel: string }) => l.rel === "self").href).toBe(absoluteUrl(site, FEED_URL));
    const expected = archive.articles.slice(0, FEED_SIZE);
    // Entry ids are tag URIs of the site's host and each article's file name stem, which no correction changes.
    expect(feed.entry.map((e: { id: string }) => e.id)).toEqual(expected.map((a) => `tag:${new URL(site.url).hostname},${site.idsSince}:${basename(a.file).replace(/\.[a-z]+$/, "")}`));
    expect(feed.updated).toBe(dateTime(expected[0].date));
    for (const [i, entry] of feed.entry.entries()) {
      const article = expected[i];
      expect(entry.title).toBe(article.headline);
      expect(entry.link[0].href).toBe(absoluteUrl(site, article.url));
      expect(entry.updated).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\+08:00$/);
      expect(entry.published).toBe(`${article.date}T00:00:00+08:00`);
      expect(entry.category[0].term).toBe(article.section);
      expect(entry.content.type).toBe("html");
      // The content is HTML carried as text: parsing it gives the article's paragraphs.
      const body = parseDocument(entry.content["#text"]);
      expect(DomUtils.findAll((el) => el.name === "p", body.children).length).toBeGreaterThan(0);
    }
  });

  it("has one feed per section holding only that section's articles", () => {
    for (const section of archive.sections) {
      const text = readPage(run.out, section.feedUrl);
      expect(XMLValidator.validate(text)).toBe(true);
      const entries = xml.parse(text).feed.entry;
      expect(entries.map((e: { id: string }) => e.id)).toEqual(section.articles.slice(0, FEED_SIZE).map((a) => entryId(site, a.id)));
      for (const entry of entries) expect(entry.category[0].term).toBe(section.name);
    }
  });

  it("links the feeds from every page", () => {
    for (const url of htmlFiles(run.out)) {
      const feeds = attr(doc(run.out, url), (el) => el.name === "link" && el.attribs.rel === "alternate" && el.attribs.type === "application/atom+xml", "href");
      expect(feeds, url).toContain(FEED_URL);
      for (const feed of feeds) expect(existsSync(join(run.out, feed)), `${url} -> ${feed}`).toBe(true);
    }
    const section = archive.sections[0];
    const sectionFeeds = attr(doc(run.out, section.url), (el) => el.name === "link" && el.attribs.type === "application/atom+xml", "href");
    expect(sectionFeeds).toContain(section.feedUrl);
  });

  it("lists every HTML page but the 404 page in the sitemap, with lastmod for articles, and names it in robots.txt", () => {
    const text = readPage(run.out, SITEMAP_URL);
    expect(XMLValidator.validate(text)).toBe(true);
    const urls: { loc: string; lastmod?: string }[] = xml.parse(text).urlset.url;
    const locs = urls.map((u) => u.loc).sort();
    const pages = htmlFiles(run.out)
      .filter((url) => url !== NOT_FOUND_URL)
      .map((url) => absoluteUrl(site, url))
      .sort();
    expect(locs).toEqual(pages);
    for (const article of archive.articles) {
      expect(urls.find((u) => u.loc === absoluteUrl(site, article.url))?.lastmod).toBe(article.date);
    }
    expect(readPage(run.out, "/robots.txt")).toContain(`Sitemap: ${absoluteUrl(site, SITEMAP_URL)}`);
  });

  it("gives every page a title, a description and a canonical URL", () => {
    for (const url of htmlFiles(run.out)) {
      const page = doc(run.out, url);
      expect(DomUtils.textContent(DomUtils.findAll((el) => el.name === "title", page.children)).trim(), url).not.toBe("");
      expect(metaContent(page, "description"), url).toBeTruthy();
      const canonical = attr(page, (el) => el.name === "link" && el.attribs.rel === "canonical", "href");
      if (url === NOT_FOUND_URL) expect(canonical).toEqual([]);
      else expect(canonical, url).toEqual([absoluteUrl(site, url)]);
    }
  });

  it("describes each article with OpenGraph and one NewsArticle plus a BreadcrumbList", () => {
    for (const article of archive.articles) {
      const page = doc(run.out, article.url);
      const url = absoluteUrl(site, article.url);
      expect(metaContent(page, "og:type")).toBe("article");
      expect(metaContent(page, "og:title")).toBe(article.headline);
      expect(metaContent(page, "og:url")).toBe(url);
      expect(metaContent(page, "og:description")).toBe(article.summary);
      expect(metaContent(page, "description")).toBe(article.summary);
      expect(article.summary.length).toBeGreaterThan(20);
      expect(metaContent(page, "article:published_time")).toBe(`${article.date}T00:00:00+08:00`);
      expect(metaContent(page, "article:section")).toBe(article.section);

      const data = DomUtils.findAll((el) => el.name === "script" && el.attribs.type === "application/ld+json", page.children).map((el) => JSON.parse(DomUtils.textContent(el)));
      const news = data.filter((d) => d["@type"] === "NewsArticle");
      expect(news).toHaveLength(1);
      expect(news[0]).toMatchObject({
        headline: article.headline,
        datePublished: `${article.date}T00:00:00+08:00`,
        dateModified: `${article.date}T00:00:00+08:00`,
        articleSection: article.section,
        publisher: { "@type": "Organization", name: site.publisher },
        mainEntityOfPage: { "@id": url },
      });
      const crumbs = data.find((d) => d["@type"] === "BreadcrumbList").itemListElement;
      const visible = DomUtils.findAll((el) => el.name === "li", DomUtils.findAll((el) => el.attribs.class === "breadcrumb", page.children));
      expect(crumbs.map((c: { name: string }) => c.name)).toEqual(visible.map((li) => DomUtils.textContent(li).trim()));
      expect(crumbs.map((c: { item: string }) => c.item)).toEqual([absoluteUrl(site, "/"), absoluteUrl(site, article.sectionUrl), url]);
    }
  });

  it("links the teasers of seeds 000 and 001 to the archived article they tease", () => {
    const childcare = archive.articles.find((a) => a.headline === "Harbin ramps up childcare services")!;
    const teasing = archive.articles.filter((a) => a.teaser);
    expect(teasing.map((a) => a.file.split("/").pop()).sort()).toEqual(["000_52ce23d16fbdbab1.txt", "001_c863029566155c19.txt"]);
    for (const article of teasing) {
      const aside = DomUtils.findAll((el) => el.name === "aside", doc(run.out, article.url).children);
      expect(aside).toHaveLength(1);
      const links = DomUtils.findAll((el) => el.name === "a", aside).map((a) => a.attribs.href);
      expect(links).toEqual([childcare.url]);
      expect(existsSync(join(run.out, outputPath(childcare.url)))).toBe(true);
    }
  });

  it("shows previous/next and more from the section on article pages", () => {
    const section = archive.sections.find((s) => s.articles.length >= 3)!;
    const middle = section.articles[1];
    const page = doc(run.out, middle.url);
    const links = attr(page, (el) => el.name === "a", "href");
    expect(links).toContain(section.articles[0].url);
    expect(links).toContain(section.articles[2].url);
    const neighbours = DomUtils.findAll((el) => el.name === "nav" && el.attribs.class === "neighbours", page.children);
    expect(DomUtils.findAll((el) => el.name === "a", neighbours).map((a) => a.attribs.href)).toEqual([section.articles[0].url, section.articles[2].url]);
    // More from the section repeats neither the newer and older pair nor the page itself, and is left out when that leaves none.
    const expected = section.articles.slice(3, 3 + MORE_FROM_SECTION).map((a) => a.url);
    const more = DomUtils.findAll((el) => el.name === "section" && el.attribs.class === "more", page.children);
    expect(more).toHaveLength(expected.length ? 1 : 0);
    expect(DomUtils.findAll((el) => el.name === "a", more).map((a) => a.attribs.href)).toEqual(expected);
    expect(archive.articles.every((a) => a.moreFromSection.every((m) => m.url !== a.url && m.url !== a.newer?.url && m.url !== a.older?.url))).toBe(true);
  });

  it("leaves out the newer/older navigation of an article alone in its section", () => {
    const articles = articlesWith({ "alone.txt": rawExport({ section: "Culture", headline: "An only story", date: "2022-05-05", paragraphs: ["Alone."] }) });
    const alone = buildSite(articles);
    expect(alone.status, alone.stderr).toBe(0);
    const url = loadArchive(articles).articles.find((a) => a.section === "Culture")!.url;
    const page = doc(alone.out, url);
    expect(DomUtils.findAll((el) => el.name === "nav" && el.attribs.class === "neighbours", page.children)).toEqual([]);
    expect(DomUtils.findAll((el) => el.name === "section" && el.attribs.class === "more", page.children)).toEqual([]);
  });

  it("builds a Pagefind index per search shard of the article text only, and a search page that merges them without a CDN", () => {
    const indexes = archive.searchShards.map((shard) => shard.url);
    expect(readdirSync(join(run.out, "pagefind")).map((name) => `/pagefind/${name}/`).sort()).toEqual([...indexes].sort());
    for (const index of indexes) {
      for (const file of ["pagefind.js", "pagefind-entry.json"]) expect(existsSync(join(run.out, index, file)), index + file).toBe(true);
      expect(readdirSync(join(run.out, index, "filter")).length).toBeGreaterThan(0);
    }
    const search = doc(run.out, SEARCH_URL);
    const form = DomUtils.findOne((el) => el.name === "form", search.children)!;
    expect(form.attribs["data-indexes"].split(" ").filter(Boolean)).toEqual(indexes);
    expect(readPage(run.out, SEARCH_URL)).toMatch(/<noscript>[\s\S]*Search needs JavaScript/);
    // Only article pages carry the body marker, so navigation and lists stay out of the index.
    for (const url of htmlFiles(run.out)) {
      const marked = readPage(run.out, url).includes("data-pagefind-body");
      expect(marked, url).toBe(archive.articles.some((a) => a.url === url));
    }
  });

  it("reaches every year, month and day from the archive by links, and chains each kind newest to oldest", () => {
    const links = (url: string) => attr(doc(run.out, url), (el) => el.name === "a", "href");
    const years = links(ARCHIVE_URL).filter((href) => archive.yearPages.some((p) => p.url === href));
    const months = links(ARCHIVE_URL).filter((href) => archive.monthPages.some((p) => p.url === href));
    const days = months.flatMap((month) => links(month)).filter((href) => archive.dayPages.some((p) => p.url === href));
    const firstPages = (pages: typeof archive.dayPages) => pages.filter((p) => p.pageNumber === 1).map((p) => p.url);
    expect(new Set(years)).toEqual(new Set(firstPages(archive.yearPages)));
    expect(new Set(months)).toEqual(new Set(firstPages(archive.monthPages)));
    expect(new Set(days)).toEqual(new Set(firstPages(archive.dayPages)));
    for (const pages of [archive.yearPages, archive.monthPages, archive.dayPages]) {
      // From the newest, "Older …" leads through every period in order, and "Newer …" back.
      const chain = [firstPages(pages)[0]];
      for (let next = chain[0]; ; ) {
        const older = attr(doc(run.out, next), (el) => el.name === "a" && el.attribs.class === "older", "href")[0];
        if (!older) break;
        chain.push((next = older));
      }
      expect(chain).toEqual(firstPages(pages));
    }
    // A month without articles is shown in the calendar, not linked.
    const calendar = readPage(run.out, ARCHIVE_URL);
    expect(calendar).toMatch(/<li class="empty"><span class="month">Jan<\/span> <span class="count">no articles<\/span><\/li>/);
  });

  it("puts one breadcrumb from Home on every page but the home and 404 pages, ending at the page itself", () => {
    for (const url of htmlFiles(run.out)) {
      const crumbs = DomUtils.findAll((el) => el.name === "nav" && el.attribs.class === "breadcrumb", doc(run.out, url).children);
      if (url === "/" || url === NOT_FOUND_URL) {
        expect(crumbs, url).toHaveLength(0);
        continue;
      }
      expect(crumbs, url).toHaveLength(1);
      const items = DomUtils.findAll((el) => el.name === "li", crumbs);
      expect(DomUtils.textContent(items[0]).trim(), url).toBe("Home");
      const last = items.at(-1)!;
      // Page 2 of a list links back to its first page; every other page names itself as the current one.
      if (/\/page\/\d+\/$/.test(url)) expect(DomUtils.findOne((el) => el.name === "a", last.children), url).not.toBeNull();
      else expect(last.attribs["aria-current"], url).toBe("page");
    }
  });

  it("has a 404 page linking home and the archive", () => {
    const links = attr(doc(run.out, NOT_FOUND_URL), (el) => el.name === "a", "href");
    expect(links).toContain("/");
    expect(links).toContain("/archive/");
  });

  it("requests nothing from elsewhere and runs script only on the search page", () => {
    for (const url of htmlFiles(run.out)) {
      const page = doc(run.out, url);
      const loaded = [
        ...attr(page, (el) => ["script", "img", "iframe"].includes(el.name) && Boolean(el.attribs.src), "src"),
        ...attr(page, (el) => el.name === "link" && el.attribs.rel === "stylesheet", "href"),
      ];
      for (const src of loaded) expect(src, url).not.toMatch(/^(https?:)?\/\//);
      const scripts = DomUtils.findAll((el) => el.name === "script" && el.attribs.type !== "application/ld+json", page.children);
      expect(scripts.length, url).toBe(url === SEARCH_URL ? 1 : 0);
      expect(readPage(run.out, url)).not.toMatch(/@import|url\(\s*['"]?https?:/);
    }
  });
});

describe("a site whose archive does not hold the teased article", () => {
  it("keeps the teaser as plain text", () => {
    const run = buildSite(articlesWith());
    expect(run.status, run.stderr).toBe(0);
    const aside = DomUtils.findAll((el) => el.name === "aside", doc(run.out, "/2023/04/14/harbin-strives-to-expand-opening-up/").children);
    expect(DomUtils.textContent(aside)).toContain("Harbin ramps up childcare services");
    expect(DomUtils.findAll((el) => el.name === "a", aside)).toEqual([]);
  });

  it("takes its absolute URLs from SITE_URL", () => {
    const run = buildSite(articlesWith(), { SITE_URL: "https://news.example.com/" });
    expect(run.status, run.stderr).toBe(0);
    expect(readPage(run.out, "/")).toContain('<link rel="canonical" href="https://news.example.com/">');
    expect(readPage(run.out, FEED_URL)).toContain("<id>https://news.example.com/feed.xml</id>");
    expect(readPage(run.out, SITEMAP_URL)).not.toContain(site.url);
  });
});

describe("a site to which an article brings a new section", () => {
  it("describes the site without naming sections, and each section feed by its own section", () => {
    const sports = rawExport({ section: "Sports desk", headline: "Harbin hosts the winter games", date: "2023-05-20", paragraphs: ["The games open on Friday."] });
    const dir = articlesWith({ "sports.txt": sports });
    const run = buildSite(dir);
    expect(run.status, run.stderr).toBe(0);
    const { sections } = loadArchive(dir);
    expect(sections.map((s) => s.name)).toContain("Sports desk");
    const home = metaContent(doc(run.out, "/"), "description")!;
    const named = sections.filter((s) => home.includes(s.name));
    // The site's own description names every section or none: never a list the archive has outgrown.
    expect([0, sections.length]).toContain(named.length);
    for (const section of sections) {
      const subtitle = String(xml.parse(readPage(run.out, section.feedUrl)).feed.subtitle);
      expect(subtitle, section.feedUrl).toContain(section.name);
      for (const other of sections) if (other !== section) expect(subtitle, section.feedUrl).not.toContain(other.name);
    }
  });
});
