import { rmSync } from "node:fs";
import { loadArchive } from "../src/archive.js";
import { indexShards } from "../src/search.js";

// Pagefind on its own, with the build's indexing step, over a site built
// without the search index. The index goes to a folder of its own, so the
// site stays as built for the incremental build that follows.
const [site, articles, indexOut] = process.argv.slice(2);
if (!site || !articles || !indexOut) throw new Error("usage: tsx bench/pagefind.ts SITE_DIR ARTICLES_DIR INDEX_OUT_DIR");
const shards = loadArchive(articles).searchShards;
rmSync(indexOut, { recursive: true, force: true });
await indexShards(shards, () => site, indexOut);
console.log(`Indexed ${shards.reduce((sum, shard) => sum + shard.articles.length, 0)} pages in ${shards.length} indexes`);
