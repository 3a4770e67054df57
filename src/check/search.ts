import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { Archive } from "../archive.js";
import { SEARCH_INDEX_URL, SEARCH_URL } from "../urls.js";
import type { Problem } from "./problem.js";
import type { BuiltSite } from "./site.js";

// Pagefind writes each file gzipped, its JSON after this signature.
const SIGNATURE = "pagefind_dcd";

/** The URL each fragment of a Pagefind index stands for: one per indexed page. */
function indexedUrls(indexDir: string): string[] {
  const fragments = join(indexDir, "fragment");
  return readdirSync(fragments).map((name) => {
    const text = gunzipSync(readFileSync(join(fragments, name))).toString("utf8");
    if (!text.startsWith(SIGNATURE)) throw new Error(`${name} is not a Pagefind fragment`);
    return (JSON.parse(text.slice(SIGNATURE.length)) as { url: string }).url;
  });
}

/**
 * When the site has a search page, its index must be there and hold exactly
 * the archive's articles: an index left from an earlier build, or none, is
 * a search page that finds the wrong things or nothing.
 */
export function checkSearchIndex(site: BuiltSite, archive: Archive): Problem[] {
  if (!site.byPath.has(`${SEARCH_URL}index.html`)) return [];
  const report = (message: string): Problem[] => [{ page: SEARCH_URL, rule: "search-index", message }];
  for (const file of ["pagefind.js", "pagefind-entry.json"]) {
    if (!site.byPath.has(`${SEARCH_INDEX_URL}${file}`)) return report(`expected the search index's ${SEARCH_INDEX_URL}${file}, found no file (build without --no-search)`);
  }
  const indexDir = join(site.dir, SEARCH_INDEX_URL);
  let urls: string[];
  try {
    urls = indexedUrls(indexDir);
  } catch (error) {
    return report(`expected a readable Pagefind index, found ${(error as Error).message}`);
  }
  let counted: number[];
  try {
    const entry = JSON.parse(readFileSync(join(indexDir, "pagefind-entry.json"), "utf8")) as { languages: Record<string, { page_count: number }> };
    counted = Object.values(entry.languages).map((language) => language.page_count);
  } catch (error) {
    return report(`expected a readable pagefind-entry.json, found ${(error as Error).message}`);
  }
  const total = counted.reduce((sum, count) => sum + count, 0);
  if (total !== archive.articles.length) return report(`expected the search index to hold the ${archive.articles.length} articles, found it stale: it counts ${total} pages`);
  const indexed = new Set(urls);
  const missing = archive.articles.filter((a) => !indexed.has(a.url)).map((a) => a.url);
  const articles = new Set(archive.articles.map((a) => a.url));
  const extra = [...indexed].filter((url) => !articles.has(url));
  if (missing.length === 0 && extra.length === 0) return [];
  const first = (urls: string[]) => (urls.length ? `${urls.length} (first ${urls[0]})` : "none");
  return report(`expected the search index to hold the ${articles.size} articles, found it stale: missing ${first(missing)}, not in the archive ${first(extra)}`);
}
