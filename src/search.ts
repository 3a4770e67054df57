import * as pagefind from "pagefind";
import { join } from "node:path";
import { SEARCH_INDEX_URL } from "./urls.js";

/**
 * Index a built site with Pagefind's Node API (no global install, no
 * network). Only article pages mark their text with `data-pagefind-body`, so
 * navigation and list pages stay out of the index.
 */
export async function indexSite(siteDir: string): Promise<{ pages: number }> {
  const { index, errors } = await pagefind.createIndex({});
  try {
    if (!index) throw new Error(`search index: ${errors.join("; ")}`);
    const added = await index.addDirectory({ path: siteDir });
    if (added.errors.length) throw new Error(`search index: ${added.errors.join("; ")}`);
    const written = await index.writeFiles({ outputPath: join(siteDir, SEARCH_INDEX_URL) });
    if (written.errors.length) throw new Error(`search index: ${written.errors.join("; ")}`);
    return { pages: added.page_count };
  } finally {
    await pagefind.close();
  }
}
