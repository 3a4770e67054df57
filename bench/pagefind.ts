import { indexSite } from "../src/search.js";

// Pagefind on its own, over a site built without the search index, with the
// same indexing step the build runs.
const site = process.argv[2];
if (!site) throw new Error("usage: tsx bench/pagefind.ts SITE_DIR");
const { pages } = await indexSite(site);
console.log(`Indexed ${pages} pages`);
