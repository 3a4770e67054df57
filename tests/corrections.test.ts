import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadArchive, type Article } from "../src/archive.js";
import type { CheckResult } from "../src/check/index.js";
import { LEDGER_FILE, ledgerPath } from "../src/ledger.js";
import { PATHS } from "../src/urls.js";
import { articlesWith, buildSite, elementsByTag, fileHashes, freshClone, hrefsIn, literal, pageDocument, rawExport, readPage, runCli, sh, tempDir, textOf } from "./helpers.js";

const CORRECTED = "003_0888aff46d256542";
const DELETED = "004_648e72c0b8165bae";

function article(articles: string, id: string): Article {
  return loadArchive(articles).articles.find((a) => a.id === id)!;
}

function built(run: ReturnType<typeof buildSite>): string {
  expect(run.stderr, run.stdout).toBe("");
  expect(run.status).toBe(0);
  return run.stdout;
}

function checked(out: string, articles: string): CheckResult {
  const run = runCli("check.ts", [out, "--articles", articles, "--json", "--full"]);
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout) as CheckResult;
}

/** The Atom entries of a feed: each entry's id, link and dates. */
function feedEntries(xml: string): { id: string; link: string; published: string; updated: string }[] {
  return [...xml.matchAll(/<entry>([\s\S]*?)<\/entry>/g)].map(([, entry]) => ({
    id: /<id>([^<]*)<\/id>/.exec(entry)![1],
    link: /<link rel="alternate" type="text\/html" href="([^"]*)"/.exec(entry)![1],
    published: /<published>([^<]*)<\/published>/.exec(entry)![1],
    updated: /<updated>([^<]*)<\/updated>/.exec(entry)![1],
  }));
}

function sitemapUrls(out: string): string[] {
  return [...readPage(out, PATHS.sitemap).matchAll(/<loc>https?:\/\/[^/]+([^<]*)<\/loc>/g)].map((m) => m[1]);
}

/** Set an export's headline line (its second non-blank line) to `headline`. */
function retitle(file: string, headline: string): void {
  const lines = readFileSync(file, "utf8").split("\n");
  const at = lines.findIndex((line, i) => i > 0 && line.trim() !== "");
  lines[at] = headline;
  writeFileSync(file, lines.join("\n"));
}

function redirectPage(out: string, url: string) {
  const doc = pageDocument(out, url);
  const metas = elementsByTag(doc, "meta");
  return {
    refresh: metas.find((m) => m.attribs["http-equiv"] === "refresh")?.attribs.content ?? null,
    robots: metas.find((m) => m.attribs.name === "robots")?.attribs.content ?? null,
    canonical: elementsByTag(doc, "link").find((l) => l.attribs.rel === "canonical")?.attribs.href ?? null,
    h1: elementsByTag(doc, "h1").map(textOf),
    links: hrefsIn(elementsByTag(doc, "main")),
  };
}

