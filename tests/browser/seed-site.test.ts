import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { loadArchive, type Archive } from "../../src/archive.js";
import { ARCHIVE_URL, HOME_URL, SEARCH_URL } from "../../src/urls.js";
import { articlesWith, buildSite } from "../helpers.js";
import { axeViolations, launchChromium, serveSite, skipWithoutChromium, type StaticServer } from "./browser.js";

describe.skipIf(skipWithoutChromium())("the seed site in Chromium", () => {
  let archive: Archive;
  let server: StaticServer;
  let browser: Browser;

  beforeAll(async () => {
    const articles = articlesWith();
    archive = loadArchive(articles);
    const site = buildSite(articles);
    if (site.status !== 0) throw new Error(`build failed:\n${site.stderr}`);
    [server, browser] = await Promise.all([serveSite(site.out), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(url: string, colorScheme: "light" | "dark" = "light"): Promise<Page> {
    const page = await browser.newPage({ colorScheme });
    await page.goto(server.origin + url);
    return page;
  }

  /** One page of each kind; the articles all, as captions, teasers and neighbours vary between them. */
  function pagesToCheck(): Record<string, string> {
    return {
      home: HOME_URL,
      section: archive.sections[0].url,
      archive: ARCHIVE_URL,
      year: archive.yearPages[0].url,
      month: archive.monthPages[0].url,
      day: archive.dayPages[0].url,
      ...Object.fromEntries(archive.articles.map((article) => [`article ${article.url}`, article.url])),
      "404": "/no/such/page/",
      search: SEARCH_URL,
    };
  }

  for (const colorScheme of ["light", "dark"] as const) {
    it(`has no axe-core violations in the ${colorScheme} scheme`, async () => {
      const found: Record<string, string[]> = {};
      for (const [kind, url] of Object.entries(pagesToCheck())) {
        const page = await open(url, colorScheme);
        const violations = await axeViolations(page);
        if (violations.length) found[`${kind} (${url})`] = violations;
        await page.close();
      }
      expect(found).toEqual({});
    });
  }

  describe("search", () => {
    const QUERY = "outsourcing";
    const EXPECTED = "Harbin to expand innovation in services trade";

    /** The search page after typing `query` and choosing the filters, once the results are shown. */
    async function search(query: string, filters: { Section?: string; Year?: string } = {}): Promise<Page> {
      const page = await open(SEARCH_URL);
      for (const [label, value] of Object.entries(filters)) await page.getByLabel(label, { exact: true }).selectOption(value);
      await page.getByRole("searchbox", { name: "Words to find" }).fill(query);
      await page.getByRole("status").filter({ hasText: query }).waitFor();
      return page;
    }

    it(`finds "${EXPECTED}" when a reader types "${QUERY}", with its date and section`, async () => {
      const expected = archive.articles.find((article) => article.headline === EXPECTED)!;
      const page = await search(QUERY);
      const result = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: EXPECTED, exact: true }) });
      expect(await result.count()).toBe(1);
      expect(await result.getByRole("link").getAttribute("href")).toBe(expected.url);
      expect(await result.locator("time").getAttribute("datetime")).toBe(expected.date);
      expect(await result.textContent()).toContain(expected.section);
      expect(await axeViolations(page)).toEqual([]);

      await result.getByRole("link").click();
      await page.waitForURL(server.origin + expected.url);
      expect(await page.locator("h1").textContent()).toBe(EXPECTED);
    });

    it("narrows the results by section and by year", async () => {
      const expected = archive.articles.find((article) => article.headline === EXPECTED)!;
      const otherSection = archive.sections.find((s) => s.name !== expected.section)!.name;
      const otherYear = archive.years.find((y) => y.year !== expected.year)!.year;
      const heading = { name: EXPECTED, exact: true };
      expect(await (await search(QUERY, { Section: expected.section, Year: expected.year })).getByRole("heading", heading).count()).toBe(1);
      expect(await (await search(QUERY, { Section: otherSection })).getByRole("heading", heading).count()).toBe(0);
      expect(await (await search(QUERY, { Year: otherYear })).getByRole("heading", heading).count()).toBe(0);
    });

    it("indexes article text, not the navigation around it", async () => {
      // In the footer of every page, in no article.
      const page = await search("sitemap");
      expect(await page.getByRole("status").textContent()).toMatch(/^No articles found/);
    });

    it("says so when JavaScript is off", async () => {
      const page = await browser.newPage({ javaScriptEnabled: false });
      await page.goto(server.origin + SEARCH_URL);
      // playwright turns scripts off without telling the HTML parser, so <noscript> stays unparsed text here.
      expect(await page.locator("main noscript").textContent()).toContain("Search needs JavaScript");
      expect(await page.getByRole("status").textContent()).toBe("");
    });
  });
});
