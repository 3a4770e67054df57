import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { loadArchive } from "../../src/archive.js";
import { ARCHIVE_URL, HOME_URL, SEARCH_URL } from "../../src/urls.js";
import { CHROMIUM, serveSite } from "./browser.js";

/**
 * `npm run lighthouse`: Lighthouse's four scores for each page type of the
 * built site in _site/ (run `npm run build` first), served locally and
 * measured in Debian's Chromium. Lighthouse comes from the npm registry on
 * first use (npx), so the test suite does not carry it; it prints one line
 * per page and exits 1 when a score is below 100.
 */

const LIGHTHOUSE = "lighthouse@12";
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];

const archive = loadArchive("content/articles");
const article = archive.articles.find((a) => a.caption && a.teaser) ?? archive.articles[0];
const pages = {
  home: HOME_URL,
  section: archive.sections[0].url,
  article: article.url,
  archive: ARCHIVE_URL,
  year: article.yearUrl,
  month: article.monthUrl,
  search: SEARCH_URL,
};

const server = await serveSite("_site");
let below = 0;
try {
  for (const [name, url] of Object.entries(pages)) {
    // Asynchronous: this process serves the pages Lighthouse asks for meanwhile.
    const { stdout: report } = await promisify(execFile)(
      "npx",
      [
        "--yes",
        LIGHTHOUSE,
        server.origin + url,
        "--output=json",
        "--quiet",
        `--only-categories=${CATEGORIES.join(",")}`,
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run",
      ],
      { env: { ...process.env, CHROME_PATH: CHROMIUM }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    const { categories } = JSON.parse(report) as { categories: Record<string, { score: number }> };
    const scores = CATEGORIES.map((category) => Math.round(categories[category].score * 100));
    below += scores.filter((score) => score < 100).length;
    console.log(`${name.padEnd(8)} ${url.padEnd(60)} ${CATEGORIES.map((category, i) => `${category} ${scores[i]}`).join("  ")}`);
  }
} finally {
  await server.close();
}
process.exitCode = below ? 1 : 0;
