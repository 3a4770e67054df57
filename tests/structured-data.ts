import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import sdtt from "structured-data-testing-tool";
import presets from "structured-data-testing-tool/presets.js";

/**
 * `npm run structured-data [-- DIR]`: structured-data-testing-tool's
 * Google, Twitter and Facebook presets on every article page of a built
 * site (default _site/). It prints a line per page and exits 1 when any
 * test fails; the test suite runs the same over the seed site.
 */

export interface PageResult {
  url: string;
  passed: number;
  failed: string[];
  warnings: string[];
}

type Outcome = { passed: unknown[]; failed: { test: string }[]; warnings: { test: string }[] };

/** The article pages of a site, by URL, with their HTML: pages that say they are an article (a redirect at an old URL does not). */
function articlePages(siteDir: string): [string, string][] {
  return readdirSync(siteDir, { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".html"))
    .sort()
    .map((path): [string, string] => [`/${path.split("\\").join("/")}`.replace(/index\.html$/, ""), readFileSync(join(siteDir, path), "utf8")])
    .filter(([, html]) => html.includes('<meta property="og:type" content="article">'));
}

/** The presets' results on one page's HTML. */
export async function testPage(url: string, html: string): Promise<PageResult> {
  // The tool rejects with the same report when a test fails.
  const outcome: Outcome = await sdtt.structuredDataTest(html, { presets: [presets.Google, presets.Twitter, presets.Facebook] }).catch((error: { res?: Outcome }) => {
    if (!error.res) throw error;
    return error.res;
  });
  return { url, passed: outcome.passed.length, failed: outcome.failed.map((t) => t.test), warnings: outcome.warnings.map((t) => t.test) };
}

export async function testStructuredData(siteDir: string): Promise<PageResult[]> {
  const results: PageResult[] = [];
  for (const [url, html] of articlePages(siteDir)) results.push(await testPage(url, html));
  return results;
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const results = await testStructuredData(process.argv[2] ?? "_site");
  for (const r of results) console.log(`${r.url}  ${r.passed} passed, ${r.failed.length} failed${r.failed.length ? ` (${r.failed.join("; ")})` : ""}, ${r.warnings.length} warnings (${r.warnings.join("; ")})`);
  process.exitCode = results.some((r) => r.failed.length > 0) || results.length === 0 ? 1 : 0;
}
