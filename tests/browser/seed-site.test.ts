import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { loadArchive, type Archive } from "../../src/archive.js";
import { ledgerPath } from "../../src/ledger.js";
import { ARCHIVE_URL, HOME_URL, SEARCH_URL } from "../../src/urls.js";
import { articlesWith } from "../helpers.js";
import { MISSING_URL, axeViolations, horizontalOverflow, siteInBrowser, skipWithoutChromium, type SiteInBrowser } from "./browser.js";

const MOVED_URL = "/2021/08/04/harbin-pursues-economic-development/";
const REMOVED_URL = "/2019/01/02/a-story-since-removed/";

describe.skipIf(skipWithoutChromium())("the seed site in Chromium", () => {
  let archive: Archive;
  let site: SiteInBrowser;

  beforeAll(async () => {
    const articles = articlesWith();
    // URLs published before: one of an article whose headline was corrected since, one of an article since removed.
    writeFileSync(ledgerPath(articles), `${MOVED_URL}\t003_0888aff46d256542\n${REMOVED_URL}\tremoved-story\n`);
    archive = loadArchive(articles);
    site = await siteInBrowser(articles);
  });

  afterAll(() => site?.close());

  /** One page of each kind, and one article for each mix of the optional parts: caption, teaser, linked teaser. */
  function pagesToCheck(): Record<string, string> {
    const articleVariants = new Map(archive.articles.map((a) => [`${!!a.caption}/${!!a.teaser}/${!!a.teaserUrl}`, a]));
    return {
      home: HOME_URL,
      section: archive.sections[0].url,
      archive: ARCHIVE_URL,
      year: archive.yearPages[0].url,
      month: archive.monthPages[0].url,
      day: archive.dayPages[0].url,
      ...Object.fromEntries([...articleVariants.values()].map((article, i) => [`article ${i + 1}`, article.url])),
      "404": MISSING_URL,
      search: SEARCH_URL,
      // The page at a moved URL is the same layout, gone before a test could look at it.
      removed: REMOVED_URL,
    };
  }

  it("takes a reader from an old URL to the article's page, and shows a removed article's URL as removed", async () => {
    const page = await site.browser.newPage();
    await page.goto(site.origin + MOVED_URL);
    await page.waitForURL(site.origin + archive.articles.find((a) => a.id === "003_0888aff46d256542")!.url);
    expect(await page.locator("h1").textContent()).toBe("Harbin pursues high-quality economic development");
    await page.goto(site.origin + REMOVED_URL);
    expect(await page.locator("h1").textContent()).toBe("This article was removed");
    expect(page.url()).toBe(site.origin + REMOVED_URL);
  });

  it("has no axe-core violations, in the light or the dark scheme", async () => {
    const found: Record<string, string[]> = {};
    const page = await site.browser.newPage();
    for (const [kind, url] of Object.entries(pagesToCheck())) {
      await page.goto(site.origin + url);
      for (const colorScheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme });
        const violations = await axeViolations(page);
        if (violations.length) found[`${kind} (${url}), ${colorScheme}`] = violations;
      }
    }
    expect(found).toEqual({});
  });

  it("asks nothing of other sites, and runs scripts only on the search page", async () => {
    const page = await site.browser.newPage();
    const offsite: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).origin !== site.origin) offsite.push(request.url());
    });
    const scripted: string[] = [];
    for (const url of Object.values(pagesToCheck())) {
      await page.goto(site.origin + url);
      // JSON-LD is data, not a script.
      if (await page.locator('script:not([type="application/ld+json"])').count()) scripted.push(url);
    }
    // The search page's own requests: its script, the index, the results.
    await page.goto(site.origin + SEARCH_URL);
    await page.getByRole("searchbox").fill("Harbin");
    await page.getByRole("status").filter({ hasText: "Harbin" }).waitFor();
    expect(offsite).toEqual([]);
    expect(scripted).toEqual([SEARCH_URL]);
  });

  describe("search", () => {
    const QUERY = "outsourcing";
    const EXPECTED = "Harbin to expand innovation in services trade";
    const expectedArticle = () => archive.articles.find((article) => article.headline === EXPECTED)!;

    /** The search page after typing `query` and choosing the filters, once the results are shown. */
    async function search(query: string, filters: { Section?: string; Year?: string } = {}, width = 1280): Promise<Page> {
      const page = await site.open(SEARCH_URL, { viewport: { width, height: 800 } });
      for (const [label, value] of Object.entries(filters)) await page.getByLabel(label, { exact: true }).selectOption(value);
      await page.getByRole("searchbox", { name: "Words to find" }).fill(query);
      await page.getByRole("status").filter({ hasText: query }).waitFor();
      return page;
    }

    it(`finds "${EXPECTED}" when a reader types "${QUERY}", with its date and section`, async () => {
      const expected = expectedArticle();
      const page = await search(QUERY);
      const result = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: EXPECTED, exact: true }) });
      expect(await result.count()).toBe(1);
      expect(await result.getByRole("link").getAttribute("href")).toBe(expected.url);
      expect(await result.locator("time").getAttribute("datetime")).toBe(expected.date);
      expect(await result.textContent()).toContain(expected.section);
      expect(await axeViolations(page)).toEqual([]);

      await result.getByRole("link").click();
      await page.waitForURL(site.origin + expected.url);
      expect(await page.locator("h1").textContent()).toBe(EXPECTED);

      // Back from the article, the reader finds the search as they left it.
      await page.goBack();
      await page.getByRole("heading", { name: EXPECTED, exact: true }).waitFor();
      expect(await page.getByRole("searchbox", { name: "Words to find" }).inputValue()).toBe(QUERY);
    });

    it("narrows the results by section and by year", async () => {
      const expected = expectedArticle();
      const otherSection = archive.sections.find((s) => s.name !== expected.section)!.name;
      const otherYear = archive.years.find((y) => y.year !== expected.year)!.year;
      const heading = { name: EXPECTED, exact: true };
      expect(await (await search(QUERY, { Section: expected.section, Year: expected.year })).getByRole("heading", heading).count()).toBe(1);
      expect(await (await search(QUERY, { Section: otherSection })).getByRole("heading", heading).count()).toBe(0);
      expect(await (await search(QUERY, { Year: otherYear })).getByRole("heading", heading).count()).toBe(0);
    });

    it("indexes article text, not the pages and navigation around it", async () => {
      // On the home and 404 pages, in no article. (Pagefind leaves out <nav> and <footer> on its own.)
      const page = await search("browse");
      expect(await page.getByRole("status").textContent()).toMatch(/^No articles found/);
    });

    it("keeps what a reader typed and chose while the index was still loading", async () => {
      const page = await site.browser.newPage();
      page.setDefaultTimeout(10_000);
      // A slow connection: the search script arrives well after the reader has started typing.
      await page.route(`${site.origin}${archive.searchShards[0].url}pagefind.js`, async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await route.continue();
      });
      await page.goto(site.origin + SEARCH_URL, { waitUntil: "domcontentloaded" });
      const expected = expectedArticle();
      await page.getByLabel("Year", { exact: true }).selectOption(expected.year);
      await page.getByRole("searchbox", { name: "Words to find" }).fill(QUERY);
      await page.getByRole("heading", { name: EXPECTED, exact: true }).waitFor();
      expect(await page.getByRole("searchbox").inputValue()).toBe(QUERY);
      expect(new URL(page.url()).searchParams.get("year")).toBe(expected.year);
    });

    it("shows the form and results without sideways scrolling on a phone", async () => {
      const page = await search(QUERY, {}, 375);
      expect(await page.getByRole("heading", { name: EXPECTED, exact: true }).count()).toBe(1);
      expect(await horizontalOverflow(page)).toBe(0);
    });

    it("says so when JavaScript is off", async () => {
      const page = await site.open(SEARCH_URL, { javaScriptEnabled: false });
      // playwright turns scripts off without telling the HTML parser, so <noscript> stays unparsed text here.
      expect(await page.locator("main noscript").textContent()).toContain("Search needs JavaScript");
      expect(await page.getByRole("status").textContent()).toBe("");
    });
  });
});
