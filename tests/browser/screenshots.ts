import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { loadArchive } from "../../src/archive.js";
import { ARCHIVE_URL, HOME_URL, SEARCH_URL } from "../../src/urls.js";
import { launchChromium, serveSite } from "./browser.js";

/**
 * `npm run screenshots`: the README's pictures of the site, taken in
 * Chromium from the real build of content/articles/ in _site/ (run
 * `npm run build` first), on a desktop and a phone.
 */

const OUT = "docs/screenshots";
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 375, height: 812 } };

const archive = loadArchive("content/articles");
const article = archive.articles.find((a) => a.caption) ?? archive.articles[0];
const pages = [
  { name: "home", url: HOME_URL },
  { name: "article", url: article.url },
  { name: "archive", url: ARCHIVE_URL },
  { name: "search", url: `${SEARCH_URL}?q=${encodeURIComponent("trade")}` },
];

mkdirSync(OUT, { recursive: true });
const server = await serveSite("_site");
const browser = await launchChromium();
try {
  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    const context = await browser.newContext({ viewport, colorScheme: "light" });
    for (const { name, url } of pages) {
      const page = await context.newPage();
      await page.goto(server.origin + url, { waitUntil: "networkidle" });
      // The search page shows its results once Pagefind has answered.
      if (url.startsWith(SEARCH_URL)) await page.locator("#search-results li").first().waitFor();
      const file = join(OUT, `${name}-${device}.png`);
      await page.screenshot({ path: file });
      console.log(file);
      await page.close();
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
