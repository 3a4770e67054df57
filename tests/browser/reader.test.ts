import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAGE_SIZE, loadArchive, type Archive, type Section } from "../../src/archive.js";
import { readableDate } from "../../src/dates.js";
import { ARCHIVE_URL, HOME_URL, SEARCH_URL, sectionUrl } from "../../src/urls.js";
import { articlesWith } from "../helpers.js";
import { MISSING_URL, horizontalOverflow, pathOf, siteInBrowser, skipWithoutChromium, type SiteInBrowser } from "./browser.js";

/** Enough generated exports in one section of the seeds for it to have three pages. */
const SECTION = "Biz updates";
const GENERATED = 45;

/** One raw export in the city site's format, dated in 2020 so the seeds stay the newest. */
function generatedExport(n: number): string {
  const month = String(1 + (n % 12)).padStart(2, "0");
  const day = String(1 + (n % 28)).padStart(2, "0");
  return [
    `Home>${SECTION}`,
    "",
    `Harbin trade fair report number ${n + 1}`,
    "",
    `Updated : 2020-${month}-${day}`,
    "",
    "By ( e.my399.com )",
    "",
    `Exhibitors from ${n + 3} countries met buyers at the Harbin trade fair, organisers said.`,
    `Contracts worth ${n + 10} million yuan were signed on the first day.`,
    "",
  ].join("\n");
}

