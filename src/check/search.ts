import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { Archive, SearchShard } from "../archive.js";
import { SEARCH_URL } from "../urls.js";
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

/** What is wrong with one shard's index, or nothing. */
function checkShard(site: BuiltSite, shard: SearchShard): string | undefined {
  for (const file of ["pagefind.js", "pagefind-entry.json"]) {
    if (!site.byPath.has(`${shard.url}${file}`)) return `expected the search index's ${shard.url}${file}, found no file (build without --no-search)`;
  }
  const indexDir = join(site.dir, shard.url);
  let urls: string[];
  try {
    urls = indexedUrls(indexDir);
  } catch (error) {
    return `expected a readable Pagefind index at ${shard.url}, found ${(error as Error).message}`;
  }
  let counted: number[];
  try {
    const entry = JSON.parse(readFileSync(join(indexDir, "pagefind-entry.json"), "utf8")) as { languages: Record<string, { page_count: number }> };
    counted = Object.values(entry.languages).map((language) => language.page_count);
  } catch (error) {
    return `expected a readable ${shard.url}pagefind-entry.json, found ${(error as Error).message}`;
  }
  const expected = `expected the search index ${shard.url} to hold its ${shard.articles.length} articles, found it stale`;
  const total = counted.reduce((sum, count) => sum + count, 0);
  if (total !== shard.articles.length) return `${expected}: it counts ${total} pages`;
  const indexed = new Set(urls);
  const missing = shard.articles.filter((url) => !indexed.has(url));
  const articles = new Set(shard.articles);
  const extra = [...indexed].filter((url) => !articles.has(url));
  if (missing.length === 0 && extra.length === 0) return undefined;
  const first = (urls: string[]) => (urls.length ? `${urls.length} (first ${urls[0]})` : "none");
  return `${expected}: missing ${first(missing)}, not in the archive ${first(extra)}`;
}

/**
 * When the site has a search page, each shard's index must be there and
 * hold exactly that shard's articles: an index left from an earlier build, or
 * none, is a search page that finds the wrong things or nothing.
 */
export function checkSearchIndex(site: BuiltSite, archive: Archive): Problem[] {
  if (!site.byPath.has(`${SEARCH_URL}index.html`)) return [];
  return archive.searchShards
    .map((shard) => checkShard(site, shard))
    .filter((message) => message !== undefined)
    .map((message) => ({ page: SEARCH_URL, rule: "search-index", message }));
}
