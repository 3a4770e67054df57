import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { NOT_FOUND_URL, outputPath } from "../../src/urls.js";
import { buildSite } from "../helpers.js";

/**
 * Shared pieces of the browser tests: Debian's Chromium driven by
 * playwright-core (never a downloaded browser), a static server that behaves
 * like the host the site is deployed to, and axe-core.
 */

export const CHROMIUM = "/usr/bin/chromium";
/** A URL no build has a page for. */
export const MISSING_URL = "/no/such/page/";

/**
 * True when the browser tests should be skipped: no Chromium here and not in
 * CI. In CI (`CI=true`) a missing Chromium is a failure, not a skip.
 */
export function skipWithoutChromium(): boolean {
  if (existsSync(CHROMIUM) || process.env.CI === "true") return false;
  console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM}. Install it with \`apt-get install -y chromium\` (with CI=true they fail instead).`);
  return true;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\``);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
};

/** Anything else, notably Pagefind's binary index files (`.pf_meta`, `.pf_index`, `.pf_fragment`, `.pf_filter`), is served as bytes. */
function contentType(file: string): string {
  return CONTENT_TYPES[extname(file)] ?? "application/octet-stream";
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

export interface StaticServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  origin: string;
  close(): Promise<void>;
}

/**
 * Serve a built site as a static host does: `index.html` for directory URLs
 * (redirecting `/dir` to `/dir/`), and the site's own 404 page, with status
 * 404, for anything missing.
 */
export async function serveSite(folder: string): Promise<StaticServer> {
  const root = resolve(folder);
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? "/", "http://localhost");
    let path: string;
    try {
      path = normalize(decodeURIComponent(pathname));
    } catch {
      path = "/\0";
    }
    const file = join(root, outputPath(path));
    const inside = file.startsWith(root + sep) && !path.includes("\0");
    if (inside && !path.endsWith("/") && isFile(join(root, path, "index.html"))) {
      response.writeHead(301, { location: `${path}/` }).end();
    } else if (inside && isFile(file)) {
      response.writeHead(200, { "content-type": contentType(file) }).end(readFileSync(file));
    } else {
      const notFound = join(root, NOT_FOUND_URL);
      const body = isFile(notFound) ? readFileSync(notFound) : "Not found (the site has no 404 page)";
      response.writeHead(404, { "content-type": CONTENT_TYPES[".html"] }).end(body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

export interface SiteInBrowser {
  browser: Browser;
  origin: string;
  /** A new page (its own context) showing `url` of the site. */
  open(url: string, options?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

/** Chromium and a served build of the articles folder; Chromium first, so a missing browser fails before the build. */
export async function siteInBrowser(articlesDir: string): Promise<SiteInBrowser> {
  const browser = await launchChromium();
  const site = buildSite(articlesDir);
  if (site.status !== 0) {
    await browser.close();
    throw new Error(`build failed (${site.status}):\n${site.stderr}`);
  }
  const server = await serveSite(site.out);
  return {
    browser,
    origin: server.origin,
    async open(url, options) {
      const page = await browser.newPage(options);
      // Every page here is local: ten seconds is ample, and a failure shows sooner than playwright's 30.
      page.setDefaultTimeout(10_000);
      await page.goto(server.origin + url);
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
      rmSync(dirname(site.out), { recursive: true, force: true });
    },
  };
}

const AXE_SCRIPT = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** axe-core's violations on the page as it is now, one readable line per rule and element. */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_SCRIPT });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: { resultTypes: string[] }): Promise<{ violations: { id: string; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map(({ id, help, nodes }) => ({ id, help, targets: nodes.map((node) => node.target.join(" ")) }));
  });
  return violations.map(({ id, help, targets }) => `${id}: ${help} — ${targets.join(", ")}`);
}

/** How far the page is wider than the window: 0 when the reader never has to scroll sideways. */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth));
}

/** The path of the page's URL, e.g. `/biz-updates/page/2/`. */
export function pathOf(page: Page): string {
  return new URL(page.url()).pathname;
}

/** What a page prepared by announceFirstSearchResult logs when its first search result is in. */
export const FIRST_SEARCH_RESULT = "the first search result is shown";

/**
 * Have the page log FIRST_SEARCH_RESULT to its console the moment its first
 * search result is in the document: Playwright's own waits notice it a frame
 * or more later, after requests the page made since. Call before it loads.
 */
export async function announceFirstSearchResult(page: Page): Promise<void> {
  await page.addInitScript((marker) => {
    new MutationObserver((_, observer) => {
      if (!document.querySelector("#search-results li")) return;
      console.log(marker);
      observer.disconnect();
    }).observe(document, { subtree: true, childList: true });
  }, FIRST_SEARCH_RESULT);
}