describe.skipIf(skipWithoutChromium())("a reader in Chromium", () => {
  let archive: Archive;
  let section: Section;
  let site: SiteInBrowser;

  beforeAll(async () => {
    const extra = Object.fromEntries(Array.from({ length: GENERATED }, (_, n) => [`gen_${String(n).padStart(3, "0")}.txt`, generatedExport(n)]));
    const articles = articlesWith(extra);
    archive = loadArchive(articles);
    section = archive.sections.find((s) => s.name === SECTION)!;
    site = await siteInBrowser(articles);
  });

  afterAll(() => site?.close());

  const open = (url: string, viewport = { width: 1280, height: 800 }) => site.open(url, { viewport });

  it("has a section long enough to page through", () => {
    expect(archive.sectionPages.filter((p) => p.section?.url === section.url)).toHaveLength(3);
  });

  it("goes home -> section -> its older page -> article -> its month -> back -> the older article", async () => {
    const page = await open(HOME_URL);
    const main = page.getByRole("main");

    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: SECTION, exact: true }).click();
    expect(pathOf(page)).toBe(sectionUrl(SECTION));
    expect(await page.locator("h1").textContent()).toBe(SECTION);

    await page.getByRole("link", { name: /Older articles/ }).click();
    // The older pages are numbered from the oldest: the next after the first is the highest number.
    expect(pathOf(page)).toBe(sectionUrl(SECTION, 3));

    const article = section.articles[PAGE_SIZE];
    await main.getByRole("link", { name: article.headline, exact: true }).click();
    expect(pathOf(page)).toBe(article.url);
    expect(await page.locator("h1").allTextContents()).toEqual([article.headline]);
    const time = main.locator("article time").first();
    expect(await time.getAttribute("datetime")).toBe(article.date);
    expect(await time.textContent()).toBe(readableDate(article.date));

    await main.getByRole("link", { name: article.monthLabel, exact: true }).click();
    expect(pathOf(page)).toBe(article.monthUrl);
    expect(await page.locator("h1").textContent()).toBe(article.monthLabel);
    expect(await main.getByRole("link", { name: article.headline, exact: true }).getAttribute("href")).toBe(article.url);

    await page.goBack();
    expect(pathOf(page)).toBe(article.url);
    expect(await page.locator("h1").textContent()).toBe(article.headline);

    await main.getByRole("link", { name: new RegExp(`^Older in ${SECTION}`) }).click();
    expect(pathOf(page)).toBe(article.older?.url);
  });

  it("finds the site's and the section's Atom feeds from the section page, newest entries first", async () => {
    const page = await open(section.url);
    const hrefs = await page.locator('link[rel="alternate"][type="application/atom+xml"]').evaluateAll((links) => links.map((link) => link.getAttribute("href")));
    const feeds = archive.feeds.filter((feed) => feed.section === null || feed.section === SECTION);
    expect(hrefs).toEqual(feeds.map((feed) => feed.url));
    for (const feed of feeds) {
      const response = await page.request.get(site.origin + feed.url);
      expect(response.status()).toBe(200);
      const entries = await page.evaluate((xml) => {
        const doc = new DOMParser().parseFromString(xml, "application/xml");
        if (doc.querySelector("parsererror") || doc.documentElement.localName !== "feed") return null;
        return [...doc.querySelectorAll("entry > link[rel=alternate]")].map((link) => new URL(link.getAttribute("href")!).pathname);
      }, await response.text());
      expect(entries, feed.url).toEqual(feed.articles.map((article) => article.url));
    }
  });

  it("answers a missing URL with the 404 page, which leads home and to the archive", async () => {
    const page = await site.browser.newPage();
    const response = await page.goto(site.origin + MISSING_URL);
    expect(response?.status()).toBe(404);
    const main = page.getByRole("main");
    expect(await main.locator(`a[href="${HOME_URL}"]`).count()).toBeGreaterThan(0);
    await main.locator(`a[href="${ARCHIVE_URL}"]`).first().click();
    expect(pathOf(page)).toBe(ARCHIVE_URL);
    expect(await page.locator("h1").textContent()).toBe("Archive");
  });

  it("lets a keyboard user see where focus is and skip to the content", async () => {
    const page = await open(HOME_URL);
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement as HTMLElement;
        const box = element.getBoundingClientRect();
        const style = getComputedStyle(element);
        return {
          id: element.id,
          text: element.textContent?.trim(),
          href: element.getAttribute("href"),
          onScreen: box.width > 0 && box.left >= 0 && box.top >= 0 && box.right <= innerWidth && box.bottom <= innerHeight,
          outlined: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
        };
      });
    await page.keyboard.press("Tab");
    expect(await focused()).toEqual({ id: "", text: "Skip to content", href: "#main", onScreen: true, outlined: true });
    await page.keyboard.press("Enter");
    expect((await focused()).id).toBe("main");

    await page.keyboard.press("Tab");
    expect(await focused()).toMatchObject({ href: archive.front.lead!.url, onScreen: true, outlined: true });
  });

  it("follows the reader's colour scheme, and prints an article without the navigation", async () => {
    const page = await open(section.articles[0].url);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: "light" });
    const light = await background();
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await background()).not.toBe(light);

    await page.emulateMedia({ media: "print", colorScheme: "light" });
    expect(await page.getByRole("navigation", { name: "Sections" }).isVisible()).toBe(false);
    expect(await page.locator("h1").isVisible()).toBe(true);
  });

  it("pages through more search results than fit on one page", async () => {
    const page = await open(`${SEARCH_URL}?q=exhibitors`);
    const items = page.locator("#search-results > li");
    const more = page.getByRole("button", { name: "Show more results" });
    await items.nth(29).waitFor();
    expect(await items.count()).toBe(30);
    expect(await page.getByRole("status").textContent()).toBe(`${GENERATED} articles found for “exhibitors”, showing 30.`);
    await more.click();
    await items.nth(GENERATED - 1).waitFor();
    expect(await items.count()).toBe(GENERATED);
    expect(await more.isVisible()).toBe(false);
    expect(await page.getByRole("status").textContent()).toBe(`${GENERATED} articles found for “exhibitors”.`);
    // Excerpts carry the article's text, not the dateline or the search filters' values.
    expect(await items.first().locator(".summary").textContent()).not.toMatch(/Source:|\d{4}-\d{2}-\d{2}/);
  });

  it("shows the first search result after its fragment alone, then asks for the others", async () => {
    const page = await site.browser.newPage();
    page.setDefaultTimeout(10_000);
    // Each fragment request is held while the page's results are counted: one asked for after the first result showed finds it there.
    // A console message from the page would not do, since the page and the search worker report to Playwright in no fixed order.
    const shownWhenAsked = new Map<string, number>();
    await page.route("**/*.pf_fragment", async (route) => {
      shownWhenAsked.set(route.request().url(), await page.locator("#search-results > li").count());
      await route.continue();
    });
    await page.goto(`${site.origin}${SEARCH_URL}?q=exhibitors`);
    await page.locator("#search-results > li").nth(29).waitFor();
    expect(shownWhenAsked.size).toBe(30);
    expect([...shownWhenAsked.values()].filter((shown) => shown === 0)).toHaveLength(1);
  });

  it("lines up the search form's labels on one baseline", async () => {
    const page = await open(SEARCH_URL);
    const tops = await page.evaluate(() => [...document.querySelectorAll(".search-form label")].map((label) => Math.round(label.getBoundingClientRect().top)));
    expect(tops).toHaveLength(3);
    expect(new Set(tops).size, JSON.stringify(tops)).toBe(1);
  });

  it("keeps space between the header, the page's content and the footer", async () => {
    for (const url of [HOME_URL, ARCHIVE_URL, section.articles[0].url, sectionUrl(SECTION)]) {
      const page = await open(url);
      const gaps = await page.evaluate(() => {
        const box = (selector: string) => document.querySelector(selector)!.getBoundingClientRect();
        const main = document.querySelector("main")!;
        const first = main.firstElementChild!.getBoundingClientRect();
        const last = main.lastElementChild!.getBoundingClientRect();
        return { top: first.top - box(".site-header").bottom, bottom: box(".site-footer").top - last.bottom, padding: getComputedStyle(main).paddingTop };
      });
      expect(gaps.top, `${url}: ${JSON.stringify(gaps)}`).toBeGreaterThanOrEqual(16);
      expect(gaps.bottom, `${url}: ${JSON.stringify(gaps)}`).toBeGreaterThanOrEqual(16);
      await page.close();
    }
  });

  for (const width of [375, 1280]) {
    it(`needs no horizontal scrolling ${width}px wide`, async () => {
      const longest = [...archive.articles].sort((a, b) => b.headline.length - a.headline.length)[0];
      for (const url of [HOME_URL, sectionUrl(SECTION, 2), longest.url]) {
        const page = await open(url, { width, height: 800 });
        expect(await horizontalOverflow(page), `${url} at ${width}px`).toBe(0);
        await page.close();
      }
    });
  }
});
