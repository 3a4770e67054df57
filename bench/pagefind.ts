import { rmSync } from "node:fs";
import { join } from "node:path";
import { loadArchive } from "../src/archive.js";
import { indexPages } from "../src/search.js";
import { outputPath } from "../src/urls.js";

// Pagefind on its own, with the build's indexing step, over a site built
// without the search index. The index goes to a folder of its own, so the
// site stays as built for the incremental build that follows.
const [site, articles, indexOut] = process.argv.slice(2);
if (!site || !articles || !indexOut) throw new Error("usage: tsx bench/pagefind.ts SITE_DIR ARTICLES_DIR INDEX_OUT_DIR");
const pages = loadArchive(articles).articles.map((a) => ({ url: a.url, file: join(site, outputPath(a.url)) }));
rmSync(indexOut, { recursive: true, force: true });
await indexPages(pages, indexOut);
console.log(`Indexed ${pages.length} pages`);
