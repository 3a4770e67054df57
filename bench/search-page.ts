import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { median } from "./median.js";
import { announceFirstSearchResult, CHROMIUM, FIRST_SEARCH_RESULT, launchChromium, serveSite } from "../tests/browser/browser.js";
import { outputPath, SEARCH_INDEX_URL, SEARCH_URL } from "../src/urls.js";

/**
 * The search page as a reader meets it: the requests made and the time
 * until the first result shows, in Chromium over a network with a round
 * trip of ROUND_TRIP_MS, for the site's own index shards and, as the
 * baseline, for one Pagefind index over the same articles.
 */

const ROUND_TRIP_MS = 100;
const QUERY = "harbin";
const LOADS = 3;
// Where the one-index baseline goes inside the site while it is measured; both are removed after.
const ONE_INDEX_URL = "/bench-one-index/";
const ONE_INDEX_PAGE_URL = "/bench-search-one-index/";

/** Requests made until the first result shows, and the time until then, medians of LOADS loads. */
interface FirstResult {
  requests: number;
  ms: number;
}

export interface SearchPageFigures {
  shards: FirstResult;
  oneIndex: FirstResult;
}

async function firstResult(origin: string, pageUrl: string): Promise<FirstResult> {
  const browser = await launchChromium();
  try {
    const loads: FirstResult[] = [];
    for (let i = 0; i < LOADS; i++) {
      // A context of its own each time: nothing comes from the cache of the load before.
      const context = await browser.newContext();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: ROUND_TRIP_MS, downloadThroughput: 10e6 / 8, uploadThroughput: 5e6 / 8 });
      await announceFirstSearchResult(page);
      let requests = 0;
      page.on("request", () => requests++);
      const started = performance.now();
      const shown = new Promise<FirstResult>((resolvePromise) => page.on("console", (message) => message.text() === FIRST_SEARCH_RESULT && resolvePromise({ requests, ms: performance.now() - started })));
      await page.goto(`${origin}${pageUrl}?q=${QUERY}`);
      await page.waitForSelector("#search-results li", { timeout: 120_000 });
      loads.push(await shown);
      await context.close();
    }
    return { requests: median(loads.map((l) => l.requests)), ms: median(loads.map((l) => l.ms)) };
  } finally {
    await browser.close();
  }
}

/** null without Chromium or without a search page. */
export async function measureSearchPage(site: string, pagefindCli: string): Promise<SearchPageFigures | null> {
  const searchPage = join(site, outputPath(SEARCH_URL));
  if (!existsSync(CHROMIUM) || !existsSync(searchPage)) return null;
  const oneIndex = join(site, ONE_INDEX_URL);
  const oneIndexPage = join(site, outputPath(ONE_INDEX_PAGE_URL));
  const server = await serveSite(site);
  try {
    const shards = await firstResult(server.origin, SEARCH_URL);
    execFileSync("node", [pagefindCli, "--site", site, "--output-path", oneIndex, "--silent"]);
    // The same page over the one index: its list of shards and its preload name that index alone.
    const html = readFileSync(searchPage, "utf8")
      .replace(/data-indexes="[^"]*"/, `data-indexes="${ONE_INDEX_URL}"`)
      .replace(new RegExp(`(rel="modulepreload" href=")${SEARCH_INDEX_URL}[^"]*/`), `$1${ONE_INDEX_URL}`);
    mkdirSync(join(site, ONE_INDEX_PAGE_URL), { recursive: true });
    writeFileSync(oneIndexPage, html);
    return { shards, oneIndex: await firstResult(server.origin, ONE_INDEX_PAGE_URL) };
  } finally {
    await server.close();
    rmSync(oneIndex, { recursive: true, force: true });
    rmSync(join(site, ONE_INDEX_PAGE_URL), { recursive: true, force: true });
  }
}