describe("corrections keep every published URL working", () => {
  it("redirect a corrected headline's old URL in one hop, keep the feed id, and go back without a loop", () => {
    const articles = articlesWith();
    const file = join(articles, `${CORRECTED}.txt`);
    const original = readFileSync(file, "utf8");
    const out = join(tempDir("corrections-"), "_site");
    expect(built(buildSite(articles, {}, out))).toMatch(new RegExp(`New article URLs recorded in .*${literal(LEDGER_FILE)}`));
    const before = article(articles, CORRECTED);
    const entryBefore = feedEntries(readPage(out, PATHS.feed)).find((e) => e.link.endsWith(before.url))!;
    expect(entryBefore.id).toBe(`tag:archive.example.org,2026-12-01:${CORRECTED}`);

    retitle(file, "Harbin pursues high-quality growth");
    const stdout = built(buildSite(articles, {}, out));
    expect(stdout).toMatch(/\(\d+ written, \d+ unchanged\)/);
    expect(stdout).toContain("1 redirect to their article's new URL, 0 say their article was removed");
    const after = article(articles, CORRECTED);
    expect(after.url).toBe("/2021/08/04/harbin-pursues-high-quality-growth/");

    const moved = redirectPage(out, before.url);
    expect(moved.refresh).toBe(`0; url=${after.url}`);
    expect(moved.canonical).toBe(`https://archive.example.org${after.url}`);
    expect(moved.robots).toBe("noindex");
    expect(moved.links).toContain(after.url);
    expect(readPage(out, PATHS.redirects).split("\n")).toContain(`${before.url} ${after.url} 301`);
    // The feed entry is the same story under its new URL; the sitemap has the live page only.
    const entryAfter = feedEntries(readPage(out, PATHS.feed)).find((e) => e.id === entryBefore.id)!;
    expect(entryAfter.link).toBe(`https://archive.example.org${after.url}`);
    expect(sitemapUrls(out)).toContain(after.url);
    expect(sitemapUrls(out)).not.toContain(before.url);
    const full = buildSite(articles, {}, join(tempDir("corrections-full-"), "_site"), ["--full"]);
    built(full);
    expect(fileHashes(out)).toEqual(fileHashes(full.out));
    expect(checked(out, articles).problems).toEqual([]);

    // The headline corrected back: the old URL is the article's again, the interim one redirects to it.
    writeFileSync(file, original);
    built(buildSite(articles, {}, out));
    expect(redirectPage(out, before.url)).toMatchObject({ refresh: null, robots: null, h1: [before.headline] });
    expect(redirectPage(out, after.url).refresh).toBe(`0; url=${before.url}`);
    const lines = readPage(out, PATHS.redirects).split("\n");
    expect(lines).toContain(`${after.url} ${before.url} 301`);
    expect(lines.filter((line) => line.startsWith(`${before.url} `))).toEqual([]);
    expect(checked(out, articles).problems).toEqual([]);
    const fullAgain = buildSite(articles, {}, join(tempDir("corrections-full-"), "_site"), ["--full"]);
    built(fullAgain);
    expect(fileHashes(out)).toEqual(fileHashes(fullAgain.out));
  });

  it("serve a deleted article's URL as a removed page that crawlers take as gone", () => {
    const articles = articlesWith();
    const out = join(tempDir("corrections-"), "_site");
    built(buildSite(articles, {}, out));
    const gone = article(articles, DELETED);
    rmSync(join(articles, `${DELETED}.txt`));
    expect(built(buildSite(articles, {}, out))).toContain("0 redirect to their article's new URL, 1 say their article was removed");

    const removed = redirectPage(out, gone.url);
    expect(removed).toMatchObject({ refresh: null, robots: "noindex", canonical: null, h1: ["This article was removed"] });
    expect(removed.links).toEqual(expect.arrayContaining([PATHS.home, PATHS.archive, PATHS.search]));
    expect(readPage(out, PATHS.redirects).split("\n")).toContain(`${gone.url} ${gone.url} 410`);
    expect(sitemapUrls(out)).not.toContain(gone.url);
    expect(readPage(out, PATHS.feed)).not.toContain(gone.url);
    expect(readPage(out, gone.sectionUrl)).not.toContain(gone.url);
    expect(checked(out, articles).problems).toEqual([]);
    const full = buildSite(articles, {}, join(tempDir("corrections-full-"), "_site"), ["--full"]);
    built(full);
    expect(fileHashes(out)).toEqual(fileHashes(full.out));

    // The check finds a removed page that went missing, or one turned into a redirect.
    rmSync(join(out, gone.url, "index.html"));
    expect(checked(out, articles).problems).toContainEqual(expect.objectContaining({ page: gone.url, rule: "ledger" }));
  });

  it("give the same site from the articles and the committed ledger alone, with no site, cache or manifest", () => {
    const articles = articlesWith();
    const out = join(tempDir("corrections-"), "_site");
    built(buildSite(articles, {}, out));
    retitle(join(articles, `${CORRECTED}.txt`), "Harbin pursues high-quality growth");
    rmSync(join(articles, `${DELETED}.txt`));
    built(buildSite(articles, {}, out));

    // A clone of the repository with these articles and their ledger committed, and no site, build cache or manifest.
    const clone = freshClone("copied");
    rmSync(join(clone, "node_modules/.cache"), { recursive: true, force: true });
    rmSync(join(clone, "content/articles"), { recursive: true });
    cpSync(articles, join(clone, "content/articles"), { recursive: true });
    cpSync(ledgerPath(articles), join(clone, "content", LEDGER_FILE));
    const ledger = readFileSync(join(clone, "content", LEDGER_FILE), "utf8");
    const fresh = sh(clone, "npm run --silent build");
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(fresh.stdout).not.toContain("New article URLs");
    expect(readFileSync(join(clone, "content", LEDGER_FILE), "utf8")).toBe(ledger);
    expect(fileHashes(join(clone, "_site"))).toEqual(fileHashes(out));
    // The ledger is sorted, one `URL<TAB>id` line per URL: both URLs of the corrected article and the deleted one's.
    const lines = ledger.split("\n").filter((line) => line && !line.startsWith("#"));
    expect(lines).toEqual([...lines].sort());
    expect(lines.filter((line) => line.endsWith(`\t${CORRECTED}`))).toHaveLength(2);
    expect(lines.filter((line) => line.endsWith(`\t${DELETED}`))).toHaveLength(1);
  });

  it("stop the build naming both files for one id twice, and for a new article at another's old URL", () => {
    const articles = articlesWith();
    const out = join(tempDir("corrections-"), "_site");
    built(buildSite(articles, {}, out));
    const before = fileHashes(out);
    const old = article(articles, CORRECTED);

    mkdirSync(join(articles, "2024"));
    writeFileSync(join(articles, "2024", `${CORRECTED}.txt`), rawExport({ section: "Harbin Today", headline: "A story filed twice", date: "2024-01-02", paragraphs: ["Text."] }));
    const twice = buildSite(articles, {}, out);
    expect(twice.status).toBe(1);
    expect(twice.stderr).toMatch(new RegExp(`2024/${literal(CORRECTED)}\\.txt:\\d+: expected a unique article id, found ${literal(CORRECTED)}, also the id of .*/${literal(CORRECTED)}\\.txt`));
    rmSync(join(articles, "2024"), { recursive: true });

    retitle(join(articles, `${CORRECTED}.txt`), "Harbin pursues high-quality growth");
    built(buildSite(articles, {}, out));
    const afterCorrection = fileHashes(out);
    // Another article that takes the corrected one's old URL.
    writeFileSync(join(articles, "newcomer.txt"), rawExport({ section: "Biz updates", headline: old.headline, date: old.date, paragraphs: ["Another story."] }));
    const taken = buildSite(articles, {}, out);
    expect(taken.status).toBe(1);
    expect(taken.stderr).toMatch(new RegExp(`newcomer\\.txt:\\d+: expected a URL no other article has published, found ${literal(old.url)}, which .*${literal(LEDGER_FILE)}:\\d+ keeps for .*${literal(CORRECTED)}\\.txt`));
    expect(fileHashes(out)).toEqual(afterCorrection);
    expect(afterCorrection).not.toEqual(before);
  });

  it("show a correction date on the page, in the structured data, the feed and the sitemap, leaving lists in publication order", () => {
    const articles = articlesWith();
    const out = join(tempDir("corrections-"), "_site");
    built(buildSite(articles, {}, out));
    const home = readPage(out, PATHS.home);
    const file = join(articles, "000_52ce23d16fbdbab1.txt");
    writeFileSync(file, readFileSync(file, "utf8").replace("Updated : 2023-04-14", "Updated : 2023-04-14\n\nCorrected : 2023-05-02"));
    built(buildSite(articles, {}, out));
    const corrected = article(articles, "000_52ce23d16fbdbab1");
    expect(corrected).toMatchObject({ date: "2023-04-14", updated: "2023-05-02", modified: "2023-05-02" });

    const page = pageDocument(out, corrected.url);
    const updated = elementsByTag(page, "span").find((s) => s.attribs.class === "updated")!;
    expect(textOf(updated)).toBe("Updated 2 May 2023");
    expect(elementsByTag(updated, "time")[0].attribs.datetime).toBe("2023-05-02");
    const data = elementsByTag(page, "script").map((s) => JSON.parse(textOf(s))).find((d) => d["@type"] === "NewsArticle");
    expect(data).toMatchObject({ datePublished: "2023-04-14T00:00:00+08:00", dateModified: "2023-05-02T00:00:00+08:00" });
    const entry = feedEntries(readPage(out, PATHS.feed)).find((e) => e.link.endsWith(corrected.url))!;
    expect(entry).toMatchObject({ published: "2023-04-14T00:00:00+08:00", updated: "2023-05-02T00:00:00+08:00" });
    expect(readPage(out, PATHS.sitemap)).toContain(`${corrected.url}</loc><lastmod>2023-05-02</lastmod>`);
    // Moved up in no list: the front page orders its stories as before.
    const order = (html: string) => [...html.matchAll(/<a href="(\/\d{4}\/[^"]+)"/g)].map((m) => m[1]);
    expect(order(readPage(out, PATHS.home))).toEqual(order(home));
    // An uncorrected article says nothing of updates.
    expect(readPage(out, article(articles, CORRECTED).url)).not.toContain('class="updated"');

    writeFileSync(file, readFileSync(file, "utf8").replace("Corrected : 2023-05-02", "Corrected : 2023-04-01"));
    const early = buildSite(articles, {}, out);
    expect(early.status).toBe(1);
    expect(early.stderr).toMatch(/000_52ce23d16fbdbab1\.txt:7: expected a correction date on or after the publication date 2023-04-14, found 2023-04-01/);
  });

  it("redirect a hand-written record's aliases, and refuse an alias that is another page", () => {
    const record = (aliases: string[]) =>
      ["---", "id: ice-festival", "section: Culture", "date: 2024-01-05", "headline: Ice festival opens", "source: staff", `aliases: ${JSON.stringify(aliases)}`, "---", "Sculptures of ice.", ""].join("\n");
    const articles = articlesWith({ "festival.md": record(["/old/ice-festival/", "/content/2024-01/05/content_123.html"]) });
    const out = join(tempDir("corrections-"), "_site");
    built(buildSite(articles, {}, out));
    const festival = article(articles, "ice-festival");
    expect(redirectPage(out, "/old/ice-festival/").refresh).toBe(`0; url=${festival.url}`);
    expect(readFileSync(join(out, "content/2024-01/05/content_123.html"), "utf8")).toContain(`<meta http-equiv="refresh" content="0; url=${festival.url}">`);
    expect(checked(out, articles).problems).toEqual([]);

    for (const [alias, what] of [
      ["/archive/", "an alias that no page of the site has, found /archive/"],
      [article(articles, CORRECTED).url, `an alias that is no article's URL, found ${article(articles, CORRECTED).url}`],
      ["/old story/", "aliases as a list of site paths"],
    ]) {
      writeFileSync(join(articles, "festival.md"), record([alias]));
      const run = buildSite(articles, {}, out);
      expect(run.status, alias).toBe(1);
      expect(run.stderr).toContain(`festival.md:`);
      expect(run.stderr).toContain(what);
    }
  });

  it("report a ledger line that is not one, naming the file and line", () => {
    const articles = articlesWith();
    const ledger = ledgerPath(articles);
    mkdirSync(dirname(ledger), { recursive: true });
    writeFileSync(ledger, "# comment\n/2021/08/04/a/\t003_0888aff46d256542\n<<<<<<< HEAD\n");
    const run = buildSite(articles, {}, join(tempDir("corrections-"), "_site"));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`${literal(LEDGER_FILE)}:3: expected a line "URL<TAB>article id", found "<<<<<<< HEAD" \\(a merge conflict marker`));
    // Mended, the line stands: its URL redirects to the article it names.
    writeFileSync(ledger, "# comment\n/2021/08/04/a/\t003_0888aff46d256542\n");
    const out = join(tempDir("corrections-"), "_site");
    built(buildSite(articles, {}, out));
    expect(redirectPage(out, "/2021/08/04/a/").refresh).toBe(`0; url=${article(articles, CORRECTED).url}`);
  });
});
